package io.dbprovision.api.codec;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;

/** Looks fields up by their JSON names (cached per message type). */
public final class MessageFields {
    private MessageFields() {}

    /** The field with this JSON name, or null. */
    public static FieldDescriptor byJsonName(Descriptor type, String jsonName) {
        return MessageReader.fieldsByJsonName(type).get(jsonName);
    }
}
