package io.dbprovision.api.codec;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.proto.v1alpha1.OptionsProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which fields of the schema a set of objects never sets. A field counts as covered when any occurrence of its
 * message type, anywhere in the object, sets it; fields of a one-of group count as covered when one member is set.
 */
final class SchemaCoverage {
    private SchemaCoverage() {}

    static List<String> unsetFields(Message root) {
        Set<FieldDescriptor> set = new HashSet<>();
        Set<Descriptor> seen = new HashSet<>();
        collect(root, set, seen);
        List<String> missing = new ArrayList<>();
        for (Descriptor type : seen) {
            if (type.getFile().getPackage().startsWith("google.protobuf")) {
                continue;
            }
            Set<String> oneOfCovered = new HashSet<>();
            for (var rule : type.getOptions().getExtension(OptionsProto.oneOf)) {
                boolean anySet = type.getFields().stream()
                        .anyMatch(f -> rule.getFieldsList().contains(f.getJsonName()) && set.contains(f));
                if (anySet) {
                    oneOfCovered.addAll(rule.getFieldsList());
                }
            }
            for (FieldDescriptor field : type.getFields()) {
                if (!set.contains(field) && !oneOfCovered.contains(field.getJsonName()) && !isMetaOnly(field)) {
                    missing.add(field.getFullName());
                }
            }
        }
        missing.sort(null);
        return missing;
    }

    /** Server-maintained metadata that a user's manifest does not carry. */
    private static boolean isMetaOnly(FieldDescriptor field) {
        return field.getContainingType().getName().equals("ObjectMeta")
                || field.getContainingType().getName().equals("ListMeta");
    }

    private static void collect(Message message, Set<FieldDescriptor> set, Set<Descriptor> seen) {
        seen.add(message.getDescriptorForType());
        for (var entry : message.getAllFields().entrySet()) {
            FieldDescriptor field = entry.getKey();
            set.add(field);
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isMapField()) {
                continue;
            }
            if (field.isRepeated()) {
                for (Object item : (List<?>) entry.getValue()) {
                    collect((Message) item, set, seen);
                }
            } else {
                collect((Message) entry.getValue(), set, seen);
            }
        }
    }
}
