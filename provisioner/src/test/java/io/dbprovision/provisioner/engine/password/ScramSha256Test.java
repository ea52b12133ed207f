package io.dbprovision.provisioner.engine.password;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.sql.Statement;
import java.util.Base64;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client-side verifier against the real PostgreSQL: ours is stored as given, and PostgreSQL's own verifier for a
 * password (ASCII and not) is matched by our computation — the same algorithm and SASLprep.
 */
class ScramSha256Test {
    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
    private static ConnectionPools pools;

    @BeforeAll
    static void open() {
        pools = new ConnectionPools();
    }

    @AfterAll
    static void close() {
        pools.close();
    }

    @AfterEach
    void drop() throws SQLException {
        try (Connection connection = DriverManager.getConnection(URL, "postgres", "")) {
            connection.createStatement().execute("DROP ROLE IF EXISTS dbpcore_scram");
        }
    }

    @Test
    void theVerifierHasPostgresFormatAndMatchesOnlyItsPassword() {
        String verifier = ScramSha256.verifier("correct horse");
        assertThat(verifier).matches("SCRAM-SHA-256\\$4096:[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}");
        assertThat(Base64.getDecoder().decode(verifier.split("[:$]")[2])).hasSize(16);
        assertThat(ScramSha256.matches(verifier, "correct horse")).isTrue();
        assertThat(ScramSha256.matches(verifier, "correct horse ")).isFalse();
        assertThat(ScramSha256.matches("md5abc", "correct horse")).isFalse();
        assertThat(ScramSha256.matches(null, "correct horse")).isFalse();
        assertThat(ScramSha256.verifier("x")).isNotEqualTo(ScramSha256.verifier("x"));
    }

    @Test
    void saslPrepLeavesAsciiAloneAndNormalizesTheRest() {
        assertThat(ScramSha256.saslPrep("a b\tc")).isEqualTo("a b\tc");
        assertThat(ScramSha256.saslPrep("I\u00ADX")).isEqualTo("IX");
        assertThat(ScramSha256.saslPrep("\u2168")).isEqualTo("IX");
        assertThat(ScramSha256.saslPrep("a\u00A0b")).isEqualTo("a b");
        // A prohibited character: PostgreSQL then uses the password as it is.
        assertThat(ScramSha256.saslPrep("\u00e9\u0007")).isEqualTo("\u00e9\u0007");
    }

    @Test
    void aVerifierSetOnPostgresIsStoredAsGiven() throws SQLException {
        String password = "dbpcore-Pw-'\\-" + System.nanoTime();
        String verifier = ScramSha256.verifier(password);
        Instance instance = Instance.newBuilder()
                .setEngine(EngineType.ENGINE_TYPE_POSTGRES)
                .setHost("127.0.0.1")
                .setUsername("postgres")
                .build();
        try (JdbcSession session = new JdbcSession(instance, false, pools)) {
            session.run(Step.withSecret(
                    "",
                    "create user dbpcore_scram",
                    secret -> DSL.query(
                            "CREATE ROLE {0} LOGIN PASSWORD {1}", DSL.name("dbpcore_scram"), DSL.inline(secret)),
                    verifier));
            assertThat(session.result().getPlan(0).getSql())
                    .doesNotContain(verifier)
                    .contains("'<redacted>'");
        }
        String stored = rolpassword();
        assertThat(stored).isEqualTo(verifier);
        assertThat(ScramSha256.matches(stored, password)).isTrue();
        // The shared server trusts local connections, so this login only shows the role works; TlsPostgresTest
        // logs in with scram-sha-256 authentication.
        try (Connection login = DriverManager.getConnection(URL, "dbpcore_scram", password)) {
            assertThat(login.isValid(2)).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "plain-ascii",
                "p\u00e4ssw\u00f6rd",
                "I\u00ADX\u2168 \u00A0x",
                "\u05d0\u05d1\u05d2",
                "x\u0007\u00e9"
            })
    void postgresOwnVerifierIsMatchedByOurs(String password) throws SQLException {
        try (Connection connection = DriverManager.getConnection(URL, "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute("SET password_encryption = 'scram-sha-256'");
            statement.execute("CREATE ROLE dbpcore_scram");
            // The shared server's own hashing: the plain password travels here on purpose.
            try (PreparedStatement set =
                    connection.prepareStatement("SELECT format('ALTER ROLE dbpcore_scram PASSWORD %L', ?)")) {
                set.setString(1, password);
                try (ResultSet sql = set.executeQuery()) {
                    sql.next();
                    statement.execute(sql.getString(1));
                }
            }
        }
        String stored = rolpassword();
        assertThat(stored).startsWith("SCRAM-SHA-256$4096:");
        assertThat(ScramSha256.matches(stored, password)).isTrue();
        assertThat(ScramSha256.matches(stored, password + "x")).isFalse();
        String[] parts = stored.split("[:$]");
        assertThat(ScramSha256.verifier(password, Base64.getDecoder().decode(parts[2]), 4096))
                .isEqualTo(stored);
    }

    private static String rolpassword() throws SQLException {
        try (Connection connection = DriverManager.getConnection(URL, "postgres", "");
                ResultSet rows = connection
                        .createStatement()
                        .executeQuery("SELECT rolpassword FROM pg_authid WHERE rolname = 'dbpcore_scram'")) {
            rows.next();
            return rows.getString(1);
        }
    }
}
