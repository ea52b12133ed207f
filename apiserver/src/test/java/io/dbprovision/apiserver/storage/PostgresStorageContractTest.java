package io.dbprovision.apiserver.storage;

import io.dbprovision.apiserver.storage.sql.PostgresBackend;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The storage contract on PostgreSQL (the machine's server at 127.0.0.1:5432, or {@code -Ddbprovision.test.postgres}),
 * a fresh database per test, dropped afterwards.
 *
 * <p>The databases sort text like {@code en_US.UTF-8}, which ignores punctuation and is the usual default of
 * PostgreSQL servers, rather than like the test server's {@code C.UTF-8}: the store must not depend on the
 * server's collation for the order of its lists and continue tokens.
 */
class PostgresStorageContractTest extends StorageContractTest {
    private static final String SERVER = System.getProperty("dbprovision.test.postgres", "//127.0.0.1:5432/");
    private static final String USER = "postgres";

    private final List<String> databases = new ArrayList<>();

    @Override
    protected CachingStorage openFresh(StorageSettings settings) {
        String name =
                "dbp_contract_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        admin("CREATE DATABASE " + name + " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US-u-ka-shifted'");
        databases.add(name);
        return open(name, settings);
    }

    @Override
    protected CachingStorage reopenLast(StorageSettings settings) {
        return open(databases.getLast(), settings);
    }

    @Override
    protected void afterStoresClosed() {
        for (String name : databases) {
            admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
        databases.clear();
    }

    private static CachingStorage open(String database, StorageSettings settings) {
        return CachingStorage.open(new PostgresBackend("jdbc:postgresql:" + SERVER + database, USER, ""), settings);
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
