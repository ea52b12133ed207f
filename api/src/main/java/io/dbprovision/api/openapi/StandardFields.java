package io.dbprovision.api.openapi;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.dbprovision.api.schema.Kind;
import java.util.Map;
import java.util.Optional;

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

    /** meta/v1 fields whose proto comment is missing, by proto field name. */
    private static final Map<String, String> META_FALLBACKS = Map.of(
            "dbops.v1alpha1.StatusDetails.name",
            "Name of the object the status is about, when there is a single one.",
            "dbops.v1alpha1.StatusDetails.group",
            "API group of the object the status is about.",
            "dbops.v1alpha1.StatusDetails.kind",
            "Kind of the object the status is about; may differ from the kind requested.",
            "dbops.v1alpha1.StatusDetails.uid",
            "UID of the object the status is about, when there is a single one.");

    private StandardFields() {}

    /** A description for a meta/v1 field the proto leaves uncommented. */
    static Optional<String> fallback(FieldDescriptor field) {
        return Optional.ofNullable(META_FALLBACKS.get(field.getFullName()));
    }

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
