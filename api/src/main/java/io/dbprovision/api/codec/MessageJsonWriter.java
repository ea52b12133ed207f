package io.dbprovision.api.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.JavaType;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.dbprovision.api.schema.DescriptorMemo;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes a message as Kubernetes JSON straight to a generator. It is the hot path of the server (every response
 * body, list item and watch event), so it skips the tree of {@link MessageWriter}, yet must write the very same bytes
 * as {@code TreeWriter.json(MessageWriter.toTree(message), false)}: every rule here mirrors one there, including the
 * quirks (a value that converts to {@code null} is omitted as a field but written as {@code null} in a list or map).
 */
final class MessageJsonWriter {
    /**
     * The fields of each message type, read off the descriptors once: descriptor calls such as {@code hasPresence()}
     * and {@code getJavaType()} consult the edition features on every call, and a DatabaseInstance has over a hundred
     * fields in all, most of them unset. Keyed by descriptor identity; the schema's types are a fixed set.
     */
    private static final DescriptorMemo<Descriptor, Field[]> FIELDS =
            new DescriptorMemo<>(MessageJsonWriter::readFields);

    private enum Shape {
        LIST,
        MAP,
        /** Singular with presence: written when set, even to its zero value. */
        PRESENCE,
        /** Singular proto3 scalar without presence: written when not equal to its zero value. */
        IMPLICIT
    }

    /**
     * One field as the writer needs it; for a map, type is the type of its values. quotedName is the JSON name
     * pre-encoded, which spares the generator escaping it on every write, and null unless the name is plain ASCII:
     * Jackson pre-encodes some characters (those beyond the BMP) differently from how its generator writes them.
     */
    private record Field(
            FieldDescriptor descriptor,
            SerializedString quotedName,
            Shape shape,
            JavaType type,
            Object zero,
            FieldDescriptor mapKey,
            FieldDescriptor mapValue) {}

    private MessageJsonWriter() {}

    /** The message as one JSON object: fields in descriptor order, absent ones omitted. */
    static void write(JsonGenerator generator, Message message) throws IOException {
        generator.writeStartObject();
        for (Field field : fieldsOf(message.getDescriptorForType())) {
            FieldDescriptor descriptor = field.descriptor();
            switch (field.shape()) {
                case LIST -> {
                    int count = message.getRepeatedFieldCount(descriptor);
                    if (count > 0) {
                        writeName(generator, field);
                        generator.writeStartArray();
                        for (int i = 0; i < count; i++) {
                            writeValue(generator, field.type(), message.getRepeatedField(descriptor, i));
                        }
                        generator.writeEndArray();
                    }
                }
                case MAP -> {
                    int count = message.getRepeatedFieldCount(descriptor);
                    if (count > 0) {
                        writeName(generator, field);
                        writeMap(generator, message, field, count);
                    }
                }
                case PRESENCE -> {
                    if (message.hasField(descriptor)) {
                        writeSingular(generator, field, message.getField(descriptor));
                    }
                }
                case IMPLICIT -> {
                    // The zero value is "absent", as Go's omitempty treats it. Compared with equals as the tree
                    // does, so -0.0 counts as set and is written.
                    Object value = message.getField(descriptor);
                    if (!value.equals(field.zero())) {
                        writeSingular(generator, field, value);
                    }
                }
            }
        }
        generator.writeEndObject();
    }

    private static Field[] fieldsOf(Descriptor type) {
        return FIELDS.get(type);
    }

    private static Field[] readFields(Descriptor type) {
        List<FieldDescriptor> descriptors = type.getFields();
        Field[] fields = new Field[descriptors.size()];
        for (int i = 0; i < fields.length; i++) {
            FieldDescriptor field = descriptors.get(i);
            SerializedString name =
                    isPlainAscii(field.getJsonName()) ? new SerializedString(field.getJsonName()) : null;
            if (field.isMapField()) {
                FieldDescriptor key = field.getMessageType().findFieldByName("key");
                FieldDescriptor value = field.getMessageType().findFieldByName("value");
                fields[i] = new Field(field, name, Shape.MAP, value.getJavaType(), null, key, value);
            } else {
                Shape shape = field.isRepeated() ? Shape.LIST : field.hasPresence() ? Shape.PRESENCE : Shape.IMPLICIT;
                Object zero = shape == Shape.IMPLICIT ? field.getDefaultValue() : null;
                fields[i] = new Field(field, name, shape, field.getJavaType(), zero, null, null);
            }
        }
        return fields;
    }

    private static boolean isPlainAscii(String name) {
        return name.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\');
    }

    private static void writeName(JsonGenerator generator, Field field) throws IOException {
        if (field.quotedName() != null) {
            generator.writeFieldName(field.quotedName());
        } else {
            generator.writeFieldName(field.descriptor().getJsonName());
        }
    }

    /**
     * A set singular field. The tree omits one whose value converts to null (an enum value without a spelling, a
     * google.protobuf.Value holding null), so that is decided before the name is written.
     */
    private static void writeSingular(JsonGenerator generator, Field field, Object value) throws IOException {
        switch (field.type()) {
            case ENUM -> {
                Optional<String> spelling = EnumSpelling.of((EnumValueDescriptor) value);
                if (spelling.isPresent()) {
                    writeName(generator, field);
                    generator.writeString(spelling.get());
                }
            }
            case MESSAGE -> {
                Message nested = (Message) value;
                if (!isJsonNull(nested)) {
                    writeName(generator, field);
                    writeMessage(generator, nested);
                }
            }
            default -> {
                writeName(generator, field);
                writeValue(generator, field.type(), value);
            }
        }
    }

