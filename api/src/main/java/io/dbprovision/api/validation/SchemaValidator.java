package io.dbprovision.api.validation;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.api.schema.DescriptorMemo;
import io.dbprovision.api.schema.Rules;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.FieldRules;
import io.dbprovision.proto.v1alpha1.Identifier;
import io.dbprovision.proto.v1alpha1.OneOfRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks an object against the rules written in the schema ({@code FieldRules} and {@code OneOfRule}): required
 * fields, ranges, lengths, patterns, list sizes, formats, exactly-one groups, engine identifier rules (when the
 * engine is known) and immutability on update. Reports every violation with its path.
 */
public final class SchemaValidator {
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();

    private SchemaValidator() {}

    /** Every violation of the schema's rules in {@code message}, paths starting at {@code path}. */
    public static List<FieldError> validate(Message message, FieldPath path, Optional<EngineType> engine) {
        List<FieldError> errors = new ArrayList<>();
        walk(message, path, engine, errors);
        return errors;
    }

    /** Fields marked immutable whose value changed (both old and new set, and different). */
    public static List<FieldError> validateImmutable(Message old, Message updated, FieldPath path) {
        List<FieldError> errors = new ArrayList<>();
        compare(old, updated, path, errors);
        return errors;
    }

    private static void walk(Message message, FieldPath path, Optional<EngineType> engine, List<FieldError> errors) {
        Descriptor type = message.getDescriptorForType();
        for (OneOfRule rule : Rules.oneOf(type)) {
            checkOneOf(message, type, rule, path, errors);
        }
        for (Field field : fieldsOf(type)) {
            FieldDescriptor descriptor = field.descriptor();
            if (!Rules.isSet(message, descriptor)) {
                if (field.rules().getRequired()) {
                    errors.add(FieldError.required(path.child(field.jsonName()), null));
                }
                continue;
            }
            // the path is built only for the fields that are set: most of a kind's fields are not
            switch (field.shape()) {
                case MAP -> {} // string maps carry no rules; labels and annotations are checked with the metadata
                case LIST ->
                    checkList(message, descriptor, field.rules(), path.child(field.jsonName()), engine, errors);
                case MESSAGE ->
                    walk((Message) message.getField(descriptor), path.child(field.jsonName()), engine, errors);
                case WELL_KNOWN -> {}
                case SCALAR ->
                    checkScalar(
                            message.getField(descriptor), field.rules(), path.child(field.jsonName()), engine, errors);
            }
        }
    }

    private enum Shape {
        MAP,
        LIST,
        /** A singular message of the schema, walked. */
        MESSAGE,
        /** A singular google.protobuf message (Timestamp, Struct...), which carries no rules. */
        WELL_KNOWN,
        SCALAR
    }

    /** A field as the walk needs it, read off the descriptor once. */
    private record Field(FieldDescriptor descriptor, FieldRules rules, String jsonName, Shape shape) {}

    private static final DescriptorMemo<Descriptor, Field[]> FIELDS = new DescriptorMemo<>(SchemaValidator::readFields);

    private static Field[] fieldsOf(Descriptor type) {
        return FIELDS.get(type);
    }

