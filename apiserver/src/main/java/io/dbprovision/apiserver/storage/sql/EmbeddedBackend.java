package io.dbprovision.apiserver.storage.sql;

import java.nio.file.Files;
import java.nio.file.Path;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * The default store: an H2 database file in the data directory. {@code WRITE_DELAY=0} writes every commit to the
 * file before it returns, so an acknowledged write survives {@code kill -9} (H2's default delays writes and loses
 * hundreds of commits per kill). With fsync on, {@code CHECKPOINT SYNC} after each group commit also survives a
 * power loss; one sync covers every write of the batch, which is what keeps throughput up.
 */
public final class EmbeddedBackend implements SqlBackend {
    private final Path file;
    private final JdbcConnectionPool pool;
    private final DSLContext dsl;
    private final boolean fsync;

    public EmbeddedBackend(Path directory, boolean fsync) {
        try {
            Files.createDirectories(directory);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create the data directory " + directory, e);
        }
        this.file = directory.toAbsolutePath().resolve("store");
        String url = "jdbc:h2:file:" + file + ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=10000";
        this.pool = JdbcConnectionPool.create(url, "dbprovision", "");
        this.pool.setMaxConnections(16);
        this.dsl = DSL.using(pool, SQLDialect.H2);
        this.fsync = fsync;
    }

    @Override
    public DSLContext dsl() {
        return dsl;
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public void syncAfterCommit() {
        if (fsync) {
            dsl.execute("CHECKPOINT SYNC");
        }
    }

    @Override
    public String describe() {
        return "embedded H2 at " + file + ".mv.db" + (fsync ? " (fsync on)" : " (fsync off)");
    }

    @Override
    public void close() {
        try {
            dsl.execute("SHUTDOWN");
        } catch (RuntimeException ignored) {
            // already closed
        }
        pool.dispose();
    }
}
