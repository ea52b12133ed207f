package io.dbprovision.apiserver.storage.bench;

import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import io.dbprovision.apiserver.storage.sql.PostgresBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * One store configuration under test, with a fresh data directory or a fresh PostgreSQL database that is removed
 * afterwards, so every run starts from an empty store.
 */
abstract sealed class BenchBackend implements AutoCloseable {
    final String name;

    private BenchBackend(String name) {
        this.name = name;
    }

    /** Opens the store (again, after a close: the same data). */
    abstract CachingStorage open();

    /** Where the data is, for the report. */
    abstract String describe();

    @Override
    public abstract void close();

    static BenchBackend create(String name, Path dataRoot, String postgresUrl) {
        return switch (name) {
            case "embedded-fsync" -> new Embedded(name, dataRoot.resolve(name), true);
            case "embedded-nofsync" -> new Embedded(name, dataRoot.resolve(name), false);
            case "postgres" -> new Postgres(name, postgresUrl);
            default ->
                throw new IllegalArgumentException(
                        "unknown backend " + name + " (embedded-fsync, embedded-nofsync, postgres)");
        };
    }

    static final class Embedded extends BenchBackend {
        private final Path directory;
        private final boolean fsync;

        Embedded(String name, Path directory, boolean fsync) {
            super(name);
            this.directory = directory;
            this.fsync = fsync;
            deleteRecursively(directory);
        }

        @Override
        CachingStorage open() {
            return CachingStorage.open(
                    new EmbeddedBackend(directory, fsync),
                    StorageSettings.defaults().withFsync(fsync));
        }

        @Override
        String describe() {
            return "H2 file in " + directory + (fsync ? ", fsync on (CHECKPOINT SYNC per batch)" : ", fsync off");
        }

        @Override
        public void close() {
            deleteRecursively(directory);
        }
    }

    static final class Postgres extends BenchBackend {
        private final String serverUrl;
        private final String database;

        Postgres(String name, String serverUrl) {
            super(name);
            this.serverUrl = serverUrl.endsWith("/") ? serverUrl : serverUrl + "/";
            this.database = "dbp_bench_"
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            admin("CREATE DATABASE " + database);
        }

        @Override
        CachingStorage open() {
            return CachingStorage.open(
                    new PostgresBackend(serverUrl + database, "postgres", ""), StorageSettings.defaults());
        }

        @Override
        String describe() {
            return "database " + database + " at " + serverUrl + " (" + serverVersion(serverUrl) + ")";
        }

        @Override
        public void close() {
            admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }

        private void admin(String sql) {
            try (Connection connection = DriverManager.getConnection(serverUrl + "postgres", "postgres", "");
                    Statement statement = connection.createStatement()) {
                statement.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** The server's version string, or why it could not be read (the benchmark then skips PostgreSQL). */
    static String serverVersion(String serverUrl) {
        String url = (serverUrl.endsWith("/") ? serverUrl : serverUrl + "/") + "postgres";
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SHOW server_version")) {
            result.next();
            return "PostgreSQL " + result.getString(1);
        } catch (SQLException e) {
            return "unreachable: " + e.getMessage();
        }
    }

    static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
