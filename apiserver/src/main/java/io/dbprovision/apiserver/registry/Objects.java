package io.dbprovision.apiserver.registry;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.proto.v1alpha1.ObjectMeta;

/**
 * The parts every kind's message has: {@code metadata}, {@code spec}, {@code status}. Read and replaced through the
 * descriptor, so the registry stays generic over kinds.
 */
public final class Objects {
    private Objects() {}

    public static ObjectMeta meta(Message object) {
        return (ObjectMeta) object.getField(field(object, "metadata"));
    }

    @SuppressWarnings("unchecked")
    public static <T extends Message> T withMeta(T object, ObjectMeta meta) {
        return (T) object.toBuilder().setField(field(object, "metadata"), meta).build();
    }

    /** The object with its {@code apiVersion} and {@code kind} set, as every object the server writes has them. */
    @SuppressWarnings("unchecked")
    public static <T extends Message> T withTypeMeta(T object, String apiVersion, String kind) {
        FieldDescriptor apiVersionField = field(object, "api_version");
        FieldDescriptor kindField = field(object, "kind");
        if (apiVersion.equals(object.getField(apiVersionField)) && kind.equals(object.getField(kindField))) {
            return object;
        }
        return (T) object.toBuilder()
                .setField(apiVersionField, apiVersion)
                .setField(kindField, kind)
                .build();
    }

    /**
     * What a client declares: everything but metadata and status. A change here bumps {@code metadata.generation}
     * (the CRD rule), for kinds with a spec and kinds without one (a Secret's data) alike.
     */
    public static Message desiredState(Message object) {
        Message.Builder builder = object.toBuilder();
        for (String name : new String[] {"metadata", "status"}) {
            FieldDescriptor field = object.getDescriptorForType().findFieldByName(name);
            if (field != null) {
                builder.clearField(field);
            }
        }
        return builder.build();
    }

    public static boolean hasStatus(Message object) {
        FieldDescriptor status = object.getDescriptorForType().findFieldByName("status");
        return status != null && object.hasField(status);
    }

    /** The object with the status of {@code from} (or none, when {@code from} has none). */
    @SuppressWarnings("unchecked")
    public static <T extends Message> T withStatusOf(T object, Message from) {
        FieldDescriptor status = object.getDescriptorForType().findFieldByName("status");
        if (status == null) {
            return object;
        }
        Message.Builder builder = object.toBuilder();
        if (from != null && from.hasField(status)) {
            builder.setField(status, from.getField(status));
        } else {
            builder.clearField(status);
        }
        return (T) builder.build();
    }

    /**
     * Whether the object's deletion waits on finalizers: those of its metadata, or, for the kinds that keep them in
     * their spec (a Namespace's {@code spec.finalizers}, which its namespace controller clears), those.
     */
    public static boolean finalizersPending(Message object) {
        return meta(object).getFinalizersCount() > 0 || !specFinalizers(object).isEmpty();
    }

    /** {@code spec.finalizers}, for the kinds that have them (empty for the others). */
    @SuppressWarnings("unchecked")
    public static java.util.List<String> specFinalizers(Message object) {
        FieldDescriptor finalizers = specFinalizersField(object);
        if (finalizers == null) {
            return java.util.List.of();
        }
        Message spec = (Message) object.getField(object.getDescriptorForType().findFieldByName("spec"));
        return (java.util.List<String>) spec.getField(finalizers);
    }

    /** The object without {@code finalizer} in its {@code spec.finalizers}. */
    @SuppressWarnings("unchecked")
    public static <T extends Message> T withoutSpecFinalizer(T object, String finalizer) {
        FieldDescriptor finalizers = specFinalizersField(object);
        if (finalizers == null) {
            return object;
        }
        FieldDescriptor specField = object.getDescriptorForType().findFieldByName("spec");
        Message.Builder spec =
                ((Message) object.getField(specField)).toBuilder().clearField(finalizers);
        for (String kept : specFinalizers(object)) {
            if (!kept.equals(finalizer)) {
                spec.addRepeatedField(finalizers, kept);
            }
        }
        return (T) object.toBuilder().setField(specField, spec.build()).build();
    }

    private static FieldDescriptor specFinalizersField(Message object) {
        FieldDescriptor spec = object.getDescriptorForType().findFieldByName("spec");
        if (spec == null || spec.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
            return null;
        }
        FieldDescriptor finalizers = spec.getMessageType().findFieldByName("finalizers");
        return finalizers != null
                        && finalizers.isRepeated()
                        && finalizers.getJavaType() == FieldDescriptor.JavaType.STRING
                ? finalizers
                : null;
    }

    private static FieldDescriptor field(Message object, String name) {
        FieldDescriptor field = object.getDescriptorForType().findFieldByName(name);
        if (field == null) {
            throw new IllegalArgumentException(object.getDescriptorForType().getFullName() + " has no " + name);
        }
        return field;
    }
}
