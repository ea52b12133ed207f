package io.dbprovision.api.openapi;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.dbprovision.api.codec.EnumSpelling;
import io.dbprovision.api.schema.SchemaDocs;
import io.dbprovision.proto.v1alpha1.FieldRules;
import io.dbprovision.proto.v1alpha1.OptionsProto;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The schema of one field as a property of its message's schema: its JSON shape (as the codec writes it), its
 * description from the proto comments, and its {@code (field)} rules as OpenAPI keywords.
 */
final class FieldSchema {
    static final String INERT_NOTE = "Declared for compatibility; no behaviour yet.";
    static final String IMMUTABLE_RULE = "self == oldSelf";
    static final String IMMUTABLE_MESSAGE = "field is immutable";

    private final RefStyle refs;
    private final SchemaDocs docs;

    FieldSchema(RefStyle refs, SchemaDocs docs) {
        this.refs = refs;
        this.docs = docs;
    }

    static FieldRules rules(FieldDescriptor field) {
        return field.getOptions().getExtension(OptionsProto.field);
    }

    /**
     * @param description replaces the proto comment when not null (for the standard fields of objects and lists)
     */
    Map<String, Object> property(FieldDescriptor field, String description) {
        FieldRules rules = rules(field);
        Map<String, Object> schema = new LinkedHashMap<>();
        Map<String, Object> shape = shape(field, rules);
        if (shape.containsKey("$ref")) {
            // A $ref's siblings are ignored by OpenAPI 3.0, so a described reference goes through allOf.
            schema.put("allOf", List.of(shape));
        } else {
            schema.putAll(shape);
        }
        String text = description(field, rules, description);
        if (!text.isEmpty()) {
            schema.put("description", text);
        }
        if (!rules.getDefault().isEmpty()) {
            schema.put("default", DefaultValues.of(field, rules.getDefault()));
        }
        if (rules.hasMinItems()) {
            schema.put("minItems", (long) rules.getMinItems());
        }
        if (rules.hasMaxItems()) {
            schema.put("maxItems", (long) rules.getMaxItems());
        }
        if (rules.getImmutable()) {
            String message = rules.getImmutableMessage().isEmpty() ? IMMUTABLE_MESSAGE : rules.getImmutableMessage();
            schema.put("x-kubernetes-validations", List.of(Map.of("rule", IMMUTABLE_RULE, "message", message)));
        }
        return schema;
    }

    private Map<String, Object> shape(FieldDescriptor field, FieldRules rules) {
        if (field.isMapField()) {
            FieldDescriptor value = field.getMessageType().findFieldByName("value");
            return Map.of("type", "object", "additionalProperties", value(value, FieldRules.getDefaultInstance()));
        }
        Map<String, Object> single = value(field, rules);
        if (!field.isRepeated()) {
            return single;
        }
        Map<String, Object> items = new LinkedHashMap<>(single);
        if (!rules.getItemPattern().isEmpty()) {
            items.put("pattern", rules.getItemPattern());
        }
        return Map.of("type", "array", "items", items);
    }

    /** One value of the field: for a repeated field, one item. String and number limits apply per value. */
    private Map<String, Object> value(FieldDescriptor field, FieldRules rules) {
        Map<String, Object> schema = new LinkedHashMap<>();
        switch (field.getType()) {
            case STRING -> {
                schema.put("type", "string");
                stringRules(schema, rules);
            }
            case INT32, SINT32, SFIXED32 -> integer(schema, "int32", rules);
            // Unsigned 32-bit values do not fit int32.
            case UINT32, FIXED32, INT64, SINT64, SFIXED64, UINT64, FIXED64 -> integer(schema, "int64", rules);
            case BOOL -> schema.put("type", "boolean");
            case FLOAT -> number(schema, "float", rules);
            case DOUBLE -> number(schema, "double", rules);
            case ENUM -> {
                schema.put("type", "string");
                schema.put("enum", EnumSpelling.allowed(field.getEnumType()));
            }
            case MESSAGE, GROUP -> {
                return message(field.getMessageType());
            }
            case BYTES -> {
                schema.put("type", "string");
                schema.put("format", "byte");
            }
        }
        return schema;
    }

    private Map<String, Object> message(Descriptor type) {
        return WellKnownTypes.schema(type).orElseGet(() -> refs.ref(SchemaNames.of(type)));
    }

    private static void stringRules(Map<String, Object> schema, FieldRules rules) {
        if (!rules.getFormat().isEmpty()) {
            schema.put("format", rules.getFormat());
        }
        if (rules.hasMinLength()) {
            schema.put("minLength", (long) rules.getMinLength());
        }
        if (rules.hasMaxLength()) {
            schema.put("maxLength", (long) rules.getMaxLength());
        }
        if (!rules.getPattern().isEmpty()) {
            schema.put("pattern", rules.getPattern());
        }
    }

    private static void integer(Map<String, Object> schema, String format, FieldRules rules) {
        schema.put("type", "integer");
        schema.put("format", format);
        bounds(schema, rules);
    }

    private static void number(Map<String, Object> schema, String format, FieldRules rules) {
        schema.put("type", "number");
        schema.put("format", format);
        bounds(schema, rules);
    }

    private static void bounds(Map<String, Object> schema, FieldRules rules) {
        if (rules.hasMinimum()) {
            schema.put("minimum", rules.getMinimum());
        }
        if (rules.hasMaximum()) {
            schema.put("maximum", rules.getMaximum());
        }
    }

    private String description(FieldDescriptor field, FieldRules rules, String replacement) {
        String text = replacement != null
                ? replacement
                : docs.of(field).or(() -> typeDoc(field)).orElse("");
        if (field.getJavaType() == FieldDescriptor.JavaType.ENUM) {
            text = paragraphs(text, enumValues(field.getEnumType()));
        }
        // Some comments already explain what compatibility means for the field; do not contradict them.
        if (rules.getInert() && !text.contains("Declared for compatibility")) {
            text = text.isEmpty() ? INERT_NOTE : text + " " + INERT_NOTE;
        }
        return text;
    }

    /** Fields left uncommented because their type says it all borrow the type's comment. */
    private Optional<String> typeDoc(FieldDescriptor field) {
        return switch (field.getJavaType()) {
            case MESSAGE -> field.isMapField() ? Optional.empty() : docs.of(field.getMessageType());
            case ENUM -> docs.of(field.getEnumType());
            default -> Optional.empty();
        };
    }

    private String enumValues(EnumDescriptor type) {
        StringBuilder out = new StringBuilder("Possible enum values:");
        for (EnumValueDescriptor value : type.getValues()) {
            EnumSpelling.of(value).ifPresent(json -> {
                out.append("\n - `\"").append(json).append("\"`");
                docs.of(value).ifPresent(comment -> out.append(' ').append(comment));
            });
        }
        return out.toString();
    }

    private static String paragraphs(String first, String second) {
        return first.isEmpty() ? second : first + "\n\n" + second;
    }
}
