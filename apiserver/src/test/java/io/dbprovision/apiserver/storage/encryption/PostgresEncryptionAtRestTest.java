package io.dbprovision.apiserver.storage.encryption;

import io.dbprovision.apiserver.storage.sql.PostgresBackend;
import io.dbprovision.apiserver.storage.sql.SqlBackend;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;

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
