package io.dbprovision.api.schema;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.dbprovision.api.codec.EnumSpelling;
import io.dbprovision.api.codec.MessageFields;
import io.dbprovision.api.codec.Timestamps;
import java.util.Optional;

/**
 * Reads a value at a dotted JSON path ({@code spec.connection.host}, {@code .status.phase}) from a message, as
 * field selectors and printer columns need: scalars only, through non-repeated objects; absent values are empty.
 */
public final class MessagePaths {
    private MessagePaths() {}

    /** The value as Kubernetes would print it in JSON: strings, enum spellings, numbers, booleans, RFC 3339 times. */
    public static Optional<Object> value(Message message, String path) {
        String[] parts = (path.startsWith(".") ? path.substring(1) : path).split("\\.");
        Message current = message;
        for (int i = 0; i < parts.length; i++) {
            FieldDescriptor field = MessageFields.byJsonName(current.getDescriptorForType(), parts[i]);
            if (field == null || field.isRepeated() || !Rules.isSet(current, field)) {
                return Optional.empty();
            }
            Object value = current.getField(field);
            boolean last = i == parts.length - 1;
            if (value instanceof Timestamp timestamp) {
                return last ? Optional.of(Timestamps.format(timestamp)) : Optional.empty();
            }
            if (value instanceof Message nested) {
                if (last) {
                    return Optional.empty();
                }
                current = nested;
                continue;
            }
            if (!last) {
                return Optional.empty();
            }
            if (value instanceof EnumValueDescriptor enumValue) {
                return EnumSpelling.of(enumValue).map(s -> s);
            }
            return Optional.of(value);
        }
        return Optional.empty();
    }

    /** The value as a field selector compares it: its text, or "" when absent. */
    public static String text(Message message, String path) {
        return value(message, path).map(String::valueOf).orElse("");
    }
}
