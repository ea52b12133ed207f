package io.dbprovision.api.codec;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import io.dbprovision.api.codec.Node.ArrayNode;
import io.dbprovision.api.codec.Node.NullNode;
import io.dbprovision.api.codec.Node.ObjectNode;
import io.dbprovision.api.codec.Node.ScalarNode;
import io.dbprovision.api.codec.Node.Style;
import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import java.math.BigInteger;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a {@link Node} tree onto a message by the schema: JSON names, Kubernetes scalar conventions, enum spellings.
 * Collects every problem instead of stopping at the first: wrong types (fatal), unknown and duplicate fields (the
 * caller's {@code fieldValidation} decides), and unsupported enum values (field errors, answered as 422).
 */
final class MessageReader {
    private static final Map<Descriptor, Map<String, FieldDescriptor>> FIELDS_BY_JSON_NAME = new ConcurrentHashMap<>();
    private static final Pattern YAML_FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
    /** YAML_FLOAT with groups: sign, whole digits, fraction digits, exponent. */
    private static final Pattern DECIMAL = Pattern.compile("([-+]?)([0-9]+)?(?:\\.([0-9]*))?(?:[eE]([-+]?[0-9]+))?");

    private final List<String> typeErrors = new ArrayList<>();
    private final List<String> unknownFields = new ArrayList<>();
    private final List<String> duplicateFields = new ArrayList<>();
    private final List<FieldError> invalidValues = new ArrayList<>();

    List<String> typeErrors() {
        return typeErrors;
    }

    List<String> unknownFields() {
        return unknownFields;
    }

    List<String> duplicateFields() {
        return duplicateFields;
    }

    List<FieldError> invalidValues() {
        return invalidValues;
    }

    void readObject(ObjectNode object, Message.Builder builder, FieldPath path) {
        Descriptor descriptor = builder.getDescriptorForType();
        Map<String, FieldDescriptor> fields = fieldsByJsonName(descriptor);
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, Node> entry : object.entries()) {
            FieldPath fieldPath = path.child(entry.getKey());
            FieldDescriptor field = fields.get(entry.getKey());
            boolean first = seen.add(entry.getKey());
            if (!first) {
                duplicateFields.add(fieldPath.toString());
            }
            if (field == null) {
                if (first) { // an unknown field given twice is one unknown field, and a duplicate
                    unknownFields.add(fieldPath.toString());
                }
                continue;
            }
            if (!first) {
                builder.clearField(field); // the last occurrence wins, as in Kubernetes
            }
            readField(entry.getValue(), builder, field, fieldPath);
        }
    }

    private void readField(Node node, Message.Builder builder, FieldDescriptor field, FieldPath path) {
        if (node instanceof NullNode) {
            builder.clearField(field); // null means absent
            return;
        }
        if (field.isMapField()) {
            readMap(node, builder, field, path);
        } else if (field.isRepeated()) {
            if (!(node instanceof ArrayNode array)) {
                typeError(path, node, "an array");
                return;
            }
            for (int i = 0; i < array.items().size(); i++) {
                Node item = array.items().get(i);
                FieldPath itemPath = path.index(i);
                if (item instanceof NullNode) {
                    typeError(itemPath, item, expected(field));
                    continue;
                }
                Object value = readValue(item, builder, field, itemPath);
                if (value != null) {
                    builder.addRepeatedField(field, value);
                }
            }
        } else {
            Object value = readValue(node, builder, field, path);
            if (value != null) {
                builder.setField(field, value);
            }
        }
    }

    private void readMap(Node node, Message.Builder builder, FieldDescriptor field, FieldPath path) {
        if (!(node instanceof ObjectNode object)) {
            typeError(path, node, "an object");
            return;
        }
        Descriptor entryType = field.getMessageType();
        FieldDescriptor keyField = entryType.findFieldByName("key");
        FieldDescriptor valueField = entryType.findFieldByName("value");
        // One entry per key, the last occurrence winning: adding both through reflection would keep both entries
        // in the message's list form (printed, and serialized) even though its map form shows only the last.
        Map<String, Message> entries = new LinkedHashMap<>();
        for (Map.Entry<String, Node> entry : object.entries()) {
            FieldPath entryPath = path.key(entry.getKey());
            if (entries.containsKey(entry.getKey())) {
                duplicateFields.add(entryPath.toString());
            }
            Message.Builder entryBuilder = builder.newBuilderForField(field);
            entryBuilder.setField(keyField, entry.getKey());
            if (entry.getValue() instanceof NullNode) {
                typeError(entryPath, entry.getValue(), expected(valueField));
                continue;
            }
            Object value = readValue(entry.getValue(), entryBuilder, valueField, entryPath);
            if (value != null) {
                entryBuilder.setField(valueField, value);
                entries.put(entry.getKey(), entryBuilder.build());
            }
        }
        entries.values().forEach(entry -> builder.addRepeatedField(field, entry));
    }

    /** One value of a field (or of one list item); null after recording a problem. */
    private Object readValue(Node node, Message.Builder parent, FieldDescriptor field, FieldPath path) {
        return switch (field.getJavaType()) {
            case STRING -> readString(node, path);
            case BOOLEAN -> readBoolean(node, path);
            case INT ->
                readInteger(node, path, Integer.MIN_VALUE, Integer.MAX_VALUE, field) instanceof Long l
                        ? Integer.valueOf(l.intValue())
                        : null;
            case LONG -> readInteger(node, path, Long.MIN_VALUE, Long.MAX_VALUE, field);
            case FLOAT, DOUBLE -> readDouble(node, path, field);
            case ENUM -> readEnum(node, field, path);
            case MESSAGE -> readMessage(node, parent.newBuilderForField(field), path);
            case BYTE_STRING -> readBytes(node, path);
        };
    }

    /** Bytes are base64 strings in Kubernetes JSON (Secret data). */
    private com.google.protobuf.ByteString readBytes(Node node, FieldPath path) {
        String text = readString(node, path);
        if (text == null) {
            return null;
        }
        try {
            return com.google.protobuf.ByteString.copyFrom(
                    java.util.Base64.getMimeDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            typeErrors.add(path + ": not valid base64: " + e.getMessage());
            return null;
        }
    }

    private Object readMessage(Node node, Message.Builder builder, FieldPath path) {
        String type = builder.getDescriptorForType().getFullName();
        switch (type) {
            case "google.protobuf.Timestamp" -> {
                return readTimestamp(node, path);
            }
            case "google.protobuf.Struct" -> {
                if (!(node instanceof ObjectNode object)) {
                    typeError(path, node, "an object");
                    return null;
                }
                return toStruct(object, path);
            }
            case "google.protobuf.Value" -> {
                return toValue(node, path);
            }
            default -> {
                if (!(node instanceof ObjectNode object)) {
                    typeError(path, node, "an object");
                    return null;
                }
                readObject(object, builder, path);
                return builder.build();
            }
        }
    }

    private String readString(Node node, FieldPath path) {
        if (node instanceof ScalarNode scalar && (scalar.style() == Style.STRING || scalar.style() == Style.PLAIN)) {
            return scalar.text();
        }
        typeError(path, node, "a string");
        return null;
    }

    private Boolean readBoolean(Node node, FieldPath path) {
        if (node instanceof ScalarNode scalar && scalar.style() != Style.STRING && scalar.style() != Style.NUMBER) {
            switch (scalar.text()) {
                case "true", "True", "TRUE" -> {
                    return Boolean.TRUE;
                }
                case "false", "False", "FALSE" -> {
                    return Boolean.FALSE;
                }
                default -> {}
            }
        }
        typeError(path, node, "a boolean (true or false)");
        return null;
    }

    private Long readInteger(Node node, FieldPath path, long min, long max, FieldDescriptor field) {
        // JSON writers may emit 5.0 or 1e3 for integral values, and YAML writers may write them as floats; like
        // Kubernetes (which reads YAML through JSON), accept any number that is exactly integral.
        if (node instanceof ScalarNode scalar
                && (scalar.style() == Style.NUMBER || scalar.style() == Style.PLAIN)
                && YAML_FLOAT.matcher(scalar.text()).matches()) {
            String text = scalar.text();
            BigInteger value;
            try {
                value = exactInteger(text);
            } catch (ArithmeticException e) {
                typeErrors.add(path + ": " + shorten(text) + " is not a whole number");
                return null;
            }
            if (value == null
                    || value.compareTo(BigInteger.valueOf(min)) < 0
                    || value.compareTo(BigInteger.valueOf(max)) > 0) {
                typeErrors.add(path + ": " + shorten(text) + " is out of range for " + integerType(field));
                return null;
            }
            return value.longValue();
        }
        typeError(path, node, "an integer");
        return null;
    }

    /**
     * The exact value of a decimal number such as {@code -12}, {@code 5.0} or {@code 1.5e3}, without ever building a
     * big number: {@code new BigDecimal("1e99999999").toBigIntegerExact()} computes a 330-million-bit power of ten
     * (half a minute of CPU for a 10-byte value), and {@code new BigInteger} of a 3 MB YAML digit string is quadratic.
     *
     * @return the value, or null if it has more than 19 digits (beyond any 64-bit integer)
     * @throws ArithmeticException if the number is not a whole number
     */
    static BigInteger exactInteger(String text) {
        Matcher m = DECIMAL.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a decimal number: " + text);
        }
        String sign = "-".equals(m.group(1)) ? "-" : "";
        String whole = m.group(2) == null ? "" : m.group(2);
        String fraction = m.group(3) == null ? "" : m.group(3);
        String exponentText = m.group(4);
        String digits = stripLeadingZeros(whole + fraction);
        if (digits.isEmpty()) {
            return BigInteger.ZERO; // zero, whatever its exponent
        }
        int trailingZeros = 0;
        while (digits.charAt(digits.length() - 1 - trailingZeros) == '0') {
            trailingZeros++;
        }
        String significant = digits.substring(0, digits.length() - trailingZeros);
        // value = significant * 10^scale
        long scale = (long) trailingZeros - fraction.length();
        if (exponentText != null) {
            boolean negative = exponentText.startsWith("-");
            String exponentDigits = stripLeadingZeros(exponentText.replaceFirst("^[-+]", ""));
            if (exponentDigits.length() > 12) {
                // |exponent| >= 10^12 while the digits are at most a few million long
                if (negative) {
                    throw new ArithmeticException("not a whole number");
                }
                return null;
            }
            long exponent = exponentDigits.isEmpty() ? 0 : Long.parseLong(exponentDigits);
            scale += negative ? -exponent : exponent;
        }
        if (scale < 0) {
            throw new ArithmeticException("not a whole number"); // significant has no trailing zero to absorb it
        }
        if (significant.length() + scale > 19) {
            return null;
        }
        return new BigInteger(sign + significant + "0".repeat((int) scale));
    }

    private static String stripLeadingZeros(String digits) {
        int i = 0;
        while (i < digits.length() && digits.charAt(i) == '0') {
            i++;
        }
        return digits.substring(i);
    }

    private Double readDouble(Node node, FieldPath path, FieldDescriptor field) {
        if (node instanceof ScalarNode scalar && (scalar.style() == Style.NUMBER || scalar.style() == Style.PLAIN)) {
            if (YAML_FLOAT.matcher(scalar.text()).matches()) {
                double value = Double.parseDouble(scalar.text());
                if (Double.isFinite(value)) {
                    return value;
                }
            }
        }
        typeError(path, node, "a number");
        return null;
    }

    private EnumValueDescriptor readEnum(Node node, FieldDescriptor field, FieldPath path) {
        if (!(node instanceof ScalarNode scalar) || scalar.style() == Style.NUMBER || scalar.style() == Style.BOOLEAN) {
            typeError(path, node, "a string");
            return null;
        }
        var value = EnumSpelling.parse(field.getEnumType(), scalar.text());
        if (value.isEmpty()) {
            invalidValues.add(FieldError.notSupported(path, scalar.text(), EnumSpelling.allowed(field.getEnumType())));
            return null;
        }
        return value.get();
    }

    private Timestamp readTimestamp(Node node, FieldPath path) {
        if (node instanceof ScalarNode scalar && (scalar.style() == Style.STRING || scalar.style() == Style.PLAIN)) {
            try {
                return Timestamps.parse(scalar.text());
            } catch (DateTimeParseException e) {
                typeErrors.add(
                        path + ": " + quote(scalar.text()) + " is not an RFC 3339 time such as 2026-01-02T03:04:05Z");
                return null;
            }
        }
        typeError(path, node, "an RFC 3339 time string");
        return null;
    }

    private Struct toStruct(ObjectNode object, FieldPath path) {
        Struct.Builder struct = Struct.newBuilder();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, Node> entry : object.entries()) {
            if (!seen.add(entry.getKey())) {
                duplicateFields.add(path.child(entry.getKey()).toString());
            }
            struct.putFields(entry.getKey(), toValue(entry.getValue(), path.child(entry.getKey())));
        }
        return struct.build();
    }

    /** Free-form JSON (managedFields' fieldsV1): YAML plain scalars are typed by the YAML 1.2 core schema. */
    private Value toValue(Node node, FieldPath path) {
        return switch (node) {
            case NullNode n ->
                Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
            case ObjectNode object ->
                Value.newBuilder().setStructValue(toStruct(object, path)).build();
            case ArrayNode array -> {
                ListValue.Builder list = ListValue.newBuilder();
                for (int i = 0; i < array.items().size(); i++) {
                    list.addValues(toValue(array.items().get(i), path.index(i)));
                }
                yield Value.newBuilder().setListValue(list).build();
            }
            case ScalarNode scalar ->
                switch (scalar.style()) {
                    case STRING ->
                        Value.newBuilder().setStringValue(scalar.text()).build();
                    case NUMBER -> numberValue(scalar.text(), path);
                    case BOOLEAN ->
                        Value.newBuilder()
                                .setBoolValue(Boolean.parseBoolean(scalar.text()))
                                .build();
                    case PLAIN -> plainValue(scalar.text(), path);
                };
        };
    }

    /**
     * A JSON number as a double. 1e999 overflows to infinity, which JSON cannot write (Jackson would write the string
     * "Infinity"), so it is refused rather than changed.
     */
    private Value numberValue(String text, FieldPath path) {
        double value = Double.parseDouble(text);
        if (!Double.isFinite(value)) {
            typeErrors.add(path + ": " + shorten(text) + " is out of range for a number");
        }
        return Value.newBuilder()
                .setNumberValue(Double.isFinite(value) ? value : 0)
                .build();
    }

    private Value plainValue(String text, FieldPath path) {
        switch (text) {
            case "true", "True", "TRUE" -> {
                return Value.newBuilder().setBoolValue(true).build();
            }
            case "false", "False", "FALSE" -> {
                return Value.newBuilder().setBoolValue(false).build();
            }
            default -> {
                if (YAML_FLOAT.matcher(text).matches()) {
                    return numberValue(text, path);
                }
                return Value.newBuilder().setStringValue(text).build();
            }
        }
    }

    /** What a value of the field must be, for errors. */
    private static String expected(FieldDescriptor field) {
        return switch (field.getJavaType()) {
            case STRING, ENUM -> "a string";
            case BOOLEAN -> "a boolean (true or false)";
            case INT, LONG -> "an integer";
            case FLOAT, DOUBLE -> "a number";
            case MESSAGE ->
                field.getMessageType().getFullName().equals("google.protobuf.Timestamp")
                        ? "an RFC 3339 time string"
                        : "an object";
            case BYTE_STRING -> "a supported type";
        };
    }

    private void typeError(FieldPath path, Node node, String expected) {
        String where = node.position().isEmpty() ? "" : " (" + node.position() + ")";
        typeErrors.add((path.isRoot() ? "the document" : path.toString()) + ": expected " + expected + ", got "
                + describe(node) + where);
    }

    private static String describe(Node node) {
        return switch (node) {
            case ObjectNode o -> "an object";
            case ArrayNode a -> "an array";
            case NullNode n -> "null";
            case ScalarNode s ->
                switch (s.style()) {
                    case STRING -> "the string " + quote(s.text());
                    case NUMBER -> "the number " + s.text();
                    case BOOLEAN -> "the boolean " + s.text();
                    case PLAIN -> quote(s.text());
                };
        };
    }

    private static String quote(String text) {
        return "\"" + shorten(text).replace("\"", "\\\"") + "\"";
    }

    /** The value as shown in an error: a 3 MB value must not make a 3 MB message. */
    private static String shorten(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }

    private static String integerType(FieldDescriptor field) {
        return field.getJavaType() == FieldDescriptor.JavaType.INT ? "a 32-bit integer" : "a 64-bit integer";
    }

    static Map<String, FieldDescriptor> fieldsByJsonName(Descriptor descriptor) {
        return FIELDS_BY_JSON_NAME.computeIfAbsent(descriptor, d -> {
            Map<String, FieldDescriptor> map = new java.util.HashMap<>();
            for (FieldDescriptor field : d.getFields()) {
                map.put(field.getJsonName(), field);
            }
            return Map.copyOf(map);
        });
    }
}
