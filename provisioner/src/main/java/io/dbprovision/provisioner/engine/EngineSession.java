package io.dbprovision.provisioner.engine;

import io.dbprovision.proto.engine.v1alpha1.Instance;
import java.util.function.Function;
import org.jooq.DSLContext;

/**
 * What an {@link Engine} works with during one call: the instance, reads in any of its databases, and a statement
 * sink that executes or, with validate_only, records. The session owns connections (pooled per instance, database and
 * credential), the caller's deadline (a running statement is cancelled on the engine when it passes) and the plan
 * that becomes the call's {@code ChangeResponse}.
 */
public interface EngineSession {
    /** Empty database name: the instance's admin database. */
    String ADMIN_DATABASE = "";

    Instance instance();

    /** True when nothing may change: {@link #run} only records. Reads still happen. */
    boolean validateOnly();

    /**
     * Reads in a database through jOOQ on one connection. Also used for statements that must share a connection
     * (SET ROLE before init SQL) — see {@link #runOnOneConnection}.
     */
    <T> T read(String database, Function<DSLContext, T> query);

    /** Executes the step in its database (or records it under validate_only) and adds it to the plan. */
    void run(Step step);

    /**
     * Runs several steps on one connection of a database, in order (for session state such as SET ROLE), adding
     * each to the plan; returns how many succeeded before the first failure, whose exception is rethrown unless
     * {@code stopQuietly}.
     */
    int runOnOneConnection(String database, java.util.List<Step> steps, boolean stopQuietly);

    /** A decision worth telling the caller (ChangeResponse.notes). */
    void note(String note);

    /**
     * The failure of the last statement that failed in this session, also when {@link #runOnOneConnection} stopped
     * quietly: its SQLSTATE and message (without statement text) for RunInitSqlResponse.error.
     */
    default java.util.Optional<EngineException> lastFailure() {
        return java.util.Optional.empty();
    }
}
