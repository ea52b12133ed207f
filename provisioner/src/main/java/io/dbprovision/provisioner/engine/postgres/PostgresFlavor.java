package io.dbprovision.provisioner.engine.postgres;

import io.dbprovision.proto.v1alpha1.EngineType;

/**
 * What differs between PostgreSQL and the engines that speak its dialect (CockroachDB): the statements, the catalog
 * reads and a few capabilities. {@link PostgresEngine} holds all the logic and asks its flavor; adding such an
 * engine is a flavor, not a copy.
 *
 * @param extensions the engine has CREATE EXTENSION
 * @param terminatesSessions a database drop ends the database's sessions first (CockroachDB drops with CASCADE)
 * @param fullRoleAttributes SUPERUSER, INHERIT, REPLICATION and BYPASSRLS exist (CockroachDB has none of them)
 * @param adminDatabase the database admin connections use when the instance names none
 */
public record PostgresFlavor(
        EngineType engine,
        PostgresStatements statements,
        PostgresCatalog catalog,
        boolean extensions,
        boolean terminatesSessions,
        boolean fullRoleAttributes,
        String adminDatabase) {

    public static PostgresFlavor postgres() {
        return new PostgresFlavor(
                EngineType.ENGINE_TYPE_POSTGRES,
                new PostgresStatements(),
                new PostgresCatalog(),
                true,
                true,
                true,
                "postgres");
    }
}
