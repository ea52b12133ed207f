package io.dbprovision.provisioner.bench;

import io.dbprovision.proto.engine.v1alpha1.ApplyGrantsRequest;
import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.EngineServiceGrpc;
import io.dbprovision.proto.engine.v1alpha1.EnsureDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.EnsureUserRequest;
import io.dbprovision.proto.engine.v1alpha1.GeneratePasswordRequest;
import io.dbprovision.proto.engine.v1alpha1.GrantSet;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserRequest;
import io.dbprovision.proto.engine.v1alpha1.PlannedStatement;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.MySQLGrant;
import io.dbprovision.proto.v1alpha1.MySQLGrantConfig;
import io.dbprovision.proto.v1alpha1.MySQLGrantLevel;
import io.dbprovision.proto.v1alpha1.PostgresGrant;
import io.dbprovision.proto.v1alpha1.PostgresGrantConfig;
import io.dbprovision.provisioner.ProvisionerWiring;
import io.dbprovision.provisioner.engine.Engines;
import io.dbprovision.provisioner.engine.Step;
import io.dbprovision.provisioner.engine.password.MySqlNativePassword;
import io.dbprovision.provisioner.engine.password.ScramSha256;
import io.dbprovision.provisioner.server.ProvisionerServer;
import io.dbprovision.provisioner.server.TestPki;
import io.dbprovision.provisioner.server.TlsFiles;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The provisioner's per-operation latency through gRPC + mutual TLS on loopback next to the same SQL over JDBC
 * directly, in one run: create database, create user, grant, observe, on the local PostgreSQL and MariaDB. Not a
 * test: run with {@code ./build -pl provisioner -Pengine-bench verify}; prints a Markdown table (also written to
 * {@code -Dbench.out}).
 *
 * <p>The JDBC column runs, on one plain connection, exactly the statements the engine reports in its plan for the
 * same operation (a validate_only call on a twin object supplies them, its secrets as the literal placeholder); the
 * gRPC column also includes what the engine reads first to decide (its idempotence). Observe is compared with one
 * catalog query for the user, and a call that touches no database (GeneratePassword) with {@code select 1}, which
 * isolates what gRPC + mTLS itself costs. Every object is named {@code dbpsrv_bench_*} and dropped at the end.
 */
public final class EngineBench {
    private static final int ITERATIONS = Integer.getInteger("bench.iterations", 100);
    private static final int WARMUP = Integer.getInteger("bench.warmup", 20);
    private static final List<String> ENGINES =
            List.of(System.getProperty("bench.engines", "postgres,mariadb").split(","));
    private static final String PASSWORD = "dbpsrv-Bench-pw-1";

    private EngineBench() {}

    /** One engine under test: how the provisioner reaches it and how JDBC does. */
    private record Target(String name, Instance instance, String jdbcUrl, String user, boolean postgres) {}

