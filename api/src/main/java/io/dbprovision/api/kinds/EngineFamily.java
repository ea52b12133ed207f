package io.dbprovision.api.kinds;

import io.dbprovision.proto.v1alpha1.EngineType;

/** Which engine-specific spec block an engine reads: CockroachDB reads {@code postgres}, MariaDB reads {@code mysql}. */
public final class EngineFamily {
    private EngineFamily() {}

    public static String of(EngineType engine) {
        return switch (engine) {
            case ENGINE_TYPE_POSTGRES, ENGINE_TYPE_COCKROACHDB -> "postgres";
            case ENGINE_TYPE_MYSQL, ENGINE_TYPE_MARIADB -> "mysql";
            case ENGINE_TYPE_CLICKHOUSE -> "clickhouse";
            default -> "";
        };
    }
}
