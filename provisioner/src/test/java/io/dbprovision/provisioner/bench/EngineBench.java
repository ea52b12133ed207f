package io.dbprovision.provisioner.bench;

import io.dbprovision.proto.engine.v1alpha1.ApplyGrantsRequest;
import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.EngineServiceGrpc;
import io.dbprovision.proto.engine.v1alpha1.EnsureDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.EnsureUserRequest;
import io.dbprovision.proto.engine.v1alpha1.GrantSet;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserRequest;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.MySQLGrant;
import io.dbprovision.proto.v1alpha1.MySQLGrantConfig;
import io.dbprovision.proto.v1alpha1.MySQLGrantLevel;
import io.dbprovision.proto.v1alpha1.PostgresGrant;
import io.dbprovision.proto.v1alpha1.PostgresGrantConfig;
import io.dbprovision.provisioner.ProvisionerWiring;
import io.dbprovision.provisioner.bench.StatementRecorder.Recorded;
import io.dbprovision.provisioner.bench.StatementRecorder.Recording;
import io.dbprovision.provisioner.engine.Engines;
import io.dbprovision.provisioner.engine.jdbc.ConnectionPools;
import io.dbprovision.provisioner.engine.jdbc.PlainConnections;
import io.dbprovision.provisioner.engine.password.PasswordGenerator;
import io.dbprovision.provisioner.engine.password.ScramSha256;
import io.dbprovision.provisioner.server.ProvisionerServer;
import io.dbprovision.provisioner.server.TestPki;
import io.dbprovision.provisioner.server.TlsFiles;
import io.dbprovision.provisioner.service.EngineGrpcService;
import io.dbprovision.provisioner.service.JdbcSessionFactory;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The provisioner's per-operation latency through gRPC + mutual TLS on loopback next to the same SQL over JDBC
 * directly, in one run: create database, create user, grant, observe, on the local PostgreSQL and MariaDB. Not a
 * test: run with {@code ./build -pl provisioner -Pengine-bench verify}; prints a Markdown table (also written to
 * {@code -Dbench.out}).
 *
 * <p>"The same SQL" is taken from the provisioner itself: a {@link StatementRecorder} on its engine sessions records
 * every statement a call sends — the catalog reads that decide what to do, then the writes — and {@link Replay}
 * sends exactly those, in order, with the same bind values, over one plain JDBC connection (opened like the
 * provisioner's: {@link PlainConnections}) for a twin object whose name differs in one letter. So the ratio is what
 * the service adds around the SQL: gRPC + mTLS, the call's session and pool, jOOQ, the engine's own work (a SCRAM
 * verifier, for instance). A round trip that touches no database (the health service) next to {@code select 1}
 * isolates the transport. Every object is named {@code dbpbench_*} and dropped at the end.
 */
public final class EngineBench {
    private static final int ITERATIONS = Integer.getInteger("bench.iterations", 100);
    private static final int WARMUP = Integer.getInteger("bench.warmup", 20);
    private static final List<String> ENGINES =
            List.of(System.getProperty("bench.engines", "postgres,mariadb").split(","));
    /**
     * Server set-ups compared in one run, {@code threads/tls[/healthhop]} each (threads: platform or virtual, see
     * {@link ProvisionerServer.CallThreads}; tls: openssl or jdk, on both the server and the client side, as the API
     * server's provisioner client would, or none: plaintext, to see what TLS costs; healthhop: the health Check handed
     * to a call thread, as before it was answered on the transport's thread). Every iteration calls each of them in turn (the order rotating), then replays
     * the SQL once, so the load of the machine at that moment weighs on all alike. Empty: the server's defaults.
     */
    private static final List<String> VARIANTS = List.of(
                    System.getProperty("bench.variants", "").split(","))
            .stream()
            .map(String::trim)
            .filter(v -> !v.isEmpty())
            .toList();
    /** Letters of the objects each variant creates; 'j' is the JDBC twin's. */
    private static final String LETTERS = "ghiklm";

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final String PASSWORD = "dbpbench-Pw-1";
    /** Marks of the call being made (one at a time), from tracers on the bench's servers and channels. */
    private static final CallTimeline TIMELINE = new CallTimeline();

    private static final String[] OPERATIONS = {
        "create database", "create user", "grant", "observe user", "round trip (health Check / select 1)"
    };

    private EngineBench() {}

    /** One engine under test. */
    private record Target(String name, Instance instance, boolean postgres) {}

    /** One row of the table: the statements a call sent, and the samples. */
    private record Row(
            String engine,
            String variant,
            String operation,
            String statements,
            long[] grpc,
            long[] inside,
            long[] jdbc,
            long[] before,
            long[] between,
            long[] after,
            long[] grpcCpu,
            long[] jdbcCpu,
            long[] render,
            long[] execute,
            long[] fetch,
            long[][] marks) {}

    /** One server set-up under test, its channel and the letter of the objects it creates. */
    private record Variant(
            String label,
            char letter,
            ProvisionerServer server,
            ManagedChannel channel,
            EngineServiceGrpc.EngineServiceBlockingStub stub,
            HealthGrpc.HealthBlockingStub health) {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("dbpbench");
        TestPki.Issued ca = TestPki.ca("dbpbench CA");
        TestPki.server(ca, "dbpbench provisioner").write(dir, "server");
        Path clientCa = ca.write(dir, "ca");
        TestPki.Issued client = TestPki.client(ca, "dbpbench client");
        StatementRecorder recorder = new StatementRecorder();
        List<Row> rows = new ArrayList<>();
        Map<String, List<Recorded>> samples = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        // As ProvisionerWiring.create(idle, observers) assembles it, with the sessions marking the timeline.
        ConnectionPools wiredPools =
                new ConnectionPools(Duration.ofMinutes(5), ConnectionPools.DEFAULT_FAIL_FAST_WINDOW);
        EngineGrpcService wiredService = new EngineGrpcService(
                new Engines(ProvisionerWiring.engines()),
                TIMELINE.sessions(new JdbcSessionFactory(wiredPools, List.of(recorder))),
                new PasswordGenerator());
        try (ProvisionerWiring wiring = new ProvisionerWiring(wiredService, wiredPools)) {
            List<Variant> variants = new ArrayList<>();
            List<String> specs = VARIANTS.isEmpty() ? List.of("default") : VARIANTS;
            if (specs.size() > LETTERS.length()) {
                throw new IllegalArgumentException("at most " + LETTERS.length() + " bench variants");
            }
            Engines engines = new Engines(ProvisionerWiring.engines());
            try {
                for (int v = 0; v < specs.size(); v++) {
                    variants.add(variant(specs.get(v), LETTERS.charAt(v), wiring, dir, clientCa, ca, client));
                }
                for (Target target : targets()) {
                    if (!engines.supports(target.instance().getEngine())) {
                        System.out.printf("%s: skipped, no engine for it in this build%n", target.name());
                        continue;
                    }
                    long threadsBefore = THREADS.getTotalStartedThreadCount();
                    rows.addAll(new Run(target, variants, recorder, samples).measure());
                    notes.add(String.format(
                            Locale.ROOT,
                            "%s: %d threads started during its %d calls per server set-up.",
                            target.name(),
                            THREADS.getTotalStartedThreadCount() - threadsBefore,
                            (WARMUP + ITERATIONS) * OPERATIONS.length));
                    notes.add(borrowNote(target));
                }
            } finally {
                for (Variant variant : variants) {
                    variant.channel().shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                    variant.server().shutdown();
                }
            }
        }
        notes.add("OpenSSL available: " + OpenSsl.isAvailable() + " (" + OpenSsl.versionString() + "); load average at"
                + " the end: " + String.format(Locale.ROOT, "%.2f", OS.getSystemLoadAverage()) + ". \"CPU/call\": CPU"
                + " time of the bench JVM's threads (client, provisioner, JDBC driver; not the database server's, nor"
                + " the JVM's own GC and compiler threads) during the call, p50.");
        notes.add(scramNote());
        String report = table(rows) + "\n" + String.join("\n", notes) + "\n\n" + statements(samples);
        System.out.println(report);
        String out = System.getProperty("bench.out");
        if (out != null && !out.isEmpty()) {
            Files.writeString(Path.of(out), report);
        }
    }

    /** A server as {@code spec} says ({@code threads/tls} or {@code default}) and a client channel to it. */
    private static Variant variant(
            String spec,
            char letter,
            ProvisionerWiring wiring,
            Path dir,
            Path clientCa,
            TestPki.Issued ca,
            TestPki.Issued client)
            throws javax.net.ssl.SSLException {
        ProvisionerServer.Builder builder = ProvisionerServer.builder()
                .port(0)
                .bindAddress("127.0.0.1")
                .streamTracer(TIMELINE.serverTracer())
                .service(() -> ServerInterceptors.intercept(wiring.service(), TIMELINE.serviceInterceptor()));
        boolean plaintext = spec.contains("/none");
        if (plaintext) {
            // Bench only: what TLS costs, against the same server in plaintext.
            builder.insecure();
        } else {
            builder.tls(TlsFiles.mutual(dir.resolve("server.crt"), dir.resolve("server.key"), clientCa));
        }
        if (!spec.equals("default")) {
            String[] parts = spec.split("/");
            if (parts.length != 2 && parts.length != 3) {
                throw new IllegalArgumentException(
                        "a bench variant is threads/tls[/healthhop], e.g. platform/openssl: " + spec);
            }
            if (parts.length == 3) {
                if (!parts[2].equals("healthhop")) {
                    throw new IllegalArgumentException("the only bench variant option is healthhop: " + spec);
                }
                // As before: the health Check handed to a call thread like every other call.
                builder.healthChecksOnTransport(false);
            }
            builder.callThreads(ProvisionerServer.CallThreads.valueOf(parts[0].toUpperCase(Locale.ROOT)))
                    .openSsl(
                            switch (parts[1]) {
                                case "openssl" -> true;
                                case "jdk", "none" -> false;
                                default -> throw new IllegalArgumentException("tls is openssl or jdk: " + spec);
                            });
        }
        ProvisionerServer server = builder.build().start();
        SslProvider provider = server.tlsProvider().equals("OpenSSL") ? SslProvider.OPENSSL : SslProvider.JDK;
        // As the API server's provisioner client: a Netty context of the same provider as the server's.
        SslContext ssl = GrpcSslContexts.configure(SslContextBuilder.forClient(), provider)
                .trustManager(pem(ca.certificatePem()))
                .keyManager(pem(client.certificatePem()), pem(client.keyPem()))
                .protocols("TLSv1.3", "TLSv1.2")
                .build();
        NettyChannelBuilder channelBuilder =
                NettyChannelBuilder.forAddress("localhost", server.port()).intercept(TIMELINE.clientInterceptor());
        ManagedChannel channel = plaintext
                ? channelBuilder.usePlaintext().build()
                : channelBuilder.sslContext(ssl).build();
        String label = spec.equals("default") ? "default (" + server.tlsProvider() + ")" : spec;
        return new Variant(
                label,
                letter,
                server,
                channel,
                EngineServiceGrpc.newBlockingStub(channel),
                HealthGrpc.newBlockingStub(channel));
    }

    private static List<Target> targets() {
        List<Target> targets = new ArrayList<>();
        for (String engine : ENGINES) {
            switch (engine.trim()) {
                case "postgres" ->
                    targets.add(new Target(
                            "PostgreSQL",
                            Instance.newBuilder()
                                    .setEngine(EngineType.ENGINE_TYPE_POSTGRES)
                                    .setHost("127.0.0.1")
                                    .setPort(5432)
                                    .setUsername("postgres")
                                    .build(),
                            true));
                case "mariadb" ->
                    targets.add(new Target(
                            "MariaDB",
                            Instance.newBuilder()
                                    .setEngine(EngineType.ENGINE_TYPE_MARIADB)
                                    .setHost("127.0.0.1")
                                    .setPort(3306)
                                    .setUsername("root")
                                    .build(),
                            false));
                default -> throw new IllegalArgumentException("unknown bench engine " + engine);
            }
        }
        return targets;
    }

    /** The operations on one engine: each through gRPC (every variant) for one object, then over JDBC for its twin. */
    private static final class Run {
        private final Target target;
        private final List<Variant> variants;
        private final StatementRecorder recorder;
        private final Map<String, List<Recorded>> samples;
        private final int total = WARMUP + ITERATIONS;
        private final long[][][] grpc;
        private final long[][][] grpcCpu;
        private final long[][][] inside;
        private final long[][][] before;
        private final long[][][] between;
        private final long[][][] after;
        private final long[][][] render;
        private final long[][][] execute;
        private final long[][][] fetch;
        private final long[][][][] marks;
        private final long[][] jdbc = new long[OPERATIONS.length][total];
        private final long[][] jdbcCpu = new long[OPERATIONS.length][total];
        private final List<Set<String>> shapes = new ArrayList<>();

        Run(Target target, List<Variant> variants, StatementRecorder recorder, Map<String, List<Recorded>> samples) {
            this.target = target;
            this.variants = variants;
            this.recorder = recorder;
            this.samples = samples;
            int n = variants.size();
            grpc = new long[n][OPERATIONS.length][total];
            grpcCpu = new long[n][OPERATIONS.length][total];
            inside = new long[n][OPERATIONS.length][total];
            before = new long[n][OPERATIONS.length][total];
            between = new long[n][OPERATIONS.length][total];
            after = new long[n][OPERATIONS.length][total];
            render = new long[n][OPERATIONS.length][total];
            execute = new long[n][OPERATIONS.length][total];
            fetch = new long[n][OPERATIONS.length][total];
            marks = new long[n][OPERATIONS.length][total][];
            for (int op = 0; op < OPERATIONS.length; op++) {
                shapes.add(new LinkedHashSet<>());
            }
        }

        List<Row> measure() throws SQLException {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                for (Variant variant : variants) {
                    names.add(name(variant.letter(), i));
                }
                names.add(name('j', i));
            }
            cleanUp(names);
            try (Connection connection = PlainConnections.open(target.instance())) {
                for (int i = 0; i < total; i++) {
                    String viaJdbc = name('j', i);
                    for (int op = 0; op < OPERATIONS.length; op++) {
                        List<Recorded> statements = List.of();
                        String recordedFor = null;
                        // Rotate which variant goes first, so none always runs right after the replay.
                        for (int k = 0; k < variants.size(); k++) {
                            int v = (i + k) % variants.size();
                            String viaGrpc = name(variants.get(v).letter(), i);
                            List<Recorded> recorded = call(v, op, i, viaGrpc);
                            if (recordedFor == null) {
                                statements = recorded;
                                recordedFor = viaGrpc;
                            }
                        }
                        List<Recorded> replayed = op == 4
                                ? List.of(new Recorded("select 1", List.of(), true))
                                : Replay.renamed(statements, recordedFor, viaJdbc);
                        long cpu = cpuNanos();
                        jdbc[op][i] = Replay.run(connection, replayed);
                        jdbcCpu[op][i] = cpuNanos() - cpu;
                        if (op != 4 && i >= WARMUP) {
                            shapes.get(op).add(shape(statements));
                        }
                        if (op != 4 && i == total - 1) {
                            samples.put(target.name() + " " + OPERATIONS[op], statements);
                        }
                    }
                }
            } finally {
                cleanUp(names);
            }
            List<Row> rows = new ArrayList<>();
            for (int op = 0; op < OPERATIONS.length; op++) {
                for (int v = 0; v < variants.size(); v++) {
                    rows.add(new Row(
                            target.name(),
                            variants.get(v).label(),
                            OPERATIONS[op],
                            op == 4 ? "—" : String.join(" / ", shapes.get(op)),
                            Arrays.copyOfRange(grpc[v][op], WARMUP, total),
                            Arrays.copyOfRange(inside[v][op], WARMUP, total),
                            Arrays.copyOfRange(jdbc[op], WARMUP, total),
                            Arrays.copyOfRange(before[v][op], WARMUP, total),
                            Arrays.copyOfRange(between[v][op], WARMUP, total),
                            Arrays.copyOfRange(after[v][op], WARMUP, total),
                            Arrays.copyOfRange(grpcCpu[v][op], WARMUP, total),
                            Arrays.copyOfRange(jdbcCpu[op], WARMUP, total),
                            Arrays.copyOfRange(render[v][op], WARMUP, total),
                            Arrays.copyOfRange(execute[v][op], WARMUP, total),
                            Arrays.copyOfRange(fetch[v][op], WARMUP, total),
                            Arrays.copyOfRange(marks[v][op], WARMUP, total)));
                }
            }
            return rows;
        }

        /** One call of operation {@code op} through variant {@code v}; returns the statements it sent. */
        private List<Recorded> call(int v, int op, int i, String viaGrpc) {
            Variant variant = variants.get(v);
            Runnable call = switch (op) {
                case 0 -> () -> variant.stub().ensureDatabase(database(viaGrpc));
                case 1 -> () -> variant.stub().ensureUser(user(viaGrpc));
                case 2 -> () -> variant.stub().applyGrants(grant(viaGrpc));
                case 3 -> () -> variant.stub().observeUser(observe(viaGrpc));
                default -> () -> variant.health().check(HealthCheckRequest.getDefaultInstance());
            };
            recorder.begin();
            long cpu = cpuNanos();
            TIMELINE.reset();
            long start = System.nanoTime();
            call.run();
            long end = System.nanoTime();
            TIMELINE.set(CallTimeline.Mark.CLIENT_START, start);
            TIMELINE.set(CallTimeline.Mark.CLIENT_END, end);
            grpcCpu[v][op][i] = cpuNanos() - cpu;
            Recording recording = recorder.end();
            grpc[v][op][i] = end - start;
            inside[v][op][i] = recording.statementNanos();
            render[v][op][i] = recording.renderNanos();
            execute[v][op][i] = recording.executeNanos();
            fetch[v][op][i] = recording.fetchNanos();
            TIMELINE.set(CallTimeline.Mark.FIRST_STATEMENT, recording.firstStart());
            TIMELINE.set(CallTimeline.Mark.LAST_STATEMENT, recording.lastEnd());
            marks[v][op][i] = TIMELINE.snapshot();
            if (recording.firstStart() != 0) {
                before[v][op][i] = recording.firstStart() - start;
                between[v][op][i] = recording.lastEnd() - recording.firstStart() - recording.statementNanos();
                after[v][op][i] = end - recording.lastEnd();
            }
            return recording.statements();
        }

        private EnsureDatabaseRequest database(String name) {
            return EnsureDatabaseRequest.newBuilder()
                    .setInstance(target.instance())
                    .setDatabase(DatabaseDefinition.newBuilder().setName(name))
                    .build();
        }

        private EnsureUserRequest user(String name) {
            return EnsureUserRequest.newBuilder()
                    .setInstance(target.instance())
                    .setUser(UserDefinition.newBuilder().setName(name).setPassword(PASSWORD))
                    .build();
        }

        private ApplyGrantsRequest grant(String name) {
            GrantSet.Builder grants = GrantSet.newBuilder().setGrantee(name);
            if (target.postgres()) {
                grants.setPostgres(PostgresGrantConfig.newBuilder()
                        .addGrants(PostgresGrant.newBuilder().setDatabase(name).addPrivileges("CONNECT")));
            } else {
                grants.setMysql(MySQLGrantConfig.newBuilder()
                        .addGrants(MySQLGrant.newBuilder()
                                .setLevel(MySQLGrantLevel.MYSQL_GRANT_LEVEL_DATABASE)
                                .setDatabase(name)
                                .addPrivileges("SELECT")));
            }
            return ApplyGrantsRequest.newBuilder()
                    .setInstance(target.instance())
                    .setGrants(grants)
                    .build();
        }

        private ObserveUserRequest observe(String name) {
            return ObserveUserRequest.newBuilder()
                    .setInstance(target.instance())
                    .setDesired(UserDefinition.newBuilder().setName(name))
                    .build();
        }

        private void cleanUp(List<String> names) throws SQLException {
            try (Connection connection = PlainConnections.open(target.instance());
                    Statement statement = connection.createStatement()) {
                for (String name : names) {
                    statement.execute(
                            target.postgres()
                                    ? "drop database if exists \"" + name + "\" with (force)"
                                    : "drop database if exists `" + name + "`");
                }
                for (String name : names) {
                    if (target.postgres()) {
                        statement.execute("drop role if exists \"" + name + "\"");
                        continue;
                    }
                    List<String> hosts = new ArrayList<>();
                    try (ResultSet found =
                            statement.executeQuery("select Host from mysql.user where User = '" + name + "'")) {
                        while (found.next()) {
                            hosts.add(found.getString(1));
                        }
                    }
                    for (String host : hosts) {
                        statement.execute("drop user if exists '" + name + "'@'" + host + "'");
                    }
                }
            }
        }
    }

    /** Names of one length, so the twin's statements are the recorded ones with one letter changed. */
    private static String name(char via, int i) {
        return String.format(Locale.ROOT, "dbpbench_%c%03d", via, i);
    }

    private static String shape(List<Recorded> statements) {
        long reads = statements.stream().filter(Recorded::prepared).count();
        long writes = statements.size() - reads;
        return reads + " reads + " + writes + (writes == 1 ? " write" : " writes");
    }

    /**
     * CPU time of every live platform thread of this JVM (virtual threads count on their carriers), in nanoseconds:
     * the process CPU clock the OS bean offers ticks in 10 ms here. Read outside the timed window.
     */
    private static long cpuNanos() {
        long sum = 0;
        for (long nanos : THREADS.getThreadCpuTime(THREADS.getAllThreadIds())) {
            sum += Math.max(0, nanos);
        }
        return sum;
    }

    private static long time(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return System.nanoTime() - start;
    }

    /**
     * What borrowing a pooled connection costs (the provisioner's {@link ConnectionPools}, its admin database), right
     * after the connection was last used and after it sat idle longer than HikariCP's alive-bypass window (500 ms by
     * default; past it HikariCP checks the connection with {@code isValid}, a round trip to the server), with the
     * window as configured now and with 60 s.
     */
    private static String borrowNote(Target target) throws InterruptedException {
        String property = "com.zaxxer.hikari.aliveBypassWindowMs";
        String configured = System.getProperty(property);
        StringBuilder out = new StringBuilder(target.name() + ": borrowing a pooled connection (p50 µs):");
        for (String window : new String[] {configured, "60000"}) {
            if (window == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, window);
            }
            try (ConnectionPools pools = new ConnectionPools()) {
                for (int i = 0; i < 5; i++) {
                    pools.borrow(target.instance(), "", null).close();
                }
                long[] hot = new long[40];
                for (int i = 0; i < hot.length; i++) {
                    hot[i] = timedBorrow(pools, target);
                }
                long[] idle = new long[8];
                for (int i = 0; i < idle.length; i++) {
                    Thread.sleep(700);
                    idle[i] = timedBorrow(pools, target);
                }
                out.append(String.format(
                        Locale.ROOT,
                        " window %s ms: right after use %.0f, after 700 ms idle %.0f;",
                        window == null ? "500 (default)" : window,
                        percentile(hot, 50) * 1000,
                        percentile(idle, 50) * 1000));
            }
        }
        if (configured == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, configured);
        }
        return out.toString();
    }

    private static long timedBorrow(ConnectionPools pools, Target target) {
        long start = System.nanoTime();
        ConnectionPools.Lease lease = pools.borrow(target.instance(), "", null);
        long took = System.nanoTime() - start;
        lease.close();
        return took;
    }

    /** What the provisioner computes for a PostgreSQL password instead of sending it: not SQL, so not replayed. */
    private static String scramNote() {
        int n = Math.max(20, ITERATIONS);
        long[] nanos = new long[n];
        for (int i = 0; i < WARMUP; i++) {
            ScramSha256.verifier(PASSWORD);
        }
        for (int i = 0; i < n; i++) {
            nanos[i] = time(() -> ScramSha256.verifier(PASSWORD));
        }
        return String.format(
                Locale.ROOT,
                "One SCRAM-SHA-256 verifier (%d PBKDF2 iterations; PostgreSQL create user computes one, so no plaintext"
                        + " password reaches the server) takes %.2f ms p50 in the provisioner; the replay sends the"
                        + " verifier the provisioner computed.",
                ScramSha256.ITERATIONS,
                percentile(nanos, 50));
    }

    private static String table(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "Engine operations, %d iterations after %d warm-up (ms): gRPC + mTLS on loopback vs the same"
                        + " statements replayed over one plain JDBC connection%n%n",
                ITERATIONS,
                WARMUP));
        out.append(
                "| engine | server | operation | statements | gRPC p50 | gRPC p99 | SQL inside p50 | JDBC p50 | JDBC p99"
                        + " | p50 ratio | CPU/call gRPC | CPU/call JDBC |\n");
        out.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            double grpc50 = percentile(row.grpc(), 50);
            double jdbc50 = percentile(row.jdbc(), 50);
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f× | %.2f | %.2f |%n",
                    row.engine(),
                    row.variant(),
                    row.operation(),
                    row.statements(),
                    grpc50,
                    percentile(row.grpc(), 99),
                    percentile(row.inside(), 50),
                    jdbc50,
                    percentile(row.jdbc(), 99),
                    grpc50 / jdbc50,
                    percentile(row.grpcCpu(), 50),
                    percentile(row.jdbcCpu(), 50)));
        }
        out.append("\nWhere a call's time goes (p50, ms): before its first statement (client, gRPC + mTLS, dispatch,"
                + " the engine's work before it reads, borrowing the connection), between its statements (the engine's"
                + " work: validation, diff, plan rendering, a SCRAM verifier), after its last one (the response"
                + " back to the client)\n\n");
        out.append("| engine | server | operation | before first | between | after last | statements: render+bind"
                + " | execute | fetch |\n|---|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            if (row.statements().equals("—")) {
                continue;
            }
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %.2f | %.2f | %.2f | %.3f | %.3f | %.3f |%n",
                    row.engine(),
                    row.variant(),
                    row.operation(),
                    percentile(row.before(), 50),
                    percentile(row.between(), 50),
                    percentile(row.after(), 50),
                    percentile(row.render(), 50),
                    percentile(row.execute(), 50),
                    percentile(row.fetch(), 50)));
        }
        out.append(timelines(rows));
        out.append("\n\"SQL inside\": the time the call's statements took inside the provisioner (jOOQ render, bind,"
                + " execute, fetch).\n");
        return out.toString();
    }

    /**
     * One call's timeline per engine and operation, the server set-ups side by side: each mark's p50 offset from the
     * stub being called and the p50 step from the mark before it (in the same call), in µs.
     */
    private static String timelines(List<Row> rows) {
        StringBuilder out = new StringBuilder(
                "\nTimeline of a call (µs, p50 over the calls): offset from the stub call / step from the previous"
                        + " mark; the statements' own time is between \"first statement starts\" and \"last statement"
                        + " ends\"\n");
        Map<String, List<Row>> byOperation = new LinkedHashMap<>();
        for (Row row : rows) {
            byOperation
                    .computeIfAbsent(row.engine() + " " + row.operation(), k -> new ArrayList<>())
                    .add(row);
        }
        CallTimeline.Mark[] all = CallTimeline.Mark.values();
        byOperation.forEach((name, group) -> {
            out.append("\n").append(name).append(":\n\n| mark |");
            group.forEach(row -> out.append(' ').append(row.variant()).append(" |"));
            out.append("\n|---|");
            group.forEach(row -> out.append("---:|"));
            out.append('\n');
            for (CallTimeline.Mark mark : all) {
                StringBuilder line = new StringBuilder("| " + mark.label + " |");
                boolean any = false;
                for (Row row : group) {
                    List<Long> offsets = new ArrayList<>();
                    List<Long> steps = new ArrayList<>();
                    for (long[] sample : row.marks()) {
                        long at = sample[mark.ordinal()];
                        long start = sample[CallTimeline.Mark.CLIENT_START.ordinal()];
                        if (at == 0 || start == 0) {
                            continue;
                        }
                        long previous = start;
                        for (int m = mark.ordinal() - 1; m >= 0; m--) {
                            if (sample[m] != 0) {
                                previous = sample[m];
                                break;
                            }
                        }
                        offsets.add(at - start);
                        steps.add(at - previous);
                    }
                    if (offsets.isEmpty()) {
                        line.append(" — |");
                        continue;
                    }
                    any = true;
                    line.append(String.format(Locale.ROOT, " %d / %d |", medianMicros(offsets), medianMicros(steps)));
                }
                if (any) {
                    out.append(line).append('\n');
                }
            }
        });
        return out.toString();
    }

    private static long medianMicros(List<Long> nanos) {
        long[] values = nanos.stream().mapToLong(Long::longValue).toArray();
        return Math.round(percentile(values, 50) * 1000);
    }

    /** The statements of the last iteration of each operation, as replayed (secrets redacted here). */
    private static String statements(Map<String, List<Recorded>> samples) {
        StringBuilder out = new StringBuilder("What the baseline replays (the last iteration's statements):\n");
        samples.forEach((operation, statements) -> {
            out.append("\n").append(operation).append(":\n");
            for (Recorded r : statements) {
                out.append("- ")
                        .append(r.prepared() ? "read " : "write ")
                        .append('`')
                        .append(redacted(r.sql()))
                        .append('`');
                if (!r.binds().isEmpty()) {
                    out.append(" binds ").append(binds(r.binds()));
                }
                out.append('\n');
            }
        });
        return out.toString();
    }

    private static String binds(List<Object> binds) {
        List<String> shown = new ArrayList<>();
        for (Object b : binds) {
            shown.add(b instanceof Object[] array ? Arrays.toString(array) : String.valueOf(b));
        }
        return shown.toString();
    }

    private static String redacted(String sql) {
        return sql.replaceAll("SCRAM-SHA-256\\$[^']*", "<redacted>").replaceAll("\\*[0-9A-Fa-f]{40}", "<redacted>");
    }

    /** The percentile in milliseconds (nearest rank). */
    private static double percentile(long[] nanos, int percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1_000_000.0;
    }

    private static ByteArrayInputStream pem(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
    }
}
