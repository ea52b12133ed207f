package io.dbprovision.apiserver.storage.bench;

import io.dbprovision.apiserver.audit.AuditOptions;
import io.dbprovision.apiserver.server.StandaloneServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The standalone server in a JVM of its own, so that the CPU it spends is told apart from the load driver's (the JDK
 * HTTP client, its TLS, the driver's threads): the benchmark reads the server's CPU time from the operating system
 * before and after each measurement. Both still share the machine's cores.
 */
final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final Path dataDir;
    private final int port;

    private ServerProcess(Process process, Path dataDir, int port) {
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
    }

    /**
     * Starts the server on a free port with {@code dataDir}, authorizing as {@code auth} asks, and waits until it
     * serves. The files the mode reads must be in {@code dataDir} already (see {@link BenchCredentials}).
     */
    static ServerProcess start(Path dataDir, boolean fsync, BenchAuth auth) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xms1g",
                "-Xmx1g",
                "--enable-native-access=ALL-UNNAMED",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        // More JVM options for the server only, separated by spaces, e.g.
        // BENCH_SERVER_JVM_ARGS="-XX:StartFlightRecording=filename=s.jfr -XX:FlightRecorderOptions=stackdepth=256"
        String extra = System.getenv("BENCH_SERVER_JVM_ARGS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                dataDir.toString(),
                Boolean.toString(fsync),
                auth.argument()));
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        while (line != null && !line.startsWith("port ")) {
            System.out.println("  server: " + line); // the JVM's own notices (a flight recording started, say)
            line = out.readLine();
        }
        if (line == null) {
            process.destroyForcibly();
            throw new IllegalStateException("the server process did not start: " + line);
        }
        return new ServerProcess(process, dataDir, Integer.parseInt(line.substring(5)));
    }

    int port() {
        return port;
    }

    Path caCertificate() {
        return dataDir.resolve("pki/ca.crt");
    }

    String adminToken() throws IOException {
        return Files.readString(dataDir.resolve("admin.token")).trim();
    }

    /** The server process's CPU time so far (user and system, all its threads), at the OS clock tick (10 ms). */
    long cpuNanos() {
        return process.toHandle()
                .info()
                .totalCpuDuration()
                .map(Duration::toNanos)
                .orElseThrow(() -> new IllegalStateException("the OS does not report the server's CPU time"));
    }

    @Override
    public void close() {
        try (OutputStream in = process.getOutputStream()) {
            in.close(); // the server stops when its standard input ends
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /**
     * The server process: {@code <data dir> <fsync> <masters|audit|rbac|sar>}; prints {@code port N} once it serves; stops
     * at end of input. masters: the standalone server as it starts by default (audit off); audit: the same with the audit log; rbac: the same with the
     * token file {@code bench-users.csv} and the audit log {@code audit/audit.log} (default policy, Metadata); sar:
     * {@link DelegatedBenchServer}.
     */
    public static final class Main {
        private Main() {}

        public static void main(String[] args) throws IOException {
            Path dir = Path.of(args[0]);
            boolean fsync = Boolean.parseBoolean(args[1]);
            BenchAuth auth = BenchAuth.parse(args[2]);
            AutoCloseable server;
            int port;
            switch (auth) {
                case MASTERS -> {
                    StandaloneServer standalone = StandaloneServer.start(dir, "127.0.0.1", 0, fsync);
                    server = standalone;
                    port = standalone.port();
                }
                case AUDIT -> {
                    StandaloneServer standalone = StandaloneServer.start(StandaloneServer.Options.of(
                                    dir, "127.0.0.1", 0, fsync)
                            .withAudit(AuditOptions.defaults()
                                    .withLogPath(dir.resolve("audit/audit.log").toString())));
                    server = standalone;
                    port = standalone.port();
                }
                case RBAC -> {
                    StandaloneServer standalone = StandaloneServer.start(StandaloneServer.Options.of(
                                    dir, "127.0.0.1", 0, fsync)
                            .withTokenFile(dir.resolve("bench-users.csv"))
                            .withAudit(AuditOptions.defaults()
                                    .withLogPath(dir.resolve("audit/audit.log").toString())));
                    server = standalone;
                    port = standalone.port();
                }
                case SAR -> {
                    DelegatedBenchServer delegated = new DelegatedBenchServer(dir, fsync);
                    server = delegated;
                    port = delegated.port();
                }
                default -> throw new IllegalArgumentException(args[2]);
            }
            System.out.println("port " + port);
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the benchmark to close our input
            }
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("closing the server: " + e);
            }
            System.exit(0);
        }
    }
}