    private static Field[] readFields(Descriptor type) {
        List<FieldDescriptor> descriptors = type.getFields();
        Field[] fields = new Field[descriptors.size()];
        for (int i = 0; i < fields.length; i++) {
            FieldDescriptor field = descriptors.get(i);
            Shape shape;
            if (field.isMapField()) {
                shape = Shape.MAP;
            } else if (field.isRepeated()) {
                shape = Shape.LIST;
            } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                shape = isWellKnown(field) ? Shape.WELL_KNOWN : Shape.MESSAGE;
            } else {
                shape = Shape.SCALAR;
            }
            fields[i] = new Field(field, Rules.of(field), field.getJsonName(), shape);
        }
        return fields;
    }

    private static void checkList(
            Message message,
            FieldDescriptor field,
            FieldRules rules,
            FieldPath path,
            Optional<EngineType> engine,
            List<FieldError> errors) {
        int count = message.getRepeatedFieldCount(field);
        if (rules.hasMinItems() && count < rules.getMinItems()) {
            errors.add(FieldError.invalid(path, count, "must have at least " + rules.getMinItems() + " items"));
        }
        if (rules.hasMaxItems() && count > rules.getMaxItems()) {
            errors.add(FieldError.tooMany(path, count, rules.getMaxItems()));
        }
        for (int i = 0; i < count; i++) {
            Object item = message.getRepeatedField(field, i);
            FieldPath itemPath = path.index(i);
            if (item instanceof Message nested) {
                if (!isWellKnown(field)) {
                    walk(nested, itemPath, engine, errors);
                }
                continue;
            }
            if (item instanceof String text
                    && !rules.getItemPattern().isEmpty()
                    && !pattern(rules.getItemPattern()).matcher(text).matches()) {
                errors.add(FieldError.invalid(itemPath, text, "must match " + rules.getItemPattern()));
            }
            if (item instanceof String text) {
                checkIdentifier(text, rules.getIdentifier(), itemPath, engine, errors);
            }
        }
    }

    private static void checkScalar(
            Object value, FieldRules rules, FieldPath path, Optional<EngineType> engine, List<FieldError> errors) {
        if (value instanceof String text) {
            int length = text.codePointCount(0, text.length());
            if (rules.hasMinLength() && length < rules.getMinLength()) {
                errors.add(FieldError.invalid(path, text, "must be at least " + rules.getMinLength() + " characters"));
            }
            if (rules.hasMaxLength() && length > rules.getMaxLength()) {
                errors.add(FieldError.tooLong(path, rules.getMaxLength()));
            }
            if (!rules.getPattern().isEmpty()
                    && !pattern(rules.getPattern()).matcher(text).matches()) {
                errors.add(FieldError.invalid(path, text, "must match " + rules.getPattern()));
            }
            if (!rules.getFormat().isEmpty()) {
                Formats.check(rules.getFormat(), text).ifPresent(p -> errors.add(FieldError.invalid(path, text, p)));
            }
            checkIdentifier(text, rules.getIdentifier(), path, engine, errors);
        } else if (value instanceof Integer || value instanceof Long) {
            long number = ((Number) value).longValue();
            boolean low = rules.hasMinimum() && number < rules.getMinimum();
            boolean high = rules.hasMaximum() && number > rules.getMaximum();
            if (low || high) {
                errors.add(FieldError.invalid(path, number, rangeDetail(rules)));
            }
        }
    }

    private static void checkIdentifier(
            String text, Identifier kind, FieldPath path, Optional<EngineType> engine, List<FieldError> errors) {
        engine.flatMap(e -> EngineIdentifiers.problem(e, kind, text))
                .ifPresent(problem -> errors.add(FieldError.invalid(path, text, problem)));
    }

    private static String rangeDetail(FieldRules rules) {
        if (rules.hasMinimum() && rules.hasMaximum()) {
            return "must be between " + rules.getMinimum() + " and " + rules.getMaximum();
        }
        if (rules.hasMinimum()) {
            return "must be greater than or equal to " + rules.getMinimum();
        }
        return "must be less than or equal to " + rules.getMaximum();
    }

    private static void checkOneOf(
            Message message, Descriptor type, OneOfRule rule, FieldPath path, List<FieldError> errors) {
        List<String> set = new ArrayList<>();
        for (String name : rule.getFieldsList()) {
            FieldDescriptor field = type.getFields().stream()
                    .filter(f -> f.getJsonName().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(type.getFullName() + " has no field " + name));
            if (Rules.isSet(message, field)) {
                set.add(name);
            }
        }
        List<String> names = rule.getFieldsList();
        if (set.isEmpty() && rule.getRequired()) {
            String detail = names.size() == 2
                    ? "either " + names.get(0) + " or " + names.get(1) + " must be specified"
                    : "exactly one of " + String.join(", ", names) + " must be specified";
            errors.add(FieldError.required(path, detail));
        } else if (set.size() > 1) {
            errors.add(FieldError.forbidden(
                    path.child(set.get(1)), String.join(" and ", set) + " are mutually exclusive; set only one"));
        }
    }

    private static void compare(Message old, Message updated, FieldPath path, List<FieldError> errors) {
        for (FieldDescriptor field : updated.getDescriptorForType().getFields()) {
            if (field.isRepeated()) {
                continue;
            }
            FieldPath fieldPath = path.child(field.getJsonName());
            boolean bothSet = Rules.isSet(old, field) && Rules.isSet(updated, field);
            if (!bothSet) {
                continue;
            }
            FieldRules rules = Rules.of(field);
            Object before = old.getField(field);
            Object after = updated.getField(field);
            if (rules.getImmutable() && !before.equals(after)) {
                String detail =
                        rules.getImmutableMessage().isEmpty() ? "field is immutable" : rules.getImmutableMessage();
                errors.add(FieldError.invalid(fieldPath, display(after), detail));
            } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !isWellKnown(field)) {
                compare((Message) before, (Message) after, fieldPath, errors);
            }
        }
    }

    private static Object display(Object value) {
        if (value instanceof com.google.protobuf.Descriptors.EnumValueDescriptor e) {
            return io.dbprovision.api.codec.EnumSpelling.of(e).orElse(e.getName());
        }
        return value instanceof Message ? "object" : value;
    }

    private static boolean isWellKnown(FieldDescriptor field) {
        return field.getMessageType().getFile().getPackage().equals("google.protobuf");
    }

    private static Pattern pattern(String regex) {
        return PATTERNS.computeIfAbsent(regex, Pattern::compile);
    }
}
