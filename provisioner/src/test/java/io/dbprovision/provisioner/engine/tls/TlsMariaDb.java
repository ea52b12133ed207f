package io.dbprovision.provisioner.engine.tls;

import io.dbprovision.provisioner.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private MariaDB server with TLS for tests (the shared one has none): mariadb-install-db into a temporary
 * directory, then /usr/sbin/mariadbd without the system's option files on a free port of 127.0.0.1, with a server
 * certificate for {@code localhost} issued by the test's CA, as user mysql when the tests run as root. Root logs in
 * over TCP without a password. Key files are 0600.
 */
public final class TlsMariaDb implements AutoCloseable {
    private static final Path SERVER = Path.of("/usr/sbin/mariadbd");

    private final Path root;
    private final int port;
    private Process process;

    private TlsMariaDb() throws IOException {
        this.root = Files.createTempDirectory("dbpcore-tls-mariadb-");
        this.port = ServerFiles.freePort();
    }

    public static boolean installed() {
        return Files.isExecutable(SERVER) && Files.isExecutable(Path.of("/usr/bin/mariadb-install-db"));
    }

    public static TlsMariaDb start(TestCertificates ca) throws IOException {
        return start(ca, List.of());
    }

    /** As {@link #start(TestCertificates)}, with extra server options such as {@code --general-log=ON}. */
    public static TlsMariaDb start(TestCertificates ca, List<String> serverOptions) throws IOException {
        TlsMariaDb mariadb = new TlsMariaDb();
        try {
            mariadb.initialize(ca, serverOptions);
        } catch (IOException | RuntimeException e) {
            mariadb.close();
            throw e;
        }
        return mariadb;
    }

    private void initialize(TestCertificates ca, List<String> serverOptions) throws IOException {
        boolean asRoot = ServerFiles.asRoot();
        Path data = root.resolve("data");
        List<String> install = new ArrayList<>(List.of(
                "mariadb-install-db",
                "--no-defaults",
                "--datadir=" + data,
                "--auth-root-authentication-method=normal",
                "--skip-test-db"));
        if (asRoot) {
            install.add("--user=mysql");
            ServerFiles.run(List.of("chown", "mysql:", root.toString()), root, 30);
        }
        ServerFiles.run(install, root, 120);
        TestCertificates.Issued server = ca.server("localhost");
        Path cert = ServerFiles.write(root.resolve("server.crt"), server.certificatePem(), "rw-------");
        Path key = ServerFiles.write(root.resolve("server.key"), server.keyPem(), "rw-------");
        Path caFile = ServerFiles.write(root.resolve("ca.crt"), ca.caPem(), "rw-------");
        if (asRoot) {
            ServerFiles.run(List.of("chown", "-R", "mysql:", root.toString()), root, 30);
        }
        List<String> command = new ArrayList<>(List.of(
                SERVER.toString(),
                "--no-defaults",
                "--datadir=" + data,
                "--port=" + port,
                "--socket=" + root.resolve("mariadb.sock"),
                "--bind-address=127.0.0.1",
                "--pid-file=" + root.resolve("mariadb.pid"),
                "--log-error=" + root.resolve("error.log"),
                "--skip-log-bin",
                "--innodb-buffer-pool-size=16M",
                "--ssl-ca=" + caFile,
                "--ssl-cert=" + cert,
                "--ssl-key=" + key));
        command.addAll(serverOptions);
        if (asRoot) {
            command.add("--user=mysql");
        }
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(root.resolve("stdout.log").toFile())
                .start();
        Await.until(Duration.ofSeconds(60), "MariaDB on port " + port + " to accept connections", () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("mariadbd exited: " + errorLog());
            }
            try (Connection ignored = rootConnection()) {
                return true;
            } catch (SQLException e) {
                return false;
            }
        });
    }

    public int port() {
        return port;
    }

    /** The server's directory (data, logs); files written there by the server belong to it. */
    public Path root() {
        return root;
    }

    /** A plain (no TLS) root connection for setting up the test's users. */
    public Connection rootConnection() throws SQLException {
        return DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/?sslMode=DISABLED", "root", "");
    }

    public void execute(String sql) throws SQLException {
        try (Connection connection = rootConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private String errorLog() {
        try {
            return Files.readString(root.resolve("error.log"));
        } catch (IOException e) {
            return "(no error log)";
        }
    }

    @Override
    public void close() {
        try {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            ServerFiles.deleteTree(root);
        }
    }
}
