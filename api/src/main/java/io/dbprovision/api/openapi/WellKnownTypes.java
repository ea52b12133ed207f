package io.dbprovision.api.openapi;

import com.google.protobuf.Descriptors.Descriptor;
import java.util.Map;
import java.util.Optional;

/**
 * The google.protobuf messages the schema uses, written inline as the codec writes them in JSON: a Timestamp is an
 * RFC 3339 string, a Struct or Value is free-form JSON.
 */
final class WellKnownTypes {
    private static final String PACKAGE = "google.protobuf";

    private WellKnownTypes() {}

    static boolean isWellKnown(Descriptor message) {
        return message.getFile().getPackage().equals(PACKAGE);
    }

    static Optional<Map<String, Object>> schema(Descriptor message) {
        if (!isWellKnown(message)) {
            return Optional.empty();
        }
        return Optional.of(
                switch (message.getName()) {
                    case "Timestamp" -> Map.of("type", "string", "format", "date-time");
                    case "Struct" -> Map.of("type", "object", "x-kubernetes-preserve-unknown-fields", true);
                    case "Value" -> Map.of("x-kubernetes-preserve-unknown-fields", true);
                    default ->
                        throw new IllegalStateException(message.getFullName() + " has no OpenAPI mapping; add one");
                });
    }
}
