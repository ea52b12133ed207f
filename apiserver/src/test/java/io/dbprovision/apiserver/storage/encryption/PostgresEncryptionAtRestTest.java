package io.dbprovision.apiserver.storage.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dbprovision.apiserver.storage.Attributes;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageException;
import io.dbprovision.apiserver.storage.sql.PostgresBackend;
import io.dbprovision.apiserver.storage.sql.SqlBackend;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Encryption at rest on PostgreSQL (the machine's server at 127.0.0.1:5432, or {@code -Ddbprovision.test.postgres}):
 * the rows read over JDBC hold ciphertext. A database {@code dbpatrest_*} per test, dropped afterwards.
 */
class PostgresEncryptionAtRestTest extends EncryptionAtRestContract {
    private static final String SERVER = System.getProperty("dbprovision.test.postgres", "//127.0.0.1:5432/");
    private static final String USER = "postgres";

    private String database;

    @BeforeEach
    void createDatabase() {
        database = "dbpatrest_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        admin("CREATE DATABASE " + database);
    }

    @Override
    protected SqlBackend backend() {
        return new PostgresBackend("jdbc:postgresql:" + SERVER + database, USER, "");
    }

    @Override
    protected void dropDatabase() {
        admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    /**
     * Replicas share the log: what one writes under its first key, another reads if its configuration lists that key.
     * One that lacks it cannot follow the store and reports itself not ready, instead of serving what it has.
     */
    @Test
    void aReplicaWithoutTheOtherReplicasKeyStopsServingInsteadOfFallingBehindSilently() throws Exception {
        CachingStorage rotated = open(keys.aesgcmThenIdentity("key2", "key1"));
        CachingStorage knowsBoth = open(keys.aesgcmThenIdentity("key1", "key2"));
        CachingStorage knowsKey1 = open(keys.aesgcmThenIdentity("key1"));

        rotated.create(secret("team-a", "s"), bytes("written under key2"), Attributes.EMPTY);

        assertThat(text(knowsBoth.get(secret("team-a", "s")).orElseThrow())).isEqualTo("written under key2");
        // Read at once the value is refused by name; read after the replica's watch met the change it has already
        // stopped serving (Unavailable). Both are right; which one the test sees is a race.
        Throwable refused = catchThrowable(() -> knowsKey1.get(secret("team-a", "s")));
        assertThat(refused).isInstanceOfAny(StorageException.Unreadable.class, StorageException.Unavailable.class);
        if (refused instanceof StorageException.Unreadable) {
            assertThat(refused).hasMessageContaining("stored under aesgcm key key2");
        }
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (knowsKey1.isHealthy() && Instant.now().isBefore(deadline)) {
            Thread.sleep(10);
        }
        assertThat(knowsKey1.isHealthy()).isFalse();
        assertThatThrownBy(() -> knowsKey1.get(secret("team-a", "s"))).isInstanceOf(StorageException.Unavailable.class);
        assertThat(rotated.isHealthy()).isTrue();
    }

    private static void admin(String sql) {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql:" + SERVER + "postgres", USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "PostgreSQL at " + SERVER + " is needed for this test (" + e.getMessage() + ")", e);
        }
    }
}
