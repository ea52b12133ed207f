package io.dbprovision.provisioner.engine.cockroach;

import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.provisioner.engine.postgres.PostgresEngine;
import io.dbprovision.provisioner.engine.postgres.PostgresFlavor;

/**
 * The CockroachDB engine: the PostgreSQL engine's logic with CockroachDB's flavor (its statements and grant readback,
 * no extensions, no session termination before a drop, no SUPERUSER/INHERIT/REPLICATION/BYPASSRLS).
 */
public final class CockroachEngine extends PostgresEngine {
    public CockroachEngine() {
        super(cockroachFlavor());
    }

    public static PostgresFlavor cockroachFlavor() {
        CockroachStatements statements = new CockroachStatements();
        return new PostgresFlavor(
                EngineType.ENGINE_TYPE_COCKROACHDB,
                statements,
                new CockroachCatalog(statements),
                false,
                false,
                false,
                "defaultdb");
    }
}
