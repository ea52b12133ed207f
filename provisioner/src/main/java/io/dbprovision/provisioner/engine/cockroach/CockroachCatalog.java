package io.dbprovision.provisioner.engine.cockroach;

import io.dbprovision.provisioner.engine.postgres.PostgresCatalog;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * CockroachDB's catalog reads where PostgreSQL's do not work there: database and schema privileges come from SHOW
 * GRANTS (its columns: database_name, [schema_name,] grantee, privilege_type, is_grantable). Not run here (no
 * CockroachDB on this machine); the statements are golden-file tested.
 */
public class CockroachCatalog extends PostgresCatalog {
    private final CockroachStatements statements;

    public CockroachCatalog(CockroachStatements statements) {
        this.statements = statements;
    }

    /** The three reads one by one: the single query's correlated ARRAY subquery is not tried on CockroachDB here. */
    @Override
    public Optional<RoleState> roleState(DSLContext dsl, String name) {
        return role(dsl, name).map(row -> new RoleState(row, memberOf(dsl, name), settings(dsl, name)));
    }

    @Override
    public Acl databasePrivileges(DSLContext dsl, String database, String grantee) {
        return Acl.granted(dsl.resultQuery(
                        statements.showDatabaseGrants(database, grantee).getSQL(org.jooq.conf.ParamType.INLINED))
                .fetch()
                .map(r -> new Held(r.get("privilege_type", String.class), r.get("is_grantable", Boolean.class))));
    }

    @Override
    public Acl schemaPrivileges(DSLContext dsl, String schema, String grantee) {
        return Acl.granted(dsl.resultQuery(
                        statements.showSchemaGrants(schema, grantee).getSQL(org.jooq.conf.ParamType.INLINED))
                .fetch()
                .map(r -> new Held(r.get("privilege_type", String.class), r.get("is_grantable", Boolean.class))));
    }
}
