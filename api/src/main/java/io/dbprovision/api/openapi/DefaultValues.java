package io.dbprovision.api.openapi;

import com.google.protobuf.Descriptors.FieldDescriptor;

/**
 * Turns a {@code (field).default} text into the JSON value OpenAPI publishes: booleans and numbers as JSON values,
 * enums and strings as written, lists and objects from their JSON text.
 */
final class DefaultValues {
    private DefaultValues() {}

    static Object of(FieldDescriptor field, String text) {
        if (field.isRepeated() || field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            return JsonTree.parse(text);
        }
        return switch (field.getJavaType()) {
            case BOOLEAN -> bool(field, text);
            case INT, LONG -> Long.parseLong(text);
            case FLOAT, DOUBLE -> Double.parseDouble(text);
            case STRING, ENUM -> text;
            case BYTE_STRING, MESSAGE -> throw new IllegalStateException("no default for " + field.getFullName());
        };
    }

    private static Boolean bool(FieldDescriptor field, String text) {
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalStateException(field.getFullName() + ": default is not a boolean: " + text);
        };
    }
}
