package io.dbprovision.apiserver.storage.sql;

import org.jooq.DSLContext;

/** A database the log lives in: the embedded H2 file or a PostgreSQL shared by several replicas. */
public interface SqlBackend extends AutoCloseable {

    DSLContext dsl();

    /** True if other processes may write to the same log (then the cache polls it for their writes). */
    boolean shared();

    /** Makes the last commit durable against power loss, where the database does not do it itself. */
    void syncAfterCommit();

    /** For logs: where the data is, without credentials. */
    String describe();

    @Override
    void close();
}
