package io.dbprovision.apiserver.portal.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.apiserver.server.StandaloneServer;
import io.dbprovision.proto.portal.v1alpha1.AccessProfile;
import io.dbprovision.proto.portal.v1alpha1.Connection;
import io.dbprovision.proto.portal.v1alpha1.CreateDatabaseInstanceRequest;
import io.dbprovision.proto.portal.v1alpha1.DatabaseInstancesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DatabasesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.GetConnectionRequest;
import io.dbprovision.proto.portal.v1alpha1.GetDatabaseInstanceRequest;
import io.dbprovision.proto.portal.v1alpha1.GetDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.ListDatabasesRequest;
import io.dbprovision.proto.portal.v1alpha1.PortalServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseProgress;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseRequest;
import io.dbprovision.proto.v1alpha1.ConnectionConfig;
import io.dbprovision.proto.v1alpha1.CredentialSecretRef;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseInstanceSpec;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.InstancePhase;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The portal against REST on one standalone server (embedded store, reconcilers, in-process provisioner) and the
 * machine's PostgreSQL, in the same run:
 *
 * <ul>
 *   <li>a database with credentials end to end: gRPC {@code RequestDatabase} until its last message (Ready, with the
 *       connection details) and {@code GetConnection} with the password, against REST doing the same by hand — POST
 *       the Database, DatabaseUser and DatabaseGrant (the very objects RequestDatabase makes, taken from its dry run),
 *       wait until all three are Ready (one watch per collection, as {@code kubectl wait}), GET the user and its
 *       credentials Secret. The two alternate, one request at a time;
 *   <li>unary reads: Get of one Database and List of the namespace's Databases, over gRPC (protobuf) and over REST
 *       (JSON, HTTP/2), one client, one call at a time, alternating in blocks.
 * </ul>
 *
 * Run with {@code ./build -o -pl apiserver verify -Pportal-bench} (after {@code install -DskipTests}); writes
 * {@code target/portal-bench.md}. Everything it makes on PostgreSQL is named {@code pbench_*} and dropped before and
 * after.
 */
public final class PortalBench {
    private static final String NAMESPACE = "pbench";
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/postgres";
    private static final String DBOPS = "/apis/dbops.dbprovision.io/v1alpha1/namespaces/" + NAMESPACE;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StandaloneServer server;
    private final ManagedChannel channel;
    private final HttpClient http;
    private final String base;
    private final KubeCodec codec = KubeCodec.standard();
    private final CallCredentials bearer;

