package io.dbprovision.provisioner.engine.cockroach;

import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.sql;

import io.dbprovision.provisioner.engine.postgres.DatabaseOptions;
import io.dbprovision.provisioner.engine.postgres.PostgresStatements;
import io.dbprovision.provisioner.engine.postgres.RoleOptions;
import java.util.ArrayList;
import java.util.List;
import org.jooq.Query;
import org.jooq.QueryPart;
import org.jooq.impl.DSL;

/**
 * CockroachDB's statement shapes where they differ from PostgreSQL's (§5.2): CREATE DATABASE takes only owner,
 * encoding and connection limit; DROP DATABASE cascades (CockroachDB ends sessions itself); roles have no SUPERUSER,
 * INHERIT, REPLICATION or BYPASSRLS. Everything else, grants included, is PostgreSQL's.
 */
public class CockroachStatements extends PostgresStatements {

    @Override
    public Query createDatabase(String database, DatabaseOptions options) {
        List<QueryPart> clauses = new ArrayList<>();
        if (!options.owner().isEmpty()) {
            clauses.add(sql("OWNER = {0}", name(options.owner())));
        }
        if (!options.encoding().isEmpty()) {
            clauses.add(sql("ENCODING = {0}", inline(options.encoding())));
        }
        if (options.connectionLimit() != null) {
            clauses.add(sql("CONNECTION LIMIT = {0}", inline(options.connectionLimit())));
        }
        if (clauses.isEmpty()) {
            return DSL.createDatabase(name(database));
        }
        return DSL.query("CREATE DATABASE {0} WITH {1}", name(database), spaced(clauses));
    }

    @Override
    public Query dropDatabase(String database) {
        return DSL.query("DROP DATABASE IF EXISTS {0} CASCADE", name(database));
    }

    @Override
    protected List<QueryPart> roleClauses(RoleOptions o) {
        List<QueryPart> clauses = new ArrayList<>();
        flag(clauses, o.login(), "LOGIN", "NOLOGIN");
        flag(clauses, o.createDb(), "CREATEDB", "NOCREATEDB");
        flag(clauses, o.createRole(), "CREATEROLE", "NOCREATEROLE");
        limitAndValidity(clauses, o);
        return clauses;
    }

    /** The readback of a grantee's database privileges (CockroachDB has no aclexplode over datacl). */
    public Query showDatabaseGrants(String database, String grantee) {
        return DSL.query("SHOW GRANTS ON DATABASE {0} FOR {1}", name(database), name(grantee));
    }

    public Query showSchemaGrants(String schema, String grantee) {
        return DSL.query("SHOW GRANTS ON SCHEMA {0} FOR {1}", name(schema), name(grantee));
    }
}
