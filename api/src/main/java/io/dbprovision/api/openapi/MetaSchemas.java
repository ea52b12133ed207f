package io.dbprovision.api.openapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The meta/v1 request and stream types that are not messages of the schema: the body of DELETE, the events of a
 * watch and the body of PATCH. Minimal, but named and shaped as Kubernetes publishes them.
 */
final class MetaSchemas {
    private MetaSchemas() {}

    static Map<String, Map<String, Object>> all(RefStyle refs) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        out.put(SchemaNames.DELETE_OPTIONS, deleteOptions(refs));
        out.put(SchemaNames.PRECONDITIONS, preconditions());
        out.put(SchemaNames.WATCH_EVENT, watchEvent());
        out.put(SchemaNames.PATCH, patch());
        return out;
    }

    private static Map<String, Object> deleteOptions(RefStyle refs) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("apiVersion", string(StandardFields.API_VERSION));
        properties.put("kind", string(StandardFields.KIND));
        properties.put(
                "dryRun",
                Map.of(
                        "type",
                        "array",
                        "items",
                        Map.of("type", "string"),
                        "description",
                        "When present, the deletion is checked but not carried out. The only valid value is All."));
        properties.put(
                "gracePeriodSeconds",
                Map.of(
                        "type",
                        "integer",
                        "format",
                        "int64",
                        "description",
                        "Seconds to wait before the object is deleted. Objects of this API have no graceful "
                                + "termination, so the value has no effect."));
        properties.put(
                "orphanDependents",
                Map.of(
                        "type",
                        "boolean",
                        "description",
                        "Deprecated: use propagationPolicy. true orphans the dependents (Orphan), false deletes "
                                + "them in the background (Background)."));
        properties.put(
                "preconditions",
                Map.of(
                        "allOf",
                        List.of(refs.ref(SchemaNames.PRECONDITIONS)),
                        "description",
                        "Conditions the object must still meet to be deleted; otherwise the request fails with "
                                + "409 Conflict."));
        properties.put(
                "propagationPolicy",
                Map.of(
                        "type",
                        "string",
                        "enum",
                        List.of("Orphan", "Background", "Foreground"),
                        "description",
                        "Whether and how dependents are garbage collected: Orphan leaves them, Background deletes "
                                + "them after the object, Foreground before it."));
        return object("Options of a delete request.", properties);
    }

    private static Map<String, Object> preconditions() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("resourceVersion", string("The object's resourceVersion must still be this one."));
        properties.put("uid", string("The object's uid must still be this one."));
        return object("Conditions an object must meet for an operation to proceed.", properties);
    }

    private static Map<String, Object> watchEvent() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(
                "type",
                Map.of(
                        "type",
                        "string",
                        "enum",
                        List.of("ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"),
                        "description",
                        "What happened: ADDED, MODIFIED or DELETED an object; BOOKMARK marks a resourceVersion "
                                + "reached; ERROR carries a Status."));
        properties.put(
                "object",
                Map.of(
                        "type",
                        "object",
                        "x-kubernetes-preserve-unknown-fields",
                        true,
                        "description",
                        "The object after the change (for DELETED, its last state); for BOOKMARK an object with "
                                + "only kind, apiVersion and metadata.resourceVersion; for ERROR a Status."));
        Map<String, Object> schema = object("One event of a watch stream.", properties);
        schema.put("required", List.of("type", "object"));
        return schema;
    }

    private static Map<String, Object> patch() {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put(
                "description",
                "The body of a PATCH request, read according to its Content-Type: a JSON patch "
                        + "(application/json-patch+json), a JSON merge patch (application/merge-patch+json) or a "
                        + "server-side apply configuration (application/apply-patch+yaml).");
        return schema;
    }

    private static Map<String, Object> object(String description, Map<String, Object> properties) {
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("description", description);
        schema.put("properties", properties);
        return schema;
    }

    private static Map<String, Object> string(String description) {
        return Map.of("type", "string", "description", description);
    }
}