    /** One row of the table. */
    private record Row(String engine, String operation, long[] grpc, long[] jdbc) {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("dbpsrv-bench");
        TestPki.Issued ca = TestPki.ca("dbpsrv bench CA");
        TestPki.server(ca, "dbpsrv bench provisioner").write(dir, "server");
        Path clientCa = ca.write(dir, "ca");
        TestPki.Issued client = TestPki.client(ca, "dbpsrv bench client");
        List<Row> rows = new ArrayList<>();
        try (ProvisionerWiring wiring = ProvisionerWiring.create(Duration.ofMinutes(5))) {
            ProvisionerServer server = ProvisionerServer.builder()
                    .port(0)
                    .bindAddress("127.0.0.1")
                    .tls(TlsFiles.mutual(dir.resolve("server.crt"), dir.resolve("server.key"), clientCa))
                    .service(wiring.service())
                    .build()
                    .start();
            ManagedChannel channel = Grpc.newChannelBuilderForAddress(
                            "localhost",
                            server.port(),
                            TlsChannelCredentials.newBuilder()
                                    .trustManager(pem(ca.certificatePem()))
                                    .keyManager(pem(client.certificatePem()), pem(client.keyPem()))
                                    .build())
                    .build();
            Engines engines = new Engines(ProvisionerWiring.engines());
            try {
                for (Target target : targets()) {
                    if (!engines.supports(target.instance().getEngine())) {
                        System.out.printf("%s: skipped, no engine for it in this build%n", target.name());
                        continue;
                    }
                    rows.addAll(run(target, EngineServiceGrpc.newBlockingStub(channel)));
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                server.shutdown();
            }
        }
        String table = table(rows);
        System.out.println(table);
        String out = System.getProperty("bench.out");
        if (out != null && !out.isEmpty()) {
            Files.writeString(Path.of(out), table);
        }
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
                            "jdbc:postgresql://127.0.0.1:5432/postgres",
                            "postgres",
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
                            "jdbc:mysql://127.0.0.1:3306/?sslMode=DISABLED&allowPublicKeyRetrieval=true",
                            "root",
                            false));
                default -> throw new IllegalArgumentException("unknown bench engine " + engine);
            }
        }
        return targets;
    }

    private static List<Row> run(Target target, EngineServiceGrpc.EngineServiceBlockingStub stub) throws SQLException {
        int total = WARMUP + ITERATIONS;
        long[][] grpc = new long[5][total];
        long[][] jdbc = new long[5][total];
        List<String> databases = new ArrayList<>();
        List<String> users = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(target.jdbcUrl(), target.user(), "")) {
            for (int i = 0; i < total; i++) {
                String viaGrpc = "dbpsrv_bench_g" + i;
                String viaJdbc = "dbpsrv_bench_j" + i;
                databases.add(viaGrpc);
                databases.add(viaJdbc);
                users.add(viaGrpc);
                users.add(viaJdbc);

                grpc[0][i] = time(() -> stub.ensureDatabase(database(target, viaGrpc, false)));
                jdbc[0][i] = timeSql(connection, stub.ensureDatabase(database(target, viaJdbc, true)));

                grpc[1][i] = time(() -> stub.ensureUser(user(target, viaGrpc, false)));
                jdbc[1][i] = timeSql(connection, stub.ensureUser(user(target, viaJdbc, true)));

                grpc[2][i] = time(() -> stub.applyGrants(grant(target, viaGrpc, false)));
                jdbc[2][i] = timeSql(connection, stub.applyGrants(grant(target, viaJdbc, true)));

                grpc[3][i] = time(() -> stub.observeUser(ObserveUserRequest.newBuilder()
                        .setInstance(target.instance())
                        .setDesired(UserDefinition.newBuilder().setName(viaGrpc))
                        .build()));
                jdbc[3][i] = timeObserve(connection, target, viaJdbc);

                // The transport alone: a call that touches no database next to the cheapest statement.
                grpc[4][i] = time(() -> stub.generatePassword(GeneratePasswordRequest.getDefaultInstance()));
                jdbc[4][i] = timeSelectOne(connection);
            }
        } finally {
            cleanUp(target, databases, users);
        }
        String[] operations = {
            "create database", "create user", "grant", "observe user", "round trip (GeneratePassword / select 1)"
        };
        List<Row> rows = new ArrayList<>();
        for (int op = 0; op < operations.length; op++) {
            rows.add(new Row(
                    target.name(),
                    operations[op],
                    Arrays.copyOfRange(grpc[op], WARMUP, total),
                    Arrays.copyOfRange(jdbc[op], WARMUP, total)));
        }
        return rows;
    }

    private static EnsureDatabaseRequest database(Target target, String name, boolean validateOnly) {
        return EnsureDatabaseRequest.newBuilder()
                .setInstance(target.instance())
                .setValidateOnly(validateOnly)
                .setDatabase(DatabaseDefinition.newBuilder().setName(name))
                .build();
    }

    private static EnsureUserRequest user(Target target, String name, boolean validateOnly) {
        return EnsureUserRequest.newBuilder()
                .setInstance(target.instance())
                .setValidateOnly(validateOnly)
                .setUser(UserDefinition.newBuilder().setName(name).setPassword(PASSWORD))
                .build();
    }

    private static ApplyGrantsRequest grant(Target target, String name, boolean validateOnly) {
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
                .setValidateOnly(validateOnly)
                .setGrants(grants)
                .build();
    }

    private static long time(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return System.nanoTime() - start;
    }

    /** Runs a plan's statements directly; only statements for the admin database (the bench's are all there). */
    private static final String SCRAM_VERIFIER = ScramSha256.verifier(PASSWORD);

    private static final String NATIVE_HASH = MySqlNativePassword.hash(PASSWORD);

    /** What stands in the executed statement where the plan shows {@code <redacted>} (hashed once, untimed). */
    private static String secretForm(Connection connection) {
        return isPostgres(connection) ? SCRAM_VERIFIER : NATIVE_HASH;
    }

    private static boolean isPostgres(Connection connection) {
        try {
            return connection.getMetaData().getURL().startsWith("jdbc:postgresql:");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long timeSql(Connection connection, ChangeResponse plan) throws SQLException {
        long start = System.nanoTime();
        try (Statement statement = connection.createStatement()) {
            for (PlannedStatement step : plan.getPlanList()) {
                // Plans are redacted; the direct run sends what the engine received: the SCRAM verifier or the
                // native hash the provisioner computed (computed once, outside the timing).
                statement.execute(step.getSql().replace(Step.REDACTED, secretForm(connection)));
            }
        }
        return System.nanoTime() - start;
    }

    private static long timeObserve(Connection connection, Target target, String user) throws SQLException {
        String sql = target.postgres()
                ? "select rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolconnlimit,"
                        + " rolvaliduntil, rolconfig from pg_roles where rolname = ?"
                : "select User, Host, Priv from mysql.global_priv where User = ?";
        long start = System.nanoTime();
        try (PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, user);
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    result.getString(1);
                }
            }
        }
        return System.nanoTime() - start;
    }

    private static long timeSelectOne(Connection connection) throws SQLException {
        long start = System.nanoTime();
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("select 1")) {
            result.next();
        }
        return System.nanoTime() - start;
    }

    private static void cleanUp(Target target, List<String> databases, List<String> users) throws SQLException {
        try (Connection connection = DriverManager.getConnection(target.jdbcUrl(), target.user(), "");
                Statement statement = connection.createStatement()) {
            for (String database : databases) {
                statement.execute(
                        target.postgres()
                                ? "drop database if exists \"" + database + "\" with (force)"
                                : "drop database if exists `" + database + "`");
            }
            for (String user : users) {
                if (target.postgres()) {
                    statement.execute("drop role if exists \"" + user + "\"");
                } else {
                    try (ResultSet hosts = connection
                            .createStatement()
                            .executeQuery("select Host from mysql.user where User = '" + user + "'")) {
                        List<String> found = new ArrayList<>();
                        while (hosts.next()) {
                            found.add(hosts.getString(1));
                        }
                        for (String host : found) {
                            statement.execute("drop user if exists '" + user + "'@'" + host + "'");
                        }
                    }
                }
            }
        }
    }

    private static String table(List<Row> rows) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "Engine operations, %d iterations after %d warm-up (ms): gRPC + mTLS on loopback vs the same SQL over"
                        + " JDBC%n%n",
                ITERATIONS,
                WARMUP));
        out.append("| engine | operation | gRPC p50 | gRPC p99 | JDBC p50 | JDBC p99 | p50 ratio |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            double grpc50 = percentile(row.grpc(), 50);
            double jdbc50 = percentile(row.jdbc(), 50);
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f× |%n",
                    row.engine(),
                    row.operation(),
                    grpc50,
                    percentile(row.grpc(), 99),
                    jdbc50,
                    percentile(row.jdbc(), 99),
                    grpc50 / jdbc50));
        }
        return out.toString();
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
