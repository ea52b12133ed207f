package io.dbprovision.provisioner.engine.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.provisioner.engine.Step;
import io.dbprovision.provisioner.engine.jdbc.ConnectionPools;
import io.dbprovision.provisioner.engine.jdbc.JdbcSession;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The native password hash against the real MariaDB: equal to PASSWORD(), and a user created with it logs in. */
class MySqlNativePasswordTest {
    private static final String URL = "jdbc:mysql://127.0.0.1:3306/";

    @AfterEach
    void drop() throws SQLException {
        try (Connection connection = DriverManager.getConnection(URL, "root", "")) {
            connection.createStatement().execute("DROP USER IF EXISTS 'dbpcore_native'@'%'");
        }
    }

    @Test
    void theHashIsMariaDbsPasswordFunction() throws SQLException {
        String password = "p\u00e4ss'w\\rd";
        try (Connection connection = DriverManager.getConnection(URL, "root", "");
                PreparedStatement statement = connection.prepareStatement("SELECT PASSWORD(?)")) {
            statement.setString(1, password);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                assertThat(MySqlNativePassword.hash(password)).isEqualTo(rows.getString(1));
            }
        }
        assertThat(MySqlNativePassword.hash("")).isEqualTo("*BE1BDEC0AA74B4DCB079943E70528096CCA985F8");
        assertThat(MySqlNativePassword.matches(MySqlNativePassword.hash("a"), "a"))
                .isTrue();
        assertThat(MySqlNativePassword.matches(MySqlNativePassword.hash("a"), "b"))
                .isFalse();
    }

    @Test
    void aUserCreatedWithTheHashLogsInWithThePassword() throws SQLException {
        String password = "dbpcore-'\\-" + System.nanoTime();
        try (ConnectionPools pools = new ConnectionPools()) {
            Instance instance = Instance.newBuilder()
                    .setEngine(EngineType.ENGINE_TYPE_MARIADB)
                    .setHost("127.0.0.1")
                    .setUsername("root")
                    .build();
            try (JdbcSession session = new JdbcSession(instance, false, pools)) {
                session.run(Step.withSecret(
                        "",
                        "create user dbpcore_native",
                        hash -> DSL.query(
                                "CREATE USER {0}@{1} IDENTIFIED BY PASSWORD {2}",
                                DSL.name("dbpcore_native"), DSL.inline("%"), DSL.inline(hash)),
                        MySqlNativePassword.hash(password)));
            }
        }
        try (Connection login = DriverManager.getConnection(URL, "dbpcore_native", password)) {
            assertThat(login.isValid(2)).isTrue();
        }
        assertThatThrownBy(() -> DriverManager.getConnection(URL, "dbpcore_native", password + "x"))
                .isInstanceOf(SQLException.class);
    }
}
