package io.dbprovision.provisioner.engine;

import java.util.Objects;
import java.util.function.Function;
import org.jooq.Query;

/**
 * One statement of a plan: the jOOQ query to execute, the same query with every secret replaced by
 * {@value #REDACTED} (what plans, logs and golden files show), the database it runs in and why.
 *
 * @param database empty for the admin database
 */
public record Step(String purpose, String database, Query query, Query redacted) {
    public static final String REDACTED = "<redacted>";

    public Step {
        Objects.requireNonNull(purpose);
        Objects.requireNonNull(database);
        Objects.requireNonNull(query);
        Objects.requireNonNull(redacted);
    }

    /** A statement without secrets, in the admin database. */
    public static Step of(String purpose, Query query) {
        return new Step(purpose, EngineSession.ADMIN_DATABASE, query, query);
    }

    /** A statement without secrets, in the given database. */
    public static Step in(String database, String purpose, Query query) {
        return new Step(purpose, database, query, query);
    }

    /**
     * A statement that carries a secret: built twice by the same function, once with the secret and once with
     * {@value #REDACTED}, so the plan shows exactly the executed shape.
     */
    public static Step withSecret(String database, String purpose, Function<String, Query> build, String secret) {
        return new Step(purpose, database, build.apply(secret), build.apply(REDACTED));
    }

    public boolean sensitive() {
        return query != redacted;
    }
}
