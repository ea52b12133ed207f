package io.dbprovision.provisioner.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.provisioner.engine.EngineSession;
import io.dbprovision.provisioner.engine.jdbc.ConnectionPools;
import io.dbprovision.provisioner.engine.jdbc.JdbcSession;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/** The shared MariaDB (127.0.0.1:3306, root) for the engine's integration tests: calls through JdbcSession, logins. */
final class MariaDbFixture implements AutoCloseable {
    static final String URL = "jdbc:mysql://127.0.0.1:3306/";
    final MySqlEngine engine = new MySqlEngine();
    final ConnectionPools pools = new ConnectionPools();
    final Instance instance = Instance.newBuilder()
            .setEngine(EngineType.ENGINE_TYPE_MARIADB)
            .setHost("127.0.0.1")
            .setPort(3306)
            .setUsername("root")
            .build();

    /** One "make it so" call; its ChangeResponse. */
    ChangeResponse change(boolean validateOnly, Consumer<EngineSession> call) {
        try (JdbcSession session = new JdbcSession(instance, validateOnly, pools)) {
            call.accept(session);
            return session.result();
        }
    }

    /** Runs the call twice: the first must change something, the second nothing. */
    ChangeResponse twice(Consumer<EngineSession> call) {
        ChangeResponse first = change(false, call);
        assertThat(first.getChanged()).as("first call changes").isTrue();
        ChangeResponse second = change(false, call);
        assertThat(second.getChanged())
                .as("second call changes nothing: %s", second.getPlanList())
                .isFalse();
        assertThat(second.getPlanList()).isEmpty();
        return first;
    }

    <T> T observe(Function<EngineSession, T> call) {
        try (JdbcSession session = new JdbcSession(instance, false, pools)) {
            return call.apply(session);
        }
    }

    static void root(String... statements) {
        try (Connection c = DriverManager.getConnection(URL, "root", "");
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> rootList(String sql) {
        try (Connection c = DriverManager.getConnection(URL, "root", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                rows.add(row.toString());
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Logs in as the user (host 127.0.0.1 matches its '%' account) and runs the statement. */
    static void as(String user, String password, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, user, password);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static void allowed(String user, String password, String sql) {
        try {
            as(user, password, sql);
        } catch (SQLException e) {
            throw new AssertionError(user + " may run " + sql + " but got " + e.getErrorCode() + " " + e.getMessage());
        }
    }

    static void denied(String user, String password, String sql, Integer... codes) {
        assertThatThrownBy(() -> as(user, password, sql))
                .as("%s must not run %s", user, sql)
                .isInstanceOfSatisfying(
                        SQLException.class, e -> assertThat(e.getErrorCode()).isIn((Object[]) codes));
    }

    @Override
    public void close() {
        pools.close();
    }
}
