package io.dbprovision.api.defaults;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.api.codec.EnumSpelling;
import io.dbprovision.api.schema.Rules;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies the {@code default} of every absent field inside every present object, as Kubernetes applies structural
 * schema defaults: a default never creates an object the user left out, so {@code spec.tls.mode} is defaulted only
 * when {@code spec.tls} was written.
 */
public final class SchemaDefaulter {
    private static final Pattern JSON_STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    /**
     * Whether a message type has a default anywhere inside it, per type: a nested object whose type has none (the
     * metadata, most of a spec's blocks) is left as it is instead of being copied into a builder, walked and set back
     * unchanged. Keyed by descriptor identity; the schema's types are a fixed set.
     */
    private static final Map<Descriptor, Boolean> HAS_DEFAULTS = new ConcurrentHashMap<>();

    private SchemaDefaulter() {}

    @SuppressWarnings("unchecked")
    public static <T extends Message> T apply(T message) {
        Message.Builder builder = message.toBuilder();
        fill(builder);
        return (T) builder.build();
    }

    private static void fill(Message.Builder builder) {
        for (FieldDescriptor field : builder.getDescriptorForType().getFields()) {
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isMapField()) {
                fillNested(builder, field);
                continue;
            }
            String text = Rules.of(field).getDefault();
            if (!text.isEmpty() && !Rules.isSet(builder, field)) {
                setDefault(builder, field, text);
            }
        }
    }

    private static void fillNested(Message.Builder builder, FieldDescriptor field) {
        if (isWellKnown(field) || !hasDefaults(field.getMessageType())) {
            return;
        }
        if (field.isRepeated()) {
            for (int i = 0; i < builder.getRepeatedFieldCount(field); i++) {
                Message.Builder item = ((Message) builder.getRepeatedField(field, i)).toBuilder();
                fill(item);
                builder.setRepeatedField(field, i, item.build());
            }
        } else if (builder.hasField(field)) {
            Message.Builder nested = ((Message) builder.getField(field)).toBuilder();
            fill(nested);
            builder.setField(field, nested.build());
        }
    }

    private static boolean hasDefaults(Descriptor type) {
        Boolean known = HAS_DEFAULTS.get(type);
        if (known == null) {
            known = hasDefaults(type, new HashSet<>());
            HAS_DEFAULTS.putIfAbsent(type, known);
        }
        return known;
    }

    /** Searched afresh for each type asked about, so that a recursive type's answer never depends on the order. */
    private static boolean hasDefaults(Descriptor type, Set<Descriptor> visiting) {
        if (!visiting.add(type)) {
            return false;
        }
        for (FieldDescriptor field : type.getFields()) {
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isMapField()) {
                if (!isWellKnown(field) && hasDefaults(field.getMessageType(), visiting)) {
                    return true;
                }
            } else if (!Rules.of(field).getDefault().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static boolean isWellKnown(FieldDescriptor field) {
        return field.getMessageType().getFile().getPackage().equals("google.protobuf");
    }

    private static void setDefault(Message.Builder builder, FieldDescriptor field, String text) {
        if (field.isRepeated()) {
            for (String item : parseStringArray(field, text)) {
                builder.addRepeatedField(field, scalar(field, item));
            }
        } else {
            builder.setField(field, scalar(field, text));
        }
    }

    /** The typed value of a default's text; a bad default is a schema bug, so it fails loudly. */
    static Object scalar(FieldDescriptor field, String text) {
        return switch (field.getJavaType()) {
            case STRING -> text;
            case BOOLEAN ->
                switch (text) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw badDefault(field, text);
                };
            case INT -> Integer.parseInt(text);
            case LONG -> Long.parseLong(text);
            case ENUM -> EnumSpelling.parse(field.getEnumType(), text).orElseThrow(() -> badDefault(field, text));
            default -> throw badDefault(field, text);
        };
    }

    /** A repeated field's default, written as a JSON array of strings such as {@code ["%"]}. */
    public static List<String> parseStringArray(FieldDescriptor field, String text) {
        String trimmed = text.trim();
        if (!trimmed.startsWith("[") || !trimmed.endsWith("]")) {
            throw badDefault(field, text);
        }
        List<String> items = new ArrayList<>();
        Matcher matcher = JSON_STRING.matcher(trimmed.substring(1, trimmed.length() - 1));
        while (matcher.find()) {
            items.add(matcher.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
        }
        return items;
    }

    private static IllegalStateException badDefault(FieldDescriptor field, String text) {
        return new IllegalStateException("schema default \"" + text + "\" does not fit " + field.getFullName());
    }
}
