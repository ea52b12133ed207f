package io.dbprovision.provisioner.engine.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server with TLS for tests (the shared server has none), started the way the API server's
 * TemporaryPostgres does it: initdb in a temporary directory, the distribution's binaries run as user postgres through
 * runuser when the tests run as root, a free port on 127.0.0.1. Its certificate, issued by the test's CA, names only
 * {@code localhost}. pg_hba: {@code dbpcore_cert} may log in only with a client certificate of that CA (cert
 * authentication), {@code dbpcore_scram} only with its password (scram-sha-256), everyone else is trusted. Key files
 * are 0600.
 */
public final class TlsPostgres implements AutoCloseable {
    private static final Path DISTRIBUTIONS = Path.of("/usr/lib/postgresql");
    private static final long TIMEOUT_SECONDS = 60;

    private final Path bin;
    private final Path root;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser = ServerFiles.asRoot();
    private boolean running;

    private TlsPostgres(Path bin) throws IOException {
        this.bin = bin;
        this.root = Files.createTempDirectory("dbpcore-tls-postgres-");
        this.data = root.resolve("data");
        this.port = ServerFiles.freePort();
    }

    /** The newest installed PostgreSQL's binaries, if any. */
    public static Optional<Path> binaries() {
        if (!Files.isDirectory(DISTRIBUTIONS)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(DISTRIBUTIONS)) {
            return versions.map(version -> version.resolve("bin"))
                    .filter(dir ->
                            Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl")))
                    .max(Comparator.comparing(Path::toString));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Creates and starts a server whose certificate the CA issues for {@code localhost}. */
    public static TlsPostgres start(TestCertificates ca) throws IOException {
        return start(ca, List.of(), List.of());
    }

    /**
     * As {@link #start(TestCertificates)}, with pg_hba lines placed before the fixture's own (they win) and extra
     * server settings ({@code name=value}, passed as {@code -c}; no spaces).
     */
    public static TlsPostgres start(TestCertificates ca, List<String> hbaLines, List<String> settings)
            throws IOException {
        TlsPostgres postgres = new TlsPostgres(binaries().orElseThrow());
        try {
            postgres.initialize(ca, hbaLines, settings);
        } catch (IOException | RuntimeException e) {
            postgres.close();
            throw e;
        }
        return postgres;
    }

    private void initialize(TestCertificates ca, List<String> hbaLines, List<String> settings) throws IOException {
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
                        "--no-sync"),
                true);
        TestCertificates.Issued server = ca.server("localhost");
        Path cert = ServerFiles.write(root.resolve("server.crt"), server.certificatePem(), "rw-------");
        Path key = ServerFiles.write(root.resolve("server.key"), server.keyPem(), "rw-------");
        Path caFile = ServerFiles.write(root.resolve("ca.crt"), ca.caPem(), "rw-------");
        List<String> hba = new ArrayList<>(hbaLines);
        hba.addAll(List.of(
                "local all all trust",
                "hostssl all dbpcore_cert 127.0.0.1/32 cert clientcert=verify-full",
                "host all dbpcore_cert 127.0.0.1/32 reject",
                "host all dbpcore_scram 127.0.0.1/32 scram-sha-256",
                "hostssl all all 127.0.0.1/32 trust",
                "host all all 127.0.0.1/32 trust",
                ""));
        ServerFiles.write(data.resolve("pg_hba.conf"), String.join("\n", hba), "rw-------");
        if (asPostgresUser) {
            run(List.of("chown", "-R", "postgres:", root.toString()), false);
        }
        String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + root
                + " -c fsync=off -c shared_buffers=16MB -c max_connections=30 -c ssl=on -c ssl_cert_file=" + cert
                + " -c ssl_key_file=" + key + " -c ssl_ca_file=" + caFile + " -c password_encryption=scram-sha-256";
        for (String setting : settings) {
            options += " -c " + setting;
        }
        run(
                List.of(
                        bin.resolve("pg_ctl").toString(),
                        "-D",
                        data.toString(),
                        "-l",
                        root.resolve("server.log").toString(),
                        "-o",
                        options,
                        "-w",
                        "-t",
                        String.valueOf(TIMEOUT_SECONDS),
                        "start"),
                true);
        running = true;
    }

    public int port() {
        return port;
    }

    public Path root() {
        return root;
    }

    /** Runs SQL as postgres over the Unix socket (no TLS involved). */
    public void psql(String sql) throws IOException {
        run(
                List.of(
                        bin.resolve("psql").toString(),
                        "-h",
                        root.toString(),
                        "-p",
                        String.valueOf(port),
                        "-U",
                        "postgres",
                        "-d",
                        "postgres",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-c",
                        sql),
                true);
    }

    @Override
    public void close() {
        try {
            if (running) {
                run(
                        List.of(
                                bin.resolve("pg_ctl").toString(),
                                "-D",
                                data.toString(),
                                "-m",
                                "immediate",
                                "-w",
                                "stop"),
                        true);
            }
        } catch (IOException | RuntimeException e) {
            // The files still go.
        } finally {
            ServerFiles.deleteTree(root);
        }
    }

    private void run(List<String> command, boolean asServerUser) throws IOException {
        List<String> full = new ArrayList<>();
        if (asServerUser && asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        ServerFiles.run(full, root, TIMEOUT_SECONDS + 10);
    }
}
