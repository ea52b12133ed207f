package io.dbprovision.api.field;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One invalid field, rendered as Kubernetes renders {@code field.Error}:
 * {@code spec.connection.port: Invalid value: 70000: must be between 1 and 65535}.
 *
 * @param value the offending value as written in the error (already quoted where it is a string), or null
 */
public record FieldError(Type type, FieldPath path, String value, String detail) {

    /** The kinds of field error, with the reason a Kubernetes {@code StatusCause} carries. */
    public enum Type {
        REQUIRED("Required value", "FieldValueRequired"),
        INVALID("Invalid value", "FieldValueInvalid"),
        NOT_SUPPORTED("Unsupported value", "FieldValueNotSupported"),
        FORBIDDEN("Forbidden", "FieldValueForbidden"),
        TOO_LONG("Too long", "FieldValueTooLong"),
        TOO_MANY("Too many", "FieldValueTooMany"),
        DUPLICATE("Duplicate value", "FieldValueDuplicate");

        private final String label;
        private final String reason;

        Type(String label, String reason) {
            this.label = label;
            this.reason = reason;
        }

        public String label() {
            return label;
        }

        /** The {@code StatusCause.reason} of this type. */
        public String reason() {
            return reason;
        }
    }

    public static FieldError required(FieldPath path, String detail) {
        return new FieldError(Type.REQUIRED, path, null, detail);
    }

    public static FieldError invalid(FieldPath path, Object value, String detail) {
        return new FieldError(Type.INVALID, path, render(value), detail);
    }

    public static FieldError notSupported(FieldPath path, Object value, List<String> supported) {
        String detail = "supported values: "
                + supported.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(", "));
        return new FieldError(Type.NOT_SUPPORTED, path, render(value), detail);
    }

    public static FieldError forbidden(FieldPath path, String detail) {
        return new FieldError(Type.FORBIDDEN, path, null, detail);
    }

    public static FieldError tooLong(FieldPath path, int max) {
        return new FieldError(Type.TOO_LONG, path, null, "may not be more than " + max + " characters");
    }

    public static FieldError tooMany(FieldPath path, int actual, int max) {
        return new FieldError(Type.TOO_MANY, path, String.valueOf(actual), "must have at most " + max + " items");
    }

    public static FieldError duplicate(FieldPath path, Object value) {
        return new FieldError(Type.DUPLICATE, path, render(value), null);
    }

    /** The message without the path, as a {@code StatusCause.message}. */
    public String message() {
        StringBuilder out = new StringBuilder(type.label());
        if (value != null) {
            out.append(": ").append(value);
        }
        if (detail != null && !detail.isEmpty()) {
            out.append(": ").append(detail);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return path.isRoot() ? message() : path + ": " + message();
    }

    /** Renders a value the way Kubernetes prints it in errors: strings quoted, numbers and booleans bare. */
    static String render(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return GoQuote.quote(s);
        }
        return String.valueOf(value);
    }
}
