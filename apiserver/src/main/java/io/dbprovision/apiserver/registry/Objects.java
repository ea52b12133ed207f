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

    private static FieldDescriptor field(Message object, String name) {
        FieldDescriptor field = object.getDescriptorForType().findFieldByName(name);
        if (field == null) {
            throw new IllegalArgumentException(object.getDescriptorForType().getFullName() + " has no " + name);
        }
        return field;
    }
}
