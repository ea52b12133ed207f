package io.dbprovision.apiserver.reconcile;

import io.dbprovision.proto.v1alpha1.EngineType;

/** Which spec block an engine reads: PostgreSQL and CockroachDB read {@code postgres}, MySQL and MariaDB {@code mysql}. */
public final class Engines {
    private Engines() {}

    public static boolean postgresFamily(EngineType engine) {
        return engine == EngineType.ENGINE_TYPE_POSTGRES || engine == EngineType.ENGINE_TYPE_COCKROACHDB;
    }

    public static boolean mysqlFamily(EngineType engine) {
        return engine == EngineType.ENGINE_TYPE_MYSQL || engine == EngineType.ENGINE_TYPE_MARIADB;
    }
}