    /** True for a google.protobuf.Value the tree turns into null (cast as the tree casts it). */
    private static boolean isJsonNull(Message message) {
        if (!message.getDescriptorForType().getFullName().equals("google.protobuf.Value")) {
            return false;
        }
        Value.KindCase kind = ((Value) message).getKindCase();
        return kind == Value.KindCase.NULL_VALUE || kind == Value.KindCase.KIND_NOT_SET;
    }

    /** Map entries sorted by key, a repeated key keeping its last value (what the tree's TreeMap.put does). */
    private static void writeMap(JsonGenerator generator, Message message, Field field, int count) throws IOException {
        Map<String, Object> sorted = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            Message entry = (Message) message.getRepeatedField(field.descriptor(), i);
            sorted.put((String) entry.getField(field.mapKey()), entry.getField(field.mapValue()));
        }
        generator.writeStartObject();
        for (Map.Entry<String, Object> entry : sorted.entrySet()) {
            generator.writeFieldName(entry.getKey());
            writeValue(generator, field.type(), entry.getValue());
        }
        generator.writeEndObject();
    }

    /** One value inside a list or map (or a set scalar field); a value that converts to null is written as null. */
    private static void writeValue(JsonGenerator generator, JavaType type, Object value) throws IOException {
        // The casts pick the generator method TreeWriter picks for the boxed value (writeNumber(int) for Integer...).
        switch (type) {
            case ENUM -> {
                Optional<String> spelling = EnumSpelling.of((EnumValueDescriptor) value);
                if (spelling.isPresent()) {
                    generator.writeString(spelling.get());
                } else {
                    generator.writeNull();
                }
            }
            case MESSAGE -> writeMessage(generator, (Message) value);
            case INT -> generator.writeNumber((int) (Integer) value);
            case LONG -> generator.writeNumber((long) (Long) value);
            case FLOAT -> generator.writeNumber((float) (Float) value);
            case DOUBLE -> generator.writeNumber((double) (Double) value);
            case BOOLEAN -> generator.writeBoolean((Boolean) value);
            case STRING -> generator.writeString((String) value);
            case BYTE_STRING ->
                generator.writeString(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
        }
    }

    private static void writeMessage(JsonGenerator generator, Message message) throws IOException {
        switch (message.getDescriptorForType().getFullName()) {
            case "google.protobuf.Timestamp" -> generator.writeString(Timestamps.format((Timestamp) message));
            case "google.protobuf.Struct" -> writeStruct(generator, (Struct) message);
            case "google.protobuf.Value" -> writeJsonValue(generator, (Value) message);
            default -> write(generator, message);
        }
    }

    private static void writeStruct(JsonGenerator generator, Struct struct) throws IOException {
        Map<String, Value> fields = struct.getFieldsMap();
        // Entries copied into arrays by hand: keySet().toArray(new String[0]) goes through protobuf's and the JDK's
        // unmodifiable wrappers and a reflective array allocation, and the lookups by key after sorting cost as much
        // again; the managed fields of every object are a tree of small Structs, so this ran for each of its nodes.
        int count = fields.size();
        String[] keys = new String[count];
        Value[] values = new Value[count];
        boolean sorted = true;
        int i = 0;
        for (Map.Entry<String, Value> entry : fields.entrySet()) {
            keys[i] = entry.getKey();
            values[i] = entry.getValue();
            sorted &= i == 0 || keys[i - 1].compareTo(keys[i]) < 0;
            i++;
        }
        if (!sorted) {
            sortByKey(keys, values); // String order, as the tree's Map.Entry.comparingByKey()
        }
        generator.writeStartObject();
        for (int k = 0; k < count; k++) {
            generator.writeFieldName(keys[k]);
            writeJsonValue(generator, values[k]);
        }
        generator.writeEndObject();
    }

    /** Sorts both arrays by key (the keys of a map are distinct); an insertion sort: Structs here are small. */
    private static void sortByKey(String[] keys, Value[] values) {
        if (keys.length > 32) {
            Integer[] order = new Integer[keys.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> keys[a].compareTo(keys[b]));
            String[] sortedKeys = new String[keys.length];
            Value[] sortedValues = new Value[keys.length];
            for (int i = 0; i < order.length; i++) {
                sortedKeys[i] = keys[order[i]];
                sortedValues[i] = values[order[i]];
            }
            System.arraycopy(sortedKeys, 0, keys, 0, keys.length);
            System.arraycopy(sortedValues, 0, values, 0, values.length);
            return;
        }
        for (int i = 1; i < keys.length; i++) {
            String key = keys[i];
            Value value = values[i];
            int j = i - 1;
            while (j >= 0 && keys[j].compareTo(key) > 0) {
                keys[j + 1] = keys[j];
                values[j + 1] = values[j];
                j--;
            }
            keys[j + 1] = key;
            values[j + 1] = value;
        }
    }

    private static void writeJsonValue(JsonGenerator generator, Value value) throws IOException {
        switch (value.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> generator.writeNull();
            case BOOL_VALUE -> generator.writeBoolean(value.getBoolValue());
            case STRING_VALUE -> generator.writeString(value.getStringValue());
            case NUMBER_VALUE -> {
                // Integral numbers within 2^53 as integers, so that 3 stays 3 and not 3.0; NaN and infinities fail the
                // test and go to writeNumber(double), as in the tree.
                double d = value.getNumberValue();
                if (d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) {
                    generator.writeNumber((long) d);
                } else {
                    generator.writeNumber(d);
                }
            }
            case STRUCT_VALUE -> writeStruct(generator, value.getStructValue());
            case LIST_VALUE -> {
                generator.writeStartArray();
                for (Value item : value.getListValue().getValuesList()) {
                    writeJsonValue(generator, item);
                }
                generator.writeEndArray();
            }
        }
    }
}
