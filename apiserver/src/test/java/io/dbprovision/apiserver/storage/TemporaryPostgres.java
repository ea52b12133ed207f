package io.dbprovision.apiserver.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster for tests that must stop and start the database (the shared server on 5432 must never
 * be stopped). It runs from the distribution's binaries ({@code /usr/lib/postgresql/<version>/bin}) on a free port of
 * 127.0.0.1 with its data, socket and log in a temporary directory. PostgreSQL refuses to run as root, so as root the
 * binaries run as the {@code postgres} user through {@code runuser}. {@code fsync=off}: the tests stop the server, they
 * do not cut the power, and a committed transaction is written to the WAL (in the OS cache) either way.
 */
public final class TemporaryPostgres implements AutoCloseable {
    private static final Path DISTRIBUTIONS = Path.of("/usr/lib/postgresql");
    private static final long TIMEOUT_SECONDS = 60;

    private final Path bin;
    private final Path root;
    private final Path data;
    private final Path log;
    private final int port;
    private final boolean asPostgresUser;
    private boolean running;

    private TemporaryPostgres(Path bin) throws IOException {
        this.bin = bin;
        this.root = Files.createTempDirectory("dbp-postgres-");
        this.data = root.resolve("data");
        this.log = root.resolve("server.log");
        this.port = freePort();
        this.asPostgresUser = "root".equals(System.getProperty("user.name"));
        if (asPostgresUser) {
            run(List.of("chown", "postgres:", root.toString()), false);
        }
        run(
                List.of(
                        bin.resolve("initdb").toString(),
                        "-D",
                        data.toString(),
                        "-U",
                        "postgres",
                        "-A",
                        "trust",
                        "-E",
                        "UTF8",
                        "--locale=C",
                        "--no-sync",
                        "--no-instructions"),
                true);
    }

    /** The newest installed PostgreSQL's binaries, if any: the tests using this fixture skip without them. */
    public static Optional<Path> binaries() {
        if (!Files.isDirectory(DISTRIBUTIONS)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(DISTRIBUTIONS)) {
            return versions.map(version -> version.resolve("bin"))
                    .filter(dir -> Files.isExecutable(dir.resolve("initdb"))
                            && Files.isExecutable(dir.resolve("pg_ctl"))
                            && Files.isExecutable(dir.resolve("postgres")))
                    .max(Comparator.comparing(TemporaryPostgres::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Creates a cluster (initdb) and starts it. */
    public static TemporaryPostgres start() throws IOException {
        Path bin = binaries().orElseThrow(() -> new IllegalStateException("no PostgreSQL under " + DISTRIBUTIONS));
        TemporaryPostgres postgres = new TemporaryPostgres(bin);
        try {
            postgres.startAgain();
        } catch (RuntimeException | IOException e) {
            postgres.close();
            throw e;
        }
        return postgres;
    }

    /** Starts the server on the same data directory and port; returns once it accepts connections. */
    public void startAgain() throws IOException {
        String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + root
                + " -c fsync=off -c shared_buffers=16MB -c max_connections=40";
        run(
                List.of(
                        bin.resolve("pg_ctl").toString(),
                        "-D",
                        data.toString(),
                        "-l",
                        log.toString(),
                        "-o",
                        options,
                        "-w",
                        "-t",
                        String.valueOf(TIMEOUT_SECONDS),
                        "start"),
                true);
        running = true;
    }

    /**
     * Stops the server. {@code immediate}: like a crash, every backend is killed without a checkpoint and the next
     * start recovers from the WAL; otherwise a fast shutdown (clients disconnected, checkpoint).
     */
    public void stop(boolean immediate) throws IOException {
        run(
                List.of(
                        bin.resolve("pg_ctl").toString(),
                        "-D",
                        data.toString(),
                        "-m",
                        immediate ? "immediate" : "fast",
                        "-w",
                        "-t",
                        String.valueOf(TIMEOUT_SECONDS),
                        "stop"),
                true);
        running = false;
    }

    public int port() {
        return port;
    }

    /** JDBC URL of a database of this cluster ({@code postgres} always exists); user postgres, no password. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Creates a database (user postgres may use it). */
    public void createDatabase(String name) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
    }

    public String describe() {
        return "PostgreSQL " + bin.getParent().getFileName() + " on 127.0.0.1:" + port + " in " + data;
    }

    /** Stops the server if it runs and deletes its files. */
    @Override
    public void close() {
        try {
            if (running) {
                stop(true);
            }
        } catch (IOException | RuntimeException e) {
            // Deleting the files below still matters; the server log says why it did not stop.
        } finally {
            deleteTree(root);
        }
    }

    private void run(List<String> command, boolean asServerUser) throws IOException {
        List<String> full = new ArrayList<>();
        if (asServerUser && asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Path output = Files.createTempFile("dbp-postgres-command-", ".log");
        try {
            Process process = new ProcessBuilder(full)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            boolean exited = process.waitFor(TIMEOUT_SECONDS + 10, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            if (!exited || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", full) + " failed"
                        + (exited ? " with exit code " + process.exitValue() : " to finish in time") + ":\n"
                        + Files.readString(output) + serverLogTail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + full, e);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private String serverLogTail() {
        try {
            if (!Files.exists(log)) {
                return "";
            }
            List<String> lines = Files.readAllLines(log);
            return "\nserver log:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
