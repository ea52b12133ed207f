package io.dbprovision.provisioner.engine.postgres;

import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.provisioner.engine.EngineSession;
import io.dbprovision.provisioner.engine.jdbc.ConnectionPools;
import io.dbprovision.provisioner.engine.jdbc.JdbcSession;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The real PostgreSQL on 127.0.0.1:5432 for engine tests: sessions through the product's JdbcSession, and plain JDBC
 * for the test's own setup, checks and logins as the users the engine created.
 */
final class PostgresFixture implements AutoCloseable {
    static final Instance INSTANCE = Instance.newBuilder()
            .setEngine(EngineType.ENGINE_TYPE_POSTGRES)
            .setHost("127.0.0.1")
            .setPort(5432)
            .setUsername("postgres")
            .build();

    final PostgresEngine engine = new PostgresEngine();
    private final ConnectionPools pools = new ConnectionPools();

    /** The session handed out last; it holds its connection until the next one is asked for (or the fixture closes). */
    private JdbcSession last;

    /** A fresh session for one engine call; the one before it is closed, as each call's session is in the service. */
    JdbcSession session(boolean validateOnly) {
        closeLast();
        last = new JdbcSession(INSTANCE, validateOnly, pools);
        return last;
    }

    /** Runs an engine call on a fresh session and returns what it changed. */
    ChangeResponse change(boolean validateOnly, Consumer<EngineSession> call) {
        try (JdbcSession session = session(validateOnly)) {
            call.accept(session);
            return session.result();
        }
    }

    private void closeLast() {
        if (last != null) {
            last.close();
            last = null;
        }
    }

    static Connection connect(String database, String user) throws SQLException {
        // The database as a property, not in the URL: hostile names need no URL escaping.
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("PGDBNAME", database);
        properties.setProperty("user", user);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/", properties);
    }

    static void admin(String database, String... statements) {
        try (Connection c = connect(database, "postgres");
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code name} as a quoted SQL identifier, for test clean-up statements (PostgreSQL's quoting rule). */
    static String quoted(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    static List<String> column(String database, String sql, Object... binds) {
        try (Connection c = connect(database, "postgres");
                var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < binds.length; i++) {
                ps.setObject(i + 1, binds[i]);
            }
            List<String> values = new ArrayList<>();
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SQLSTATE of running the statement as the user in the database; null when it succeeds. */
    static String runAs(String database, String user, String sql) {
        try (Connection c = connect(database, user);
                Statement s = c.createStatement()) {
            s.execute(sql);
            return null;
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    @Override
    public void close() {
        closeLast();
        pools.close();
    }
}
