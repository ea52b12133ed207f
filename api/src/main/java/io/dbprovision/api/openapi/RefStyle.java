package io.dbprovision.api.openapi;

import java.util.Map;

/** Where each OpenAPI version keeps named schemas, and so how a reference to one is spelled. */
enum RefStyle {
    V2("#/definitions/"),
    V3("#/components/schemas/");

    private final String prefix;

    RefStyle(String prefix) {
        this.prefix = prefix;
    }

    Map<String, Object> ref(String schemaName) {
        return Map.of("$ref", prefix + schemaName);
    }

    /** The schema name a reference points at, or null if it is not one of ours. */
    String target(String ref) {
        return ref.startsWith(prefix) ? ref.substring(prefix.length()) : null;
    }
}
