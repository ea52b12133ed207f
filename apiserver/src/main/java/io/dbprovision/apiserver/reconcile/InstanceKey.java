package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.registry.Objects;
import java.util.Optional;

/**
 * Which instance an object lives on: a namespaced DatabaseInstance ({@code spec.instanceRef}, its namespace
 * defaulting to the referrer's) or a ClusterDatabaseInstance ({@code spec.clusterInstanceRef}).
 */
public record InstanceKey(boolean cluster, NamespacedName name) {
    public static InstanceKey namespaced(String namespace, String name) {
        return new InstanceKey(false, new NamespacedName(namespace, name));
    }

    public static InstanceKey cluster(String name) {
        return new InstanceKey(true, new NamespacedName("", name));
    }

    /** The instance {@code referrer}'s spec names, if it names one. */
    public static Optional<InstanceKey> of(Message referrer) {
        Message spec = field(referrer, "spec");
        if (spec == null) {
            return Optional.empty();
        }
        Message clusterRef = field(spec, "cluster_instance_ref");
        if (clusterRef != null) {
            return Optional.of(cluster(string(clusterRef, "name")));
        }
        Message ref = field(spec, "instance_ref");
        if (ref != null) {
            String namespace = string(ref, "namespace");
            return Optional.of(namespaced(
                    namespace.isEmpty() ? Objects.meta(referrer).getNamespace() : namespace, string(ref, "name")));
        }
        return Optional.empty();
    }

    /**
     * The value informers index dependants by. (The work queues partition by the server the instance names instead:
     * {@link Instances#partition}.)
     */
    public String index() {
        return (cluster ? "cluster/" : "namespaced/") + name;
    }

    @Override
    public String toString() {
        return (cluster ? "ClusterDatabaseInstance " + name.name() : "DatabaseInstance " + name);
    }

    static Message field(Message message, String name) {
        FieldDescriptor field = message.getDescriptorForType().findFieldByName(name);
        if (field == null || !message.hasField(field)) {
            return null;
        }
        return (Message) message.getField(field);
    }

    static String string(Message message, String name) {
        FieldDescriptor field = message.getDescriptorForType().findFieldByName(name);
        return field == null ? "" : (String) message.getField(field);
    }
}
