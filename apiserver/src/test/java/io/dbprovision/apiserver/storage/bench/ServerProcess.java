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
        return start(dataDir, fsync, auth, "1g", "1g");
    }

    /** The same with the heap given: {@code -Xms} and {@code -Xmx} (e.g. 64m and 1g, or 1g for both). */
    static ServerProcess start(Path dataDir, boolean fsync, BenchAuth auth, String initialHeap, String maxHeap)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xms" + initialHeap,
                "-Xmx" + maxHeap,
                "--enable-native-access=ALL-UNNAMED",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dbench.reconcilers=" + Boolean.getBoolean("bench.reconcilers")));
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

    /** The server process's resident set now (VmRSS in /proc/PID/status: heap pages touched, code, direct buffers). */
    long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/" + process.pid() + "/status");
    }

    /**
     * The server's heap in use after a full collection, as {@code jcmd PID GC.heap_info} reports it right after
     * {@code jcmd PID GC.run}; -1 if jcmd is not at hand.
     */
    long heapUsedAfterGc() {
        try {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            for (int i = 0; i < 2; i++) {
                new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.run")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor();
            }
            Process info = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), "GC.heap_info")
                    .redirectErrorStream(true)
                    .start();
            String text = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            info.waitFor();
            java.util.regex.Matcher used =
                    java.util.regex.Pattern.compile("used (\\d+)K").matcher(text);
            return used.find() ? Long.parseLong(used.group(1)) * 1024 : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The server process's counters that say where a large response's cost goes, read from {@code /proc/PID/io} and
     * {@code /proc/PID/stat}: read and write system calls so far (sockets included), and the CPU time so far in user
     * and in kernel mode (clock ticks of 10 ms); zeros where this OS has no such files.
     */
    Syscalls syscalls() {
        try {
            long reads = 0;
            long writes = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/io"))) {
                if (line.startsWith("syscr:")) {
                    reads = Long.parseLong(line.substring(6).trim());
                } else if (line.startsWith("syscw:")) {
                    writes = Long.parseLong(line.substring(6).trim());
                }
            }
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            // the fields after the command name (which may hold spaces) in parentheses: utime and stime are 14 and 15
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new Syscalls(reads, writes, Long.parseLong(fields[11]), Long.parseLong(fields[12]));
        } catch (IOException | RuntimeException e) {
            return new Syscalls(0, 0, 0, 0);
        }
    }

    /** See {@link #syscalls()}. */
    record Syscalls(long reads, long writes, long userTicks, long systemTicks) {
        Syscalls plus(Syscalls more) {
            return new Syscalls(
                    reads + more.reads,
                    writes + more.writes,
                    userTicks + more.userTicks,
                    systemTicks + more.systemTicks);
        }

        Syscalls minus(Syscalls before) {
            return new Syscalls(
                    reads - before.reads,
                    writes - before.writes,
                    userTicks - before.userTicks,
                    systemTicks - before.systemTicks);
        }
    }

    /**
     * The CPU time so far of the server's JIT compiler threads ({@code C1/C2 CompilerThread*} in
     * {@code /proc/PID/task/}*{@code /comm}), at the OS clock tick; 0 where this OS has no such files. A measurement
     * taken while the compiler still works counts its CPU against the requests and shares the two cores with them.
     */
    long compilerCpuNanos() {
        return compilerCpuNanos(process.pid());
    }

    /** {@link #compilerCpuNanos()} of process {@code pid} (this benchmark's own: {@code ProcessHandle.current()}). */
    static long compilerCpuNanos(long pid) {
        return cpuNanosByThread(pid).entrySet().stream()
                .filter(entry -> entry.getKey().contains("CompilerThre"))
                .mapToLong(java.util.Map.Entry::getValue)
                .sum();
    }

    /**
     * The CPU time so far of the server's live threads by name ({@code /proc/PID/task/}*{@code /comm}: at most 15
     * characters, digits replaced by {@code #} so that a pool's threads add up), at the OS clock tick; empty where
     * this OS has no such files.
     */
    java.util.Map<String, Long> cpuNanosByThread() {
        return cpuNanosByThread(process.pid());
    }

    private static java.util.Map<String, Long> cpuNanosByThread(long pid) {
        java.util.Map<String, Long> byName = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "#");
                    String stat = Files.readString(task.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    byName.merge(name, ticks * 10_000_000L, Long::sum);
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return java.util.Map.of();
        }
        return byName;
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

        /**
         * The standalone server's options for the benchmark: without the reconcilers unless {@code bench.reconcilers}
         * is true. The benchmark measures the REST layer; its objects point at database servers that do not exist,
         * and with the reconcilers on, every object created starts health checks against them, status writes and
         * events, whose CPU and commits were counted against the HTTP path (JFR: the instance controller's workers
         * and the store's committer held two thirds of the server's samples in a LIST and watch run).
         */
        private static StandaloneServer.Options options(Path dir, boolean fsync) {
            StandaloneServer.Options options = StandaloneServer.Options.of(dir, "127.0.0.1", 0, fsync);
            return Boolean.getBoolean("bench.reconcilers") ? options : options.withoutReconcilers();
        }

        public static void main(String[] args) throws IOException {
            Path dir = Path.of(args[0]);
            boolean fsync = Boolean.parseBoolean(args[1]);
            BenchAuth auth = BenchAuth.parse(args[2]);
            AutoCloseable server;
            int port;
            switch (auth) {
                case MASTERS -> {
                    StandaloneServer standalone = StandaloneServer.start(options(dir, fsync));
                    server = standalone;
                    port = standalone.port();
                }
                case AUDIT -> {
                    StandaloneServer standalone = StandaloneServer.start(options(dir, fsync)
                            .withAudit(AuditOptions.defaults()
                                    .withLogPath(dir.resolve("audit/audit.log").toString())));
                    server = standalone;
                    port = standalone.port();
                }
                case RBAC -> {
                    StandaloneServer standalone = StandaloneServer.start(options(dir, fsync)
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