    private PortalBench(StandaloneServer server) throws Exception {
        this.server = server;
        this.channel = NettyChannelBuilder.forAddress(
                        "127.0.0.1", server.portalPort().orElseThrow())
                .sslContext(GrpcSslContexts.forClient()
                        .trustManager(server.caCertificate().toFile())
                        .build())
                .maxInboundMessageSize(64 * 1024 * 1024)
                .build();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .sslContext(trusting(server.caCertificate()))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        this.base = "https://127.0.0.1:" + server.port();
        String token = server.adminToken();
        this.bearer = new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                applier.apply(headers);
            }
        };
    }

    public static void main(String[] args) throws Exception {
        int requests = Integer.getInteger("bench.requests", 20);
        int requestWarmup = Integer.getInteger("bench.requestWarmup", 3);
        int reads = Integer.getInteger("bench.reads", 2000);
        int readWarmup = Integer.getInteger("bench.readWarmup", 500);
        Path data = Path.of(System.getProperty("bench.data", "target/portal-bench-data"));
        Path out = Path.of(System.getProperty("bench.out", "target/portal-bench.md"));
        deleteTree(data);
        dropEngineObjects();
        String machine = machine();
        StringBuilder report = new StringBuilder();
        try (StandaloneServer server = StandaloneServer.start(
                StandaloneServer.Options.of(data, "127.0.0.1", 0, true).withPortal("127.0.0.1", 0))) {
            PortalBench bench = new PortalBench(server);
            try {
                bench.setUp();
                report.append("## Portal benchmark\n\n").append(machine).append("\n\n");
                report.append(bench.requestDatabase(requestWarmup, requests));
                report.append(bench.reads(readWarmup, reads));
                report.append("\n- load average (1, 5, 15 min) at the end: ")
                        .append(loadAverage())
                        .append("\n");
            } finally {
                bench.channel.shutdownNow();
            }
        } finally {
            dropEngineObjects();
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report.toString());
        System.out.println(report);
    }

    // ---- set-up

    private void setUp() throws Exception {
        rest("POST", "/api/v1/namespaces", """
                {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"pbench"}}""", 201);
        rest("POST", "/api/v1/namespaces/pbench/secrets", """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"pbench-admin"},
                 "stringData":{"username":"postgres","password":""}}""", 201);
        DatabaseInstancesServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(bearer)
                .createDatabaseInstance(CreateDatabaseInstanceRequest.newBuilder()
                        .setParent("namespaces/" + NAMESPACE)
                        .setDatabaseInstance(DatabaseInstance.newBuilder()
                                .setMetadata(ObjectMeta.newBuilder().setName("pg"))
                                .setSpec(DatabaseInstanceSpec.newBuilder()
                                        .setEngine(EngineType.ENGINE_TYPE_POSTGRES)
                                        .setConnection(ConnectionConfig.newBuilder()
                                                .setHost("127.0.0.1")
                                                .setPort(5432)
                                                .setDatabase("postgres")
                                                .setSecretRef(CredentialSecretRef.newBuilder()
                                                        .setName("pbench-admin")))
                                        .setDeletionProtection(false)))
                        .build());
        Instant deadline = Instant.now().plusSeconds(120);
        while (DatabaseInstancesServiceGrpc.newBlockingStub(channel)
                        .withCallCredentials(bearer)
                        .getDatabaseInstance(GetDatabaseInstanceRequest.newBuilder()
                                .setName("namespaces/" + NAMESPACE + "/databaseinstances/pg")
                                .build())
                        .getStatus()
                        .getPhase()
                != InstancePhase.INSTANCE_PHASE_READY) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the instance did not become Ready in 120 s");
            }
            Thread.sleep(50);
        }
    }

    // ---- RequestDatabase against REST

    private String requestDatabase(int warmup, int rounds) throws Exception {
        List<Long> grpc = new ArrayList<>();
        List<Long> rest = new ArrayList<>();
        try (ReadyWatches watches = new ReadyWatches(http, base, server.adminToken())) {
            for (int i = 0; i < warmup + rounds; i++) {
                long viaGrpc = overGrpc("g" + i);
                long viaRest = overRest("r" + i, watches);
                if (i >= warmup) {
                    grpc.add(viaGrpc);
                    rest.add(viaRest);
                }
            }
        }
        return "### A database with credentials, end to end (" + rounds + " each after " + warmup
                + " warm-up, alternating)\n\n"
                + "| path | p50 | p99 | mean |\n|---|---|---|---|\n"
                + row("gRPC RequestDatabase → Ready message, then GetConnection with the password", grpc)
                + row(
                        "REST: POST Database + DatabaseUser + DatabaseGrant, watch until all three Ready, GET user and"
                                + " Secret",
                        rest)
                + "\n";
    }

    /** RequestDatabase until its last message, then the password; nanoseconds. */
    private long overGrpc(String name) {
        long start = System.nanoTime();
        List<RequestDatabaseProgress> progress = new ArrayList<>();
        PortalServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(bearer)
                .withDeadlineAfter(5, TimeUnit.MINUTES)
                .requestDatabase(request(name, false))
                .forEachRemaining(progress::add);
        RequestDatabaseProgress last = progress.getLast();
        if (!last.getReady()) {
            throw new IllegalStateException("RequestDatabase " + name + " ended without Ready: " + last.getMessage());
        }
        Connection connection = PortalServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(bearer)
                .getConnection(GetConnectionRequest.newBuilder()
                        .setName("namespaces/" + NAMESPACE + "/databaseusers/"
                                + last.getUser().getMetadata().getName())
                        .setIncludePassword(true)
                        .build());
        long elapsed = System.nanoTime() - start;
        if (connection.getPassword().isEmpty()) {
            throw new IllegalStateException("no password for " + name);
        }
        return elapsed;
    }

    /**
     * The same three objects by hand over REST. They are taken from a RequestDatabase dry run before the clock starts,
     * so both paths ask the reconcilers for exactly the same work.
     */
    private long overRest(String name, ReadyWatches watches) throws Exception {
        List<RequestDatabaseProgress> dryRun = new ArrayList<>();
        PortalServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(bearer)
                .requestDatabase(request(name, true))
                .forEachRemaining(dryRun::add);
        RequestDatabaseProgress objects = dryRun.getFirst();
        String database = json(objects.getDatabase());
        String user = json(objects.getUser());
        String grant = json(objects.getGrant());
        String userName = objects.getUser().getMetadata().getName();
        ReadyWatches.Pending ready = watches.expect(
                objects.getDatabase().getMetadata().getName(),
                userName,
                objects.getGrant().getMetadata().getName());

        long start = System.nanoTime();
        rest("POST", DBOPS + "/databases", database, 201);
        rest("POST", DBOPS + "/databaseusers", user, 201);
        rest("POST", DBOPS + "/databasegrants", grant, 201);
        ready.await(Duration.ofMinutes(5));
        JsonNode stored = JSON.readTree(rest("GET", DBOPS + "/databaseusers/" + userName, null, 200));
        String secretName = stored.path("status").path("secret").path("name").asText();
        JsonNode secret =
                JSON.readTree(rest("GET", "/api/v1/namespaces/" + NAMESPACE + "/secrets/" + secretName, null, 200));
        long elapsed = System.nanoTime() - start;
        if (secret.path("data").path("password").asText().isEmpty()) {
            throw new IllegalStateException("no password in Secret " + secretName);
        }
        return elapsed;
    }

    private static RequestDatabaseRequest request(String name, boolean validateOnly) {
        return RequestDatabaseRequest.newBuilder()
                .setNamespace(NAMESPACE)
                .setInstance("pg")
                .setDatabase(name)
                .setProfile(AccessProfile.READ_WRITE)
                .setValidateOnly(validateOnly)
                .build();
    }

    /** The object as {@code kubectl create} would send it: name, namespace, labels and spec; no status. */
    private String json(Message object) {
        Message.Builder builder = object.toBuilder();
        FieldDescriptor metadata = builder.getDescriptorForType().findFieldByName("metadata");
        ObjectMeta meta = (ObjectMeta) object.getField(metadata);
        builder.setField(
                metadata,
                ObjectMeta.newBuilder()
                        .setName(meta.getName())
                        .setNamespace(meta.getNamespace())
                        .putAllLabels(meta.getLabelsMap())
                        .build());
        builder.clearField(builder.getDescriptorForType().findFieldByName("status"));
        return new String(codec.encodeJson(builder.build()), StandardCharsets.UTF_8);
    }

    // ---- unary reads

    private String reads(int warmup, int calls) {
        String name = "g0";
        DatabasesServiceGrpc.DatabasesServiceBlockingStub databases =
                DatabasesServiceGrpc.newBlockingStub(channel).withCallCredentials(bearer);
        GetDatabaseRequest get = GetDatabaseRequest.newBuilder()
                .setName("namespaces/" + NAMESPACE + "/databases/" + name)
                .build();
        ListDatabasesRequest list = ListDatabasesRequest.newBuilder()
                .setParent("namespaces/" + NAMESPACE)
                .build();
        int items = databases.listDatabases(list).getDatabasesCount();
        List<Long> grpcGet = new ArrayList<>();
        List<Long> restGet = new ArrayList<>();
        List<Long> grpcList = new ArrayList<>();
        List<Long> restList = new ArrayList<>();
        int block = 100;
        for (int done = 0; done < warmup + calls; done += block) {
            boolean measured = done >= warmup;
            for (int i = 0; i < block; i++) {
                long start = System.nanoTime();
                databases.getDatabase(get);
                record(measured, grpcGet, start);
            }
            for (int i = 0; i < block; i++) {
                long start = System.nanoTime();
                rest("GET", DBOPS + "/databases/" + name, null, 200);
                record(measured, restGet, start);
            }
            for (int i = 0; i < block; i++) {
                long start = System.nanoTime();
                databases.listDatabases(list);
                record(measured, grpcList, start);
            }
            for (int i = 0; i < block; i++) {
                long start = System.nanoTime();
                rest("GET", DBOPS + "/databases", null, 200);
                record(measured, restList, start);
            }
        }
        return "### Unary reads (" + grpcGet.size() + " calls each after " + warmup
                + " warm-up, one client, one call at a time, alternating in blocks of " + block + ")\n\n"
                + "| call | p50 | p99 | mean |\n|---|---|---|---|\n"
                + row("gRPC GetDatabase", grpcGet)
                + row("REST GET databases/{name} (JSON)", restGet)
                + row("gRPC ListDatabases (" + items + " items)", grpcList)
                + row("REST GET databases (" + items + " items, JSON)", restList)
                + "\n";
    }

    private static void record(boolean measured, List<Long> samples, long start) {
        long elapsed = System.nanoTime() - start;
        if (measured) {
            samples.add(elapsed);
        }
    }

    // ---- REST

    private String rest(String method, String path, String body, int expected) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + server.adminToken())
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(60));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " "
                        + response.body()
                                .substring(0, Math.min(300, response.body().length())));
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static SSLContext trusting(Path caCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (var in = Files.newInputStream(caCertificate)) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    // ---- report

    private static String row(String label, List<Long> nanos) {
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return "| " + label + " | " + ms(percentile(sorted, 50)) + " | " + ms(percentile(sorted, 99)) + " | "
                + ms((long) Arrays.stream(sorted).average().orElse(Double.NaN)) + " |\n";
    }

    /** Nearest rank over every sample. */
    private static long percentile(long[] sorted, double percentile) {
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static String ms(long nanos) {
        double ms = nanos / 1e6;
        return ms >= 100
                ? String.format(Locale.ROOT, "%.0f ms", ms)
                : String.format(Locale.ROOT, ms >= 10 ? "%.1f ms" : "%.2f ms", ms);
    }

    private static String machine() {
        String cpu = firstLine("/proc/cpuinfo", "model name");
        String memory = firstLine("/proc/meminfo", "MemTotal:");
        return "- cores: " + Runtime.getRuntime().availableProcessors() + " (nproc), CPU: "
                + cpu.substring(cpu.indexOf(':') + 1).trim() + ", memory: "
                + String.format(Locale.ROOT, "%.1f GiB", Long.parseLong(memory.replaceAll("\\D", "")) / 1024.0 / 1024.0)
                + "\n- JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / 1048576 + " MiB"
                + "\n- PostgreSQL: " + postgresVersion()
                + "\n- server: standalone, embedded store (fsync on), reconcilers and provisioner in process; the"
                + " benchmark's client in the same JVM"
                + "\n- load average (1, 5, 15 min) at the start: " + loadAverage();
    }

    private static String firstLine(String file, String prefix) {
        try {
            return Files.readAllLines(Path.of(file)).stream()
                    .filter(line -> line.startsWith(prefix))
                    .findFirst()
                    .orElse(prefix + " ?");
        } catch (IOException e) {
            return prefix + " ?";
        }
    }

    private static String loadAverage() {
        try {
            return String.join(
                    " ",
                    List.of(Files.readString(Path.of("/proc/loadavg")).trim().split(" "))
                            .subList(0, 3));
        } catch (IOException e) {
            return "?";
        }
    }

    private static String postgresVersion() {
        try (var admin = DriverManager.getConnection(POSTGRES, "postgres", "");
                Statement sql = admin.createStatement();
                ResultSet row = sql.executeQuery("show server_version")) {
            return row.next() ? row.getString(1) : "?";
        } catch (SQLException e) {
            return "not reachable";
        }
    }

    // ---- clean-up

    private static void dropEngineObjects() throws SQLException {
        try (var admin = DriverManager.getConnection(POSTGRES, "postgres", "");
                Statement sql = admin.createStatement()) {
            List<String> databases = new ArrayList<>();
            try (ResultSet rows = sql.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'pbench\\_%'")) {
                while (rows.next()) {
                    databases.add(rows.getString(1));
                }
            }
            for (String database : databases) {
                sql.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
            }
            List<String> roles = new ArrayList<>();
            try (ResultSet rows = sql.executeQuery("SELECT rolname FROM pg_roles WHERE rolname LIKE 'pbench\\_%'")) {
                while (rows.next()) {
                    roles.add(rows.getString(1));
                }
            }
            for (String role : roles) {
                sql.execute("DROP ROLE IF EXISTS \"" + role + "\"");
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
