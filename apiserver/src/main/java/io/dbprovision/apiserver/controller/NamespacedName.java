package io.dbprovision.apiserver.controller;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.registry.Objects;

/**
 * The key of an object in an informer's cache and a controller's work queue: its namespace ("" for a cluster-scoped
 * kind) and name. Written {@code namespace/name}, or {@code name} alone, as Kubernetes' cache keys are.
 */
public record NamespacedName(String namespace, String name) {
    public NamespacedName {
        if (namespace == null || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("an object key needs a name: " + namespace + "/" + name);
        }
    }

    public static NamespacedName of(Message object) {
        var meta = Objects.meta(object);
        return new NamespacedName(meta.getNamespace(), meta.getName());
    }

    /** A cluster-scoped object's key. */
    public static NamespacedName cluster(String name) {
        return new NamespacedName("", name);
    }

    @Override
    public String toString() {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }
}
