package io.dbprovision.api.openapi;

import java.util.List;

/** Content types the operations read and write. */
public final class MediaTypes {
    public static final String JSON = "application/json";
    public static final String YAML = "application/yaml";
    public static final String JSON_WATCH = "application/json;stream=watch";
    public static final String JSON_PATCH = "application/json-patch+json";
    public static final String MERGE_PATCH = "application/merge-patch+json";
    public static final String APPLY_PATCH = "application/apply-patch+yaml";

    /** Request and response bodies that are whole objects. */
    public static final List<String> OBJECTS = List.of(JSON, YAML);

    /**
     * The patch types served. Strategic merge patch is deliberately absent: advertising it would make kubectl 1.29+
     * compute strategic patches for apply, which this server does not implement.
     */
    public static final List<String> PATCHES = List.of(JSON_PATCH, MERGE_PATCH, APPLY_PATCH);

    private MediaTypes() {}
}
