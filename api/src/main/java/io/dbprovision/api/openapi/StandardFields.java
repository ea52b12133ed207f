package io.dbprovision.api.openapi;

import io.dbprovision.api.schema.Kind;
import java.util.Map;

/**
 * Descriptions of the type and list fields every Kubernetes object has, in the words Kubernetes uses for them, so
 * that {@code kubectl explain} reads the same as for built-in kinds whatever the proto comment says.
 */
final class StandardFields {
    private static final String CONVENTIONS =
            "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md";

    static final String API_VERSION = "APIVersion defines the versioned schema of this representation of an object. "
            + "Servers should convert recognized schemas to the latest internal value, and may reject unrecognized "
            + "values. More info: " + CONVENTIONS + "#resources";
    static final String KIND = "Kind is a string value representing the REST resource this object represents. "
            + "Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In "
            + "CamelCase. More info: " + CONVENTIONS + "#types-kinds";
    static final String OBJECT_METADATA = "Standard object's metadata. More info: " + CONVENTIONS + "#metadata";
    static final String LIST_METADATA = "Standard list metadata. More info: " + CONVENTIONS + "#types-kinds";

    private StandardFields() {}

    /** Descriptions of an object's type and metadata fields, by JSON name. */
    static Map<String, String> object() {
        return Map.of("apiVersion", API_VERSION, "kind", KIND, "metadata", OBJECT_METADATA);
    }

    /** Descriptions of a list's type, metadata and items fields, by JSON name. */
    static Map<String, String> list(Kind kind) {
        return Map.of(
                "apiVersion",
                API_VERSION,
                "kind",
                KIND,
                "metadata",
                LIST_METADATA,
                "items",
                "List of " + kind.plural() + ". Each item is a " + kind.kind() + ".");
    }
}
