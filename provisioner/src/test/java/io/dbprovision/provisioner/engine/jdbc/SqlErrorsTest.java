package io.dbprovision.provisioner.engine.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.provisioner.engine.EngineException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which driver failures of a statement mean "the instance is unavailable" and which the engine's refusal of the
 * statement: class 28 is a refused login only while a connection is being made; once the session is logged in it
 * is a refusal that names an account (MariaDB's 1133 for a GRANT to a missing user).
 */
class SqlErrorsTest {
    private static final ConnectionSettings SETTINGS = ConnectionSettings.of(
            Instance.newBuilder()
                    .setEngine(EngineType.ENGINE_TYPE_MARIADB)
                    .setHost("db.example")
                    .setPort(3306)
                    .setUsername("root")
                    .setPassword("dbpcore-admin-pw")
                    .build(),
            "");

    @ParameterizedTest(name = "SQLSTATE {0} / code {1} on a logged-in session -> refused: {2}")
    @CsvSource({
        "28000, 1133, true",
        "28000, 0, true",
        "28P01, 0, true",
        "42000, 1064, true",
        "08006, 0, false",
        "08S01, 0, false",
    })
    void aStatementFailureIsARefusalUnlessTheConnectionWasLost(String state, int code, boolean refused) {
        EngineException mapped = SqlErrors.statement(
                SETTINGS,
                "grant to app",
                false,
                new DataAccessException(
                        "jOOQ's text with the statement", new SQLException("driver says no", state, code)));

        if (refused) {
            assertThat(mapped).isInstanceOfSatisfying(EngineException.EngineRefused.class, e -> {
                assertThat(e.sqlState()).isEqualTo(state);
                assertThat(e.vendorCode()).isEqualTo(code);
                assertThat(e.object()).isEqualTo("grant to app");
                assertThat(e.getMessage()).isEqualTo("grant to app: driver says no");
            });
        } else {
            assertThat(mapped).isInstanceOf(EngineException.InstanceUnavailable.class);
        }
    }

    @Test
    void aLostConnectionWithoutASqlStateIsUnavailable() {
        EngineException mapped = SqlErrors.statement(
                SETTINGS,
                "grant to app",
                false,
                new DataAccessException("x", new SQLNonTransientConnectionException("connection reset")));

        assertThat(mapped).isInstanceOf(EngineException.InstanceUnavailable.class);
    }

    @ParameterizedTest(name = "a refused login ({0}) while connecting is admin login refused")
    @CsvSource({"28000", "28P01"})
    void aRefusedLoginWhileConnectingIsUnavailable(String state) {
        EngineException.InstanceUnavailable mapped =
                SqlErrors.unavailable(SETTINGS, new SQLException("Access denied for user 'root'", state, 1045));

        assertThat(mapped.getMessage()).contains("admin login refused");
    }
}
