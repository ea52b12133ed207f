package io.dbprovision.apiserver.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.storage.sql.PostgresBackend;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

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
        return open(createDatabase(), settings);
    }

    /** Replicas start together: each creates the schema if it is missing, and none may fail for the others. */
    @Test
    void replicasStartingTogetherOnAnEmptyDatabaseAllOpenIt() throws Exception {
        for (int round = 0; round < 3; round++) {
            String database = createDatabase();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<CachingStorage>> starting = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < 4; i++) {
                starting.add(pool.submit(() -> {
                    go.await();
                    return open(database, settings());
                }));
            }
            go.countDown();
            try {
                List<CachingStorage> replicas = new ArrayList<>();
                for (Future<CachingStorage> replica : starting) {
                    replicas.add(replica.get(30, TimeUnit.SECONDS));
                }
                replicas.getFirst().create(db("team-a", "a"), bytes("a"), Attributes.EMPTY);
                for (CachingStorage replica : replicas) {
                    assertThat(replica.get(db("team-a", "a"))).isPresent();
                }
            } finally {
                pool.shutdown();
                for (Future<CachingStorage> replica : starting) {
                    try {
                        replica.get(30, TimeUnit.SECONDS).close();
                    } catch (ExecutionException e) {
                        // the failure is reported above
                    }
                }
            }
        }
    }

    private String createDatabase() {
        String name =
                "dbp_contract_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        admin("CREATE DATABASE " + name + " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US-u-ka-shifted'");
        databases.add(name);
        return name;
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
