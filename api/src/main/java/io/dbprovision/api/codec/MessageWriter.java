package io.dbprovision.api.codec;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a message into plain Java values (maps in field order, lists, strings, numbers, booleans) in Kubernetes
 * JSON form: absent fields omitted, int64 as numbers, enums spelled as users write them, times in RFC 3339
 * seconds, map keys sorted as Go sorts them.
 */
final class MessageWriter {
    private MessageWriter() {}

    static Map<String, Object> toTree(Message message) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
            if (field.isRepeated()) {
                if (message.getRepeatedFieldCount(field) == 0) {
                    continue;
                }
                out.put(field.getJsonName(), field.isMapField() ? mapValue(message, field) : listValue(message, field));
            } else if (isSet(message, field)) {
                Object value = value(field, message.getField(field));
                if (value != null) {
                    out.put(field.getJsonName(), value);
                }
            }
        }
        return out;
    }

    private static boolean isSet(Message message, FieldDescriptor field) {
        if (field.hasPresence()) {
            return message.hasField(field);
        }
        // proto3 scalars without presence: the zero value is "absent", as Go's omitempty treats it.
        return !message.getField(field).equals(field.getDefaultValue());
    }

    private static List<Object> listValue(Message message, FieldDescriptor field) {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
            items.add(value(field, message.getRepeatedField(field, i)));
        }
        return items;
    }

    private static Map<String, Object> mapValue(Message message, FieldDescriptor field) {
        FieldDescriptor keyField = field.getMessageType().findFieldByName("key");
        FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
        Map<String, Object> sorted = new TreeMap<>();
        for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
            Message entry = (Message) message.getRepeatedField(field, i);
            sorted.put((String) entry.getField(keyField), value(valueField, entry.getField(valueField)));
        }
        return new LinkedHashMap<>(sorted);
    }

    private static Object value(FieldDescriptor field, Object value) {
        return switch (field.getJavaType()) {
            case ENUM -> EnumSpelling.of((EnumValueDescriptor) value).orElse(null);
            case MESSAGE -> messageValue((Message) value);
            case INT, LONG, BOOLEAN, STRING, FLOAT, DOUBLE -> value;
            case BYTE_STRING ->
                java.util.Base64.getEncoder().encodeToString(((com.google.protobuf.ByteString) value).toByteArray());
        };
    }

    private static Object messageValue(Message message) {
        return switch (message.getDescriptorForType().getFullName()) {
            case "google.protobuf.Timestamp" -> Timestamps.format((Timestamp) message);
            case "google.protobuf.Struct" -> structValue((Struct) message);
            case "google.protobuf.Value" -> jsonValue((Value) message);
            default -> toTree(message);
        };
    }

    private static Map<String, Object> structValue(Struct struct) {
        Map<String, Object> out = new LinkedHashMap<>(); // keep the writer's order: fieldsV1 is order-insensitive
        struct.getFieldsMap().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.put(e.getKey(), jsonValue(e.getValue())));
        return out;
    }

    private static Object jsonValue(Value value) {
        return switch (value.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> null;
            case BOOL_VALUE -> value.getBoolValue();
            case STRING_VALUE -> value.getStringValue();
            case NUMBER_VALUE -> {
                double d = value.getNumberValue();
                yield d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15 ? (Object) (long) d : (Object) d;
            }
            case STRUCT_VALUE -> structValue(value.getStructValue());
            case LIST_VALUE -> {
                ListValue list = value.getListValue();
                List<Object> items = new ArrayList<>();
                list.getValuesList().forEach(v -> items.add(jsonValue(v)));
                yield items;
            }
        };
    }
}
