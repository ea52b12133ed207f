package io.dbprovision.apiserver.storage.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * PostgreSQL shared by several API server replicas. Timeouts are short on purpose: when PostgreSQL is down, every
 * operation must fail within a second (503) rather than hang.
 */
public final class PostgresBackend implements SqlBackend {
    private final HikariDataSource pool;
    private final DSLContext dsl;
    private final String description;

    /**
     * @param jdbcUrl such as {@code jdbc:postgresql://db:5432/dbprovision}
     */
    public PostgresBackend(String jdbcUrl, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName("dbprovision-store");
        config.setMaximumPoolSize(12);
        config.setMinimumIdle(2);
        // Hikari waits this long for a connection before giving up: with PostgreSQL down, that is how long an
        // operation takes to fail, and it must stay well under the one second the API promises.
        config.setConnectionTimeout(500);
        config.setValidationTimeout(250); // Hikari's minimum: a dead pooled connection must not add much
        config.setInitializationFailTimeout(-1); // start even if PostgreSQL is down; report Unavailable until it is up
        config.addDataSourceProperty("connectTimeout", "1");
        config.addDataSourceProperty("socketTimeout", "10");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("ApplicationName", "dbprovision-apiserver");
        this.pool = new HikariDataSource(config);
        this.dsl = DSL.using(pool, SQLDialect.POSTGRES);
        this.description = "PostgreSQL at " + jdbcUrl.replaceAll("password=[^&]*", "password=***");
    }

    @Override
    public DSLContext dsl() {
        return dsl;
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public void syncAfterCommit() {
        // PostgreSQL's commit is durable itself (synchronous_commit).
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        pool.close();
    }
}
