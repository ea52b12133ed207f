package io.dbprovision.api.openapi;

/** A path or query parameter of an operation, rendered by each OpenAPI version in its own style. */
record Parameter(String name, In in, Type type, boolean required, String description) {
    enum In {
        PATH,
        QUERY;

        String openApiName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    enum Type {
        STRING,
        BOOLEAN,
        INTEGER;

        String openApiName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static Parameter query(String name, Type type, String description) {
        return new Parameter(name, In.QUERY, type, false, description);
    }

    static Parameter path(String name, String description) {
        return new Parameter(name, In.PATH, Type.STRING, true, description);
    }
}
