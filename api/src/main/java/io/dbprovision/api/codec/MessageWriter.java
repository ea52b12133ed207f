package io.dbprovision.api.codec;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.dbprovision.api.schema.DescriptorMemo;
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
    /**
     * The fields of each message type, read off the descriptors once (as {@link MessageJsonWriter} does): descriptor
     * calls such as {@code hasPresence()} consult the edition features on every call, and the managed fields of every
     * write turn the whole object into a tree. Keyed by descriptor identity; the schema's types are a fixed set.
     */
    private static final DescriptorMemo<Descriptor, Field[]> FIELDS = new DescriptorMemo<>(MessageWriter::readFields);

    /**
     * One field as the tree needs it. zero is the default value of a singular field without presence (null
     * otherwise), mapKey and mapValue the entry's fields of a map.
     */
    private record Field(
            FieldDescriptor descriptor,
            String jsonName,
            boolean repeated,
            boolean presence,
            Object zero,
            FieldDescriptor mapKey,
            FieldDescriptor mapValue) {}

    private MessageWriter() {}

    static Map<String, Object> toTree(Message message) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Field field : fieldsOf(message.getDescriptorForType())) {
            FieldDescriptor descriptor = field.descriptor();
            if (field.repeated()) {
                if (message.getRepeatedFieldCount(descriptor) == 0) {
                    continue;
                }
                out.put(
                        field.jsonName(),
                        field.mapKey() != null ? mapValue(message, field) : listValue(message, descriptor));
                continue;
            }
            Object raw;
            if (field.presence()) {
                if (!message.hasField(descriptor)) {
                    continue;
                }
                raw = message.getField(descriptor);
            } else {
                // proto3 scalars without presence: the zero value is "absent", as Go's omitempty treats it.
                raw = message.getField(descriptor);
                if (raw.equals(field.zero())) {
                    continue;
                }
            }
            Object value = value(descriptor, raw);
            if (value != null) {
                out.put(field.jsonName(), value);
            }
        }
        return out;
    }

    private static Field[] fieldsOf(Descriptor type) {
        return FIELDS.get(type);
    }

    private static Field[] readFields(Descriptor type) {
        List<FieldDescriptor> descriptors = type.getFields();
        Field[] fields = new Field[descriptors.size()];
        for (int i = 0; i < fields.length; i++) {
            FieldDescriptor field = descriptors.get(i);
            if (field.isMapField()) {
                fields[i] = new Field(
                        field,
                        field.getJsonName(),
                        true,
                        false,
                        null,
                        field.getMessageType().findFieldByName("key"),
                        field.getMessageType().findFieldByName("value"));
            } else {
                boolean repeated = field.isRepeated();
                boolean presence = !repeated && field.hasPresence();
                Object zero = repeated || presence ? null : field.getDefaultValue();
                fields[i] = new Field(field, field.getJsonName(), repeated, presence, zero, null, null);
            }
        }
        return fields;
    }

    private static List<Object> listValue(Message message, FieldDescriptor field) {
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
            items.add(value(field, message.getRepeatedField(field, i)));
        }
        return items;
    }

    private static Map<String, Object> mapValue(Message message, Field field) {
        FieldDescriptor keyField = field.mapKey();
        FieldDescriptor valueField = field.mapValue();
        Map<String, Object> sorted = new TreeMap<>();
        for (int i = 0; i < message.getRepeatedFieldCount(field.descriptor()); i++) {
            Message entry = (Message) message.getRepeatedField(field.descriptor(), i);
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
