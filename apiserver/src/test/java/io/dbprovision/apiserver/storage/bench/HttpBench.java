package io.dbprovision.apiserver.storage.bench;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.codec.Limits;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.MessagePaths;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.registry.ListQuery;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.Page;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.registry.Written;
import io.dbprovision.apiserver.storage.Attributes;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.ListOptions;
import io.dbprovision.apiserver.storage.ObjectKey;
import io.dbprovision.apiserver.storage.StorageException;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.WatchEvent;
import io.dbprovision.apiserver.storage.WatchOptions;
import io.dbprovision.apiserver.storage.Watcher;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.io.IOException;
import java.io.InputStream;
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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The HTTP benchmark of issue 4: the same operations through the REST API over HTTPS (the standalone server in a JVM
 * of its own, {@link ServerProcess}, so that its CPU is measured apart from the load driver's; driven by
 * {@link HttpClient} with the admin token over HTTP/2 and HTTP/1.1) and on the storage layer
 * directly ({@link CachingStorage}, same backend and settings, objects of the same size), in one run and interleaved
 * round by round so that the machine's load hits both alike. A third column runs the API layer in process without
 * HTTP (the registry and the codec, as the endpoints call them) to show where the HTTP path's time goes. It lives next
 * to {@link StorageBench} to share its samples, machine description and create records; docs/performance.md has the
 * command, the method and the results.
 */
public final class HttpBench {
    private static final io.dbprovision.apiserver.request.RequestContext CTX =
            io.dbprovision.apiserver.request.RequestContext.internal("bench");
    static final String GROUP_VERSION_PATH = "/apis/" + Schema.API_VERSION;
    static final String LIST_NAMESPACE = "bench-list";
    static final String WATCH_NAMESPACE = "bench-watch";
    static final int NAMESPACES = 10;
    static final String STORAGE = "storage";
    static final String API = "api in process";
    private static final Pattern RESOURCE_VERSION = Pattern.compile("\"resourceVersion\":\"(\\d+)\"");

    private final Config config;
    private final Kind kind = Schema.get().byKind("DatabaseInstance").orElseThrow();
    private final String resource = kind.qualifiedResource();
    private final KubeCodec codec = new KubeCodec(List.of(Schema.get(), Schema.core()), Limits.defaults());
    private final CachingStorage storage;
    private final Registry registry;
    private final ResourceStore api;
    /** A server process per authorization mode ({@code bench.auth}); its HTTP columns are one per protocol. */
    private final Map<BenchAuth, ServerProcess> servers = new LinkedHashMap<>();
    /** The kube-apiserver that the SAR mode's server asks; null without that mode. */
    private BenchKubeApiServer cluster;

    private final Map<String, Http> http = new LinkedHashMap<>();
    private final Message template;
    /**
     * Results: column (storage, api in process, or a protocol, with the authorization mode when several are run)
     * → measurement → value.
     */
    private final Map<String, Map<String, Double>> values;

    private final List<String> notes;
    /**
     * The creates' load driver for the HTTP columns when {@code bench.driver=h2load} and h2load is installed
     * ({@link H2Load}); empty: the JDK HttpClient, as always.
     */
    private final java.util.Optional<H2Load> h2load;

    /** This instance's store configuration: fsync on or off, for the server's store and the storage side alike. */
    private final boolean fsync;
    /** The suffix of this instance's create measurements: " fsync on" or " fsync off". */
    private final String mode;

    /** The knobs, as system properties (the Maven profile passes them through). */
    record Config(
            Path dataRoot,
            Path out,
            List<Boolean> fsync,
            List<String> protocols,
            List<BenchAuth> auth,
            List<String> phases,
            List<Writers> writers,
            int rounds,
            int creates,
            int listObjects,
            int listIterations,
            ListDriver listDriver,
            List<WatchLoad> watches,
            int watchRepeats,
            int watchConnections,
            WatchDriver watchDriver,
            int watchDriverThreads,
            int rssObjects,
            String rssHeap,
            double scale) {

        static Config fromSystemProperties() {
            double scale = Double.parseDouble(System.getProperty("bench.scale", "1"));
            return new Config(
                    Path.of(System.getProperty("bench.data", "target/bench-data")),
                    Path.of(System.getProperty("bench.httpOut", "target/http-bench.md")),
                    list(System.getProperty("bench.httpFsync", "off,on")).stream()
                            .map(text -> switch (text) {
                                case "on" -> true;
                                case "off" -> false;
                                default -> throw new IllegalArgumentException("bench.httpFsync: on, off, not " + text);
                            })
                            .toList(),
                    list(System.getProperty("bench.protocols", "h2,http1.1")),
                    list(System.getProperty("bench.auth", "masters")).stream()
                            .map(BenchAuth::parse)
                            .distinct()
                            .toList(),
                    list(System.getProperty("bench.httpPhases", "creates,get,list,watch,rss")),
                    list(System.getProperty("bench.httpWriters", "16,64,16x8")).stream()
                            .map(Writers::parse)
                            .toList(),
                    Integer.getInteger("bench.httpRounds", 3),
                    (int) (Integer.getInteger("bench.httpCreates", 5_000) * scale),
                    Integer.getInteger("bench.listObjects", 10_000),
                    Math.max(5, (int) (Integer.getInteger("bench.httpListIterations", 20) * scale)),
                    ListDriver.parse(System.getProperty("bench.listDriver", "jdk")),
                    list(System.getProperty("bench.httpWatches", "100@100,1000@10")).stream()
                            .map(text -> WatchLoad.parse(text, scale))
                            .toList(),
                    Integer.getInteger("bench.watchRepeats", 1),
                    Integer.getInteger("bench.watchConnections", 10),
                    WatchDriver.parse(System.getProperty("bench.watchDriver", "jdk")),
                    Integer.getInteger("bench.watchDriverThreads", 1),
                    Integer.getInteger("bench.rssObjects", 100_000), // not scaled: the target is at 100,000
                    System.getProperty("bench.rssHeap", "640m"),
                    scale);
        }

        private static List<String> list(String text) {
            return Arrays.stream(text.split(","))
                    .map(String::trim)
                    .filter(s -> !s.isEmpty())
                    .toList();
        }
    }

    /**
     * A concurrency level of the creates: {@code connections} × {@code streams} writers (closed loop). {@code 16} is
     * 16 writers sharing one HTTP/2 connection; {@code 16x8} is 16 HTTP/2 connections with 8 writers (concurrent
     * streams) each, as an aggregator or a fleet of controllers reaches the server. Over HTTP/1.1 every writer has a
     * connection of its own either way (the client's pool), and the storage and in-process columns run as many
     * writers.
     */
    record Writers(int connections, int streams) {
        static Writers parse(String text) {
            String[] parts = text.split("x");
            return parts.length == 1
                    ? new Writers(1, Integer.parseInt(parts[0]))
                    : new Writers(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        }

        int total() {
            return connections * streams;
        }

        /** The key part of its measurements: {@code 16} or {@code 16x8}. */
        @Override
        public String toString() {
            return connections == 1 ? Integer.toString(streams) : connections + "x" + streams;
        }

        String label() {
            return connections == 1
                    ? streams + " writers"
                    : connections + " connections × " + streams + " streams (" + total() + " writers)";
        }
    }

    /**
     * What reads the HTTP watch streams ({@code bench.watchDriver}): {@link #JDK}, the JDK HttpClient with a virtual
     * thread per stream (every run before this option; the default, so that they can be repeated), or {@link #NETTY},
     * {@link NettyWatchDriver} on one event-loop thread, a few µs of CPU per delivery instead of 50–75.
     */
    enum WatchDriver {
        JDK("the JDK HttpClient (a virtual thread per stream)"),
        NETTY("Netty (NettyWatchDriver)");

        final String label;

        WatchDriver(String label) {
            this.label = label;
        }

        static WatchDriver parse(String text) {
            return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "jdk" -> JDK;
                case "netty" -> NETTY;
                default -> throw new IllegalArgumentException("bench.watchDriver: jdk or netty, not " + text);
            };
        }
    }

    /**
     * Who reads the HTTP LISTs ({@code bench.listDriver}): {@link #JDK}, the JDK HttpClient alone (every run before
     * this option; the default), or {@link #H2LOAD}: the JDK client's rows as always, and beside them the same LISTs
     * read by h2load ({@link H2Load#get}), whose OpenSSL decryption and C framing cost the two shared cores far less
     * than the JDK client's on an 18.7 MiB body, as the kube-aggregator (Go) and kubectl do.
     */
    enum ListDriver {
        JDK,
        H2LOAD;

        static ListDriver parse(String text) {
            return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "jdk" -> JDK;
                case "h2load" -> H2LOAD;
                default -> throw new IllegalArgumentException("bench.listDriver: jdk or h2load, not " + text);
            };
        }
    }

    /** {@code watchers@rate}: that many watches, one writer creating {@code rate} objects a second for ~10 s. */
    record WatchLoad(int watchers, int rate, int events, int warmUp) {
        static WatchLoad parse(String text, double scale) {
            String[] parts = text.split("@");
            int watchers = Integer.parseInt(parts[0]);
            int rate = Integer.parseInt(parts[1]);
            int events = Math.max(20, (int) (rate * 12 * scale));
            return new WatchLoad(watchers, rate, events, Math.max(5, events / 6));
        }

        String label() {
            return String.format("%,d watchers, %d writes/s", watchers, rate);
        }
    }

    private HttpBench(Config config, boolean fsync, Map<String, Map<String, Double>> values, List<String> notes)
            throws Exception {
        this.config = config;
        this.fsync = fsync;
        this.mode = fsync ? " fsync on" : " fsync off";
        this.values = values;
        this.notes = notes;
        this.h2load = createsDriver(notes);
        Path root = config.dataRoot().toAbsolutePath();
        BenchBackend.deleteRecursively(root.resolve("http-storage"));
        for (BenchAuth auth : config.auth()) {
            Path dir = serverDir(auth);
            BenchBackend.deleteRecursively(dir);
            Files.createDirectories(dir);
            BenchCredentials credentials = switch (auth) {
                case MASTERS, AUDIT -> null; // the admin token, which the server writes
                case RBAC -> BenchCredentials.tokenFileUser(dir);
                case SAR -> {
                    if (cluster == null) {
                        cluster = BenchKubeApiServer.start();
                    }
                    cluster.writeKubeconfig(dir);
                    yield BenchCredentials.frontProxy(dir);
                }
            };
            ServerProcess server = ServerProcess.start(dir, fsync, auth);
            servers.put(auth, server);
            if (credentials == null) {
                credentials = BenchCredentials.bearer(server.adminToken());
            }
            SSLContext tls = credentials.tls(server.caCertificate());
            if (auth == BenchAuth.RBAC) {
                // the admin grants the benchmark's user what it does, before the run, as an administrator would
                BenchCredentials admin = BenchCredentials.bearer(server.adminToken());
                BenchCredentials.grantBenchUser(
                        new Http(
                                "http1.1",
                                "admin",
                                BenchAuth.MASTERS,
                                admin.tls(server.caCertificate()),
                                server,
                                admin),
                        new Http("http1.1", "rbac user", auth, tls, server, credentials));
            }
            for (String protocol : config.protocols()) {
                String column =
                        config.auth().equals(List.of(BenchAuth.MASTERS)) ? protocol : protocol + " " + auth.label;
                http.put(column, new Http(protocol, column, auth, tls, server, credentials));
            }
        }
        // The storage side: the same backend with the same settings as the server's own store.
        this.storage = CachingStorage.open(
                new EmbeddedBackend(root.resolve("http-storage"), fsync),
                StorageSettings.defaults().withFsync(fsync));
        // The API layer without HTTP, on the storage side's store (its own namespaces; lists read the same objects).
        this.registry = new Registry(
                List.of(
                        new Registry.Served(Schema.get(), ObjectRules.standard()),
                        new Registry.Served(Schema.core(), ObjectRules.core())),
                storage,
                Clock.systemUTC());
        registry.useAdmission(new io.dbprovision.apiserver.registry.admission.Admission(
                List.of(new io.dbprovision.apiserver.admission.NamespaceLifecycle(
                        registry.lookup("v1", "namespaces").orElseThrow()))));
        this.api = registry.lookup(Schema.API_VERSION, kind.plural()).orElseThrow();
        // The template of the storage side's objects: what the server stored for the same request body.
        Http any = http.values().iterator().next();
        HttpResponse<byte[]> created = any.post("bench-template", body("bench-template", "template", 0));
        if (created.statusCode() != 201) {
            throw new IllegalStateException(
                    "creating the template failed: " + created.statusCode() + " " + new String(created.body()));
        }
        this.template = codec.decodeJson(created.body(), kind.object()).object();
        values.computeIfAbsent(STORAGE, k -> new LinkedHashMap<>());
        values.computeIfAbsent(API, k -> new LinkedHashMap<>());
        for (String column : http.keySet()) {
            values.computeIfAbsent(column, k -> new LinkedHashMap<>());
        }
        step(
                "object: request body %d B, response %d B of JSON, %d B stored (protobuf)",
                body("bench-0", "c-0", 0).length, created.body().length, template.toByteArray().length);
        for (Http client : http.values()) {
            HttpResponse<byte[]> response = client.get(GROUP_VERSION_PATH);
            step("%s: %s, status %d", client.column, response.version(), response.statusCode());
            if (!client.expected.equals(response.version())) {
                throw new IllegalStateException(client.column + " negotiated " + response.version());
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Config config = Config.fromSystemProperties();
        long started = System.nanoTime();
        Machine machine = Machine.describe("");
        System.out.println(machine.text());
        String fsyncLatency = fsyncLatency(config.dataRoot());
        System.out.println("- " + fsyncLatency);
        Map<String, Map<String, Double>> values = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        boolean first = true;
        for (boolean fsync : config.fsync()) {
            System.out.printf("%n== embedded store, fsync %s%n", fsync ? "on" : "off");
            HttpBench bench = new HttpBench(config, fsync, values, notes);
            try {
                // Every phase with the first store configuration; the creates alone with the others (reads and
                // watch delivery do not depend on fsync, beyond the watch's writer).
                bench.run(first ? config.phases() : List.of("creates"), first);
            } finally {
                bench.close();
            }
            first = false;
        }
        String report = HttpReport.render(
                machine, fsyncLatency, config, values, notes, StorageBench.seconds(System.nanoTime() - started));
        System.out.println();
        System.out.println(report);
        Files.createDirectories(config.out().toAbsolutePath().getParent());
        Files.writeString(config.out(), report);
        System.out.println("written to " + config.out().toAbsolutePath());
        System.exit(0); // the HTTP client's selector threads would otherwise keep the JVM for their idle timeout
    }

    /** What an fsync costs on the data directory's disk right now: 200 × (write 4 KiB, force), p50 and p99. */
    static String fsyncLatency(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path file = directory.resolve("fsync-probe");
        Samples samples = new Samples(200);
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(
                file,
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(4096);
            for (int i = 0; i < 200; i++) {
                block.clear();
                long t0 = System.nanoTime();
                channel.write(block);
                channel.force(false);
                samples.add(System.nanoTime() - t0);
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return String.format(
                "fsync (4 KiB write + force, 200 times) on the data directory's disk: p50 %.2f ms, p99 %.2f ms",
                StorageBench.millis(samples.percentile(50)), StorageBench.millis(samples.percentile(99)));
    }

    private void close() {
        for (var entry : servers.entrySet()) {
            entry.getValue().close();
            if (entry.getKey() != BenchAuth.MASTERS) {
                auditNote(entry.getKey(), entry.getValue());
            }
            BenchBackend.deleteRecursively(serverDir(entry.getKey()));
        }
        if (cluster != null) {
            cluster.close();
        }
        storage.close();
        BenchBackend.deleteRecursively(config.dataRoot().toAbsolutePath().resolve("http-storage"));
    }

    /** The data directory of the server process of {@code auth}: its store, PKI, credentials and audit log. */
    private Path serverDir(BenchAuth auth) {
        return config.dataRoot().toAbsolutePath().resolve("http-server-" + auth.argument());
    }

    /**
     * What the audit log of a closed server holds (every file, rotated ones too), and for SAR how many reviews the
     * kube-apiserver answered: the audited requests against the reviews show what the cache answered.
     */
    private void auditNote(BenchAuth auth, ServerProcess server) {
        long lines = 0;
        long bytes = 0;
        Path audit = serverDir(auth).resolve("audit");
        try (var files = Files.list(audit)) {
            for (Path file : files.toList()) {
                bytes += Files.size(file);
                try (var content = Files.lines(file)) {
                    lines += content.count();
                }
            }
        } catch (IOException e) {
            notes.add(auth.label + mode + ": the audit log could not be read: " + e);
            return;
        }
        String note = String.format(
                "%s%s: the audit log holds %,d events (%,.1f MiB, %,.0f B each)",
                auth.label, mode, lines, bytes / 1048576.0, lines == 0 ? 0.0 : bytes / (double) lines);
        if (auth == BenchAuth.SAR && cluster != null) {
            note += String.format(
                    "; the server sent %,d SubjectAccessReviews for them (%.2f %% of the requests; the rest were"
                            + " answered by its cache)",
                    cluster.reviews(), lines == 0 ? 0.0 : 100.0 * cluster.reviews() / lines);
        }
        notes.add(note);
        step("%s", note);
    }

    private void run(List<String> phases, boolean fullWarmUp) throws Exception {
        warmUp(fullWarmUp ? 2 : 1);
        AtomicLong storageIndex = new AtomicLong();
        AtomicLong apiIndex = new AtomicLong();
        Map<String, AtomicLong> httpIndex = new LinkedHashMap<>();
        http.keySet().forEach(column -> httpIndex.put(column, new AtomicLong()));
        if (phases.contains("creates")) {
            creates(storageIndex, apiIndex, httpIndex);
            if (fullWarmUp) {
                roundTrips();
            }
        }
        if (phases.contains("get")) {
            gets(storageIndex.get(), apiIndex.get(), httpIndex);
        }
        if (phases.contains("list")) {
            lists();
        }
        if (phases.contains("watch")) {
            for (WatchLoad load : config.watches()) {
                watches(load);
            }
        }
        if (phases.contains("rss")) {
            memory();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // the objects

    /**
     * The request body of object {@code i}: a DatabaseInstance padded to about 1 KiB with labels and annotations as
     * real objects carry them (the server adds uid, timestamps, defaults and managedFields: ~1.6 KiB of JSON back).
     */
    static byte[] body(String namespace, String name, long i) {
        return ("{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"DatabaseInstance\","
                        + "\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + namespace + "\","
                        + "\"labels\":{\"app\":\"bench\",\"shard\":\"s" + (i % 10) + "\",\"tier\":\"database\","
                        + "\"app.kubernetes.io/managed-by\":\"dbprovision-bench\"},"
                        + "\"annotations\":{\"example.com/owner\":\"platform-team\","
                        + "\"example.com/description\":\"Benchmark instance " + i + ": a PostgreSQL server that"
                        + " the provisioner manages databases, users, grants and backups on; padded with text"
                        + " as a real description would be so that the object is about one kibibyte of JSON.\","
                        + "\"example.com/runbook\":\"https://runbooks.example.com/databases/postgres/" + name + "\","
                        + "\"example.com/cost-center\":\"cc-" + (1000 + i % 97) + "\","
                        + "\"example.com/notes\":\"" + "x".repeat(220) + "\"}},"
                        + "\"spec\":{\"engine\":\"postgres\",\"connection\":{\"host\":\"pg-" + (i % 50)
                        + ".databases.svc.cluster.local\",\"port\":5432,\"database\":\"admin\","
                        + "\"secretRef\":{\"name\":\"pg-admin-" + (i % 50) + "\"}},"
                        + "\"healthCheck\":{\"enabled\":true,\"intervalSeconds\":30}}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static String namespaceOf(long i) {
        return "bench-" + (i % NAMESPACES);
    }

    /** The storage side's object: the server's stored object for the template, renamed (a fresh uid, a new array). */
    private byte[] value(String namespace, String name) {
        ObjectMeta meta = Objects.meta(template).toBuilder()
                .setName(name)
                .setNamespace(namespace)
                .setUid(UUID.randomUUID().toString())
                .clearResourceVersion()
                .build();
        return Objects.withMeta(template, meta).toByteArray();
    }

    /** What the registry computes for it: the labels and the selectable fields. */
    private Attributes attributes(String namespace, String name) {
        Map<String, String> fields = new HashMap<>();
        fields.put("metadata.name", name);
        fields.put("metadata.namespace", namespace);
        for (String field : kind.selectableFields()) {
            fields.put(field, MessagePaths.text(template, field));
        }
        return new Attributes(Objects.meta(template).getLabelsMap(), fields);
    }

    private void storageCreate(String namespace, String name) {
        storage.create(new ObjectKey(resource, namespace, name), value(namespace, name), attributes(namespace, name));
    }

    /** A create as the endpoint does it, without HTTP: decode the JSON, namespace, registry create, encode. */
    private void apiCreate(String namespace, String name, long i) {
        byte[] body = body(namespace, name, i);
        Message object = codec.decodeJson(body, kind.object()).object();
        Written written = api.create(CTX, namespace, object, new WriteOptions(false, "bench"));
        written.version().json(); // the response body, as the endpoint encodes it
    }

    private void httpCreate(Http client, String namespace, String name, long i) {
        HttpResponse<byte[]> response = client.post(namespace, body(namespace, name, i));
        if (response.statusCode() != 201) {
            throw new IllegalStateException(
                    "POST " + name + ": " + response.statusCode() + " " + new String(response.body()));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // warm-up

    /** Every path compiled and every client connected before anything is measured. */
    private void warmUp(int passes) {
        long started = System.nanoTime();
        AtomicLong index = new AtomicLong();
        // scaled like the rest (bench.scale), so that a quick run is quick; never below a few hundred
        int creates = Math.max(300, (int) (1_000 * config.scale()));
        for (int pass = 0; pass < passes; pass++) {
            run(STORAGE, 16, 2 * creates, Duration.ofSeconds(20), index, i -> storageCreate("warm-up", "s-" + i));
            run(API, 16, creates, Duration.ofSeconds(20), index, i -> apiCreate("warm-up", "a-" + i, i));
            for (Http client : http.values()) {
                run(
                        client.column,
                        16,
                        creates,
                        Duration.ofSeconds(20),
                        index,
                        i -> httpCreate(client, "warm-up", "h-" + i, i));
            }
            for (int i = 0; i < 20; i++) {
                storage.list(ListOptions.all(resource).inNamespace("warm-up"));
                encodeList(api.list(CTX, "warm-up", ListQuery.ALL));
                for (Http client : http.values()) {
                    client.drain(client.resourcePath("warm-up", ""));
                }
            }
        }
        step("warm-up: %.0f s", StorageBench.seconds(System.nanoTime() - started));
    }

    // ---------------------------------------------------------------------------------------------------------
    // creates

    interface IndexedOperation {
        void run(long i) throws Exception;
    }

    /** An operation that also knows which writer runs it (to pick that writer's connection). */
    interface WriterOperation {
        void run(int writer, long i) throws Exception;
    }

    /** A create round's results, with the process CPU it used. */
    /**
     * A round's results. {@code cpuMicrosPerCreate} is the CPU of what serves the column (this process for the
     * storage and the in-process API, the server process for HTTP); {@code driverCpuMicrosPerCreate} is this process's
     * when it is only the load driver (HTTP columns; 0 otherwise), {@code clientCpuMicrosPerCreate} the part of it in
     * the HTTP client's own threads.
     */
    record Round(
            StorageBench.CreateRun run,
            double cpuMicrosPerCreate,
            double driverCpuMicrosPerCreate,
            double clientCpuMicrosPerCreate) {}

    /** Whether {@code column} is served by the server process (an HTTP column) rather than in this process. */
    private static boolean remote(String column) {
        return !column.equals(STORAGE) && !column.equals(API);
    }

    /** The CPU time so far of what serves {@code column}: this process, or the server process for HTTP. */
    private long servingCpuNanos(String column) {
        Http client = http.get(column);
        return client != null ? client.server.cpuNanos() : StorageBench.processCpuNanos();
    }

    /**
     * {@code writers} virtual threads run {@code operation} back to back (closed loop) until {@code count} are done
     * or {@code cap} has passed; throughput is what completed over the wall time.
     */
    Round run(String column, int writers, int count, Duration cap, AtomicLong index, IndexedOperation operation) {
        return run(column, writers, count, cap, index, (writer, i) -> operation.run(i));
    }

    Round run(String column, int writers, int count, Duration cap, AtomicLong index, WriterOperation operation) {
        AtomicInteger remaining = new AtomicInteger(count);
        AtomicLong errors = new AtomicLong();
        AtomicLong done = new AtomicLong();
        List<Samples> latencies = new ArrayList<>();
        String[] firstError = {""};
        long cpu = servingCpuNanos(column);
        long driverCpu = StorageBench.processCpuNanos();
        long clientCpu = ThreadCpu.httpClientNanos();
        long start = System.nanoTime();
        long deadline = start + cap.toNanos();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < writers; w++) {
                Samples samples = new Samples(count / writers + 16);
                latencies.add(samples);
                int writer = w;
                executor.submit(() -> {
                    while (remaining.getAndDecrement() > 0 && System.nanoTime() < deadline) {
                        long i = index.getAndIncrement();
                        long t0 = System.nanoTime();
                        try {
                            operation.run(writer, i);
                            samples.add(System.nanoTime() - t0);
                            done.incrementAndGet();
                        } catch (Exception e) {
                            if (errors.getAndIncrement() == 0) {
                                firstError[0] = e.toString();
                            }
                        }
                    }
                });
            }
        }
        double seconds = StorageBench.seconds(System.nanoTime() - start);
        double cpuMicros = (servingCpuNanos(column) - cpu) / 1e3 / Math.max(1, done.get());
        double driverMicros =
                remote(column) ? (StorageBench.processCpuNanos() - driverCpu) / 1e3 / Math.max(1, done.get()) : 0;
        double clientMicros = (ThreadCpu.httpClientNanos() - clientCpu) / 1e3 / Math.max(1, done.get());
        return new Round(
                new StorageBench.CreateRun(done.get(), seconds, Samples.merge(latencies), errors.get(), firstError[0]),
                cpuMicros,
                driverMicros,
                clientMicros);
    }

    private void creates(AtomicLong storageIndex, AtomicLong apiIndex, Map<String, AtomicLong> httpIndex) {
        Duration cap = Duration.ofSeconds(30);
        int warmCreates = Math.max(300, config.creates() / 5);
        warmUntilCompiled(
                "creates",
                () -> {
                    for (Writers writers : config.writers()) {
                        run(STORAGE, writers.total(), warmCreates, cap, storageIndex, i -> {
                            storageCreate(namespaceOf(i), "c-" + i);
                        });
                        run(API, writers.total(), warmCreates, cap, apiIndex, i -> {
                            apiCreate(namespaceOf(i), "a-" + i, i);
                        });
                        for (Http client : http.values()) {
                            List<Http> mine = client.forConnections(writers.connections());
                            if (drivenByH2load(client)) {
                                h2loadCreates(client, writers, warmCreates, false);
                            } else {
                                run(
                                        client.column,
                                        writers.total(),
                                        warmCreates,
                                        cap,
                                        httpIndex.get(client.column),
                                        (writer, i) -> httpCreate(
                                                mine.get(writer % mine.size()), namespaceOf(i), client.prefix + i, i));
                            }
                        }
                    }
                },
                6);
        for (Writers writers : config.writers()) {
            Map<String, List<Round>> rounds = new LinkedHashMap<>();
            Map<String, List<Http>> connections = new LinkedHashMap<>();
            for (Http client : http.values()) {
                connections.put(client.column, client.forConnections(writers.connections()));
            }
            for (int round = 0; round < config.rounds(); round++) {
                // Interleaved, so that a change in the machine's load falls on every column alike.
                Map<String, Round> these = new LinkedHashMap<>();
                these.put(STORAGE, run(STORAGE, writers.total(), config.creates(), cap, storageIndex, i -> {
                    storageCreate(namespaceOf(i), "c-" + i);
                }));
                these.put(API, run(API, writers.total(), config.creates(), cap, apiIndex, i -> {
                    apiCreate(namespaceOf(i), "a-" + i, i);
                }));
                // the HTTP columns start one further each round, so that none always runs first or last
                List<Http> order = new ArrayList<>(http.values());
                java.util.Collections.rotate(order, -round);
                for (Http client : order) {
                    List<Http> mine = connections.get(client.column);
                    these.put(
                            client.column,
                            drivenByH2load(client)
                                    ? h2loadCreates(client, writers, config.creates(), round == 0)
                                    : run(
                                            client.column,
                                            writers.total(),
                                            config.creates(),
                                            cap,
                                            httpIndex.get(client.column),
                                            (writer, i) -> httpCreate(
                                                    mine.get(writer % mine.size()),
                                                    namespaceOf(i),
                                                    client.prefix + i,
                                                    i)));
                }
                for (var entry : these.entrySet()) {
                    StorageBench.CreateRun run = entry.getValue().run();
                    rounds.computeIfAbsent(entry.getKey(), k -> new ArrayList<>())
                            .add(entry.getValue());
                    step(
                            "creates%s, %s, round %d, %s: %,d in %.1f s = %,.0f/s, p50 %.2f ms, p99 %.2f ms,"
                                    + " %.0f µs CPU each (%.0f µs in the HTTP client's threads)",
                            mode,
                            writers.label(),
                            round + 1,
                            entry.getKey(),
                            run.done(),
                            run.seconds(),
                            run.rate(),
                            StorageBench.millis(run.latency().percentile(50)),
                            StorageBench.millis(run.latency().percentile(99)),
                            entry.getValue().cpuMicrosPerCreate(),
                            entry.getValue().clientCpuMicrosPerCreate());
                    if (run.errors() > 0) {
                        notes.add(String.format(
                                "%s: %d creates failed with %s: %s",
                                entry.getKey(), run.errors(), writers.label(), run.firstError()));
                    }
                }
            }
            // Each mode against masters round by round (the same moment's load), the median of those ratios.
            for (Http client : http.values()) {
                List<Round> mine = rounds.get(client.column);
                mastersOf(client).ifPresent(masters -> {
                    List<Round> theirs = rounds.get(masters.column);
                    List<Double> rates = new ArrayList<>();
                    List<Double> cpu = new ArrayList<>();
                    for (int r = 0; r < mine.size(); r++) {
                        rates.add(mine.get(r).run().rate()
                                / Math.max(1e-9, theirs.get(r).run().rate()));
                        cpu.add(mine.get(r).cpuMicrosPerCreate()
                                / Math.max(1e-9, theirs.get(r).cpuMicrosPerCreate()));
                    }
                    putPaired(values.get(client.column), "creates/s ratio @" + writers + mode, rates);
                    putPaired(values.get(client.column), "create cpu ratio @" + writers + mode, cpu);
                });
            }
            for (var entry : rounds.entrySet()) {
                List<Round> all = entry.getValue();
                double[] rates =
                        all.stream().mapToDouble(r -> r.run().rate()).sorted().toArray();
                double[] cpu = all.stream()
                        .mapToDouble(Round::cpuMicrosPerCreate)
                        .sorted()
                        .toArray();
                Samples latency =
                        Samples.merge(all.stream().map(r -> r.run().latency()).toList());
                Map<String, Double> column = values.get(entry.getKey());
                column.put("creates/s @" + writers + mode, rates[rates.length / 2]);
                column.put("creates/s min @" + writers + mode, rates[0]);
                column.put("creates/s max @" + writers + mode, rates[rates.length - 1]);
                column.put("create p50 @" + writers + mode, StorageBench.millis(latency.percentile(50)));
                column.put("create p99 @" + writers + mode, StorageBench.millis(latency.percentile(99)));
                column.put("create cpu @" + writers + mode, cpu[cpu.length / 2]);
                if (!entry.getKey().equals(STORAGE) && !entry.getKey().equals(API)) {
                    double[] client = all.stream()
                            .mapToDouble(Round::clientCpuMicrosPerCreate)
                            .sorted()
                            .toArray();
                    column.put("create client cpu @" + writers + mode, client[client.length / 2]);
                    double[] driver = all.stream()
                            .mapToDouble(Round::driverCpuMicrosPerCreate)
                            .sorted()
                            .toArray();
                    column.put("create driver cpu @" + writers + mode, driver[driver.length / 2]);
                }
            }
        }
    }

    /**
     * The creates' driver from {@code bench.driver}: {@code jdk} (the default, the JDK HttpClient) or {@code h2load};
     * without h2load installed the JDK client drives them, and the report says so.
     */
    private static java.util.Optional<H2Load> createsDriver(List<String> notes) {
        String driver = System.getProperty("bench.driver", "jdk");
        switch (driver) {
            case "jdk" -> {
                return java.util.Optional.empty();
            }
            case "h2load" -> {
                java.util.Optional<H2Load> found = H2Load.find();
                String note = found.map(h -> "the HTTP creates were driven by " + h.version()
                                + " (one native thread; bodies with metadata.generateName)")
                        .orElse("bench.driver=h2load, but h2load is not installed (apt-get install nghttp2-client):"
                                + " the HTTP creates were driven by the JDK HttpClient");
                if (!notes.contains(note)) {
                    notes.add(note);
                }
                step("%s", note);
                return found;
            }
            default -> throw new IllegalArgumentException("bench.driver: jdk or h2load, not " + driver);
        }
    }

    /** Whether h2load drives this column's creates: it was asked for, is installed, and can authenticate as it. */
    private boolean drivenByH2load(Http client) {
        if (h2load.isEmpty()) {
            return false;
        }
        if (client.credentials.hasClientCertificate()) {
            String note = client.column + ": h2load cannot present the front proxy's client certificate; its creates"
                    + " were driven by the JDK HttpClient";
            if (!notes.contains(note)) {
                notes.add(note);
                step("%s", note);
            }
            return false;
        }
        return true;
    }

    /**
     * One round of creates by h2load: {@code count} POSTs of one body with {@code generateName} to the benchmark's
     * namespaces in turn, from {@code writers.connections()} HTTP/2 connections with {@code writers.streams()} streams
     * each (over HTTP/1.1 as many connections as writers). The first round of a level is preceded by a short run that
     * is not measured (the server's paths for h2load's connections warm, as the JDK client's are in the warm-up).
     * Every create costs the server the new connections' TLS handshakes too (16 over HTTP/2 and 128 over HTTP/1.1 for
     * 16 × 8, once per round).
     */
    private Round h2loadCreates(Http client, Writers writers, int count, boolean warmUpFirst) {
        List<String> uris = new ArrayList<>();
        for (int n = 0; n < NAMESPACES; n++) {
            uris.add(client.base + client.resourcePath(namespaceOf(n), ""));
        }
        List<String> headers = new ArrayList<>(client.credentials.headerLines());
        headers.add("content-type: application/json");
        headers.add("accept: application/json");
        byte[] body = generateNameBody(client.prefix + "g-");
        boolean h1 = client.expected == HttpClient.Version.HTTP_1_1;
        int threads = Integer.getInteger("bench.h2loadThreads", 1);
        Path work = config.dataRoot().toAbsolutePath().resolve("h2load");
        try {
            H2LoadRun run = (requests, timeout) -> h2load.orElseThrow()
                    .run(
                            h1,
                            uris,
                            headers,
                            body,
                            writers.connections(),
                            writers.streams(),
                            requests,
                            threads,
                            timeout,
                            work);
            if (warmUpFirst) {
                run.run(Math.max(500, count / 4), Duration.ofMinutes(5));
            }
            long cpu = client.server.cpuNanos();
            H2Load.Result result = run.run(count, Duration.ofMinutes(10));
            long serverCpu = client.server.cpuNanos() - cpu;
            long created = Math.max(1, result.created());
            return new Round(
                    new StorageBench.CreateRun(
                            result.created(),
                            result.seconds(),
                            result.latency(),
                            result.failed(),
                            result.failed() == 0 ? "" : "h2load: " + result.otherStatusText()),
                    serverCpu / 1e3 / created,
                    result.driverCpuNanos() / 1e3 / created,
                    result.driverCpuNanos() / 1e3 / created);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@link #body}'s object with {@code metadata.generateName} instead of a name and no namespace (the path names
     * it): one body for every request, each creating a new object (h2load sends the same bytes every time).
     */
    static byte[] generateNameBody(String prefix) {
        String named = new String(body("", "", 0), StandardCharsets.UTF_8);
        String metadata = "\"metadata\":{\"name\":\"\",\"namespace\":\"\",";
        if (!named.contains(metadata)) {
            throw new IllegalStateException("the body's metadata changed: " + named);
        }
        return named.replace(metadata, "\"metadata\":{\"generateName\":\"" + prefix + "\",")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The floor under every HTTP request: {@code GET /healthz} (no authentication, no storage, a 2-byte body) with as
     * many concurrent clients as the creates had, so that what a create costs over HTTP beyond the API layer can be
     * told apart from what any HTTPS round trip through this server and client costs.
     */
    private void roundTrips() {
        for (Writers writers : config.writers()) {
            for (Http client : http.values()) {
                List<Http> mine = client.forConnections(writers.connections());
                WriterOperation healthz =
                        (writer, i) -> mine.get(writer % mine.size()).healthz();
                run(
                        client.column,
                        writers.total(),
                        config.creates() / 5,
                        Duration.ofSeconds(10),
                        new AtomicLong(),
                        healthz);
                Round round = run(
                        client.column,
                        writers.total(),
                        config.creates(),
                        Duration.ofSeconds(30),
                        new AtomicLong(),
                        healthz);
                Map<String, Double> column = values.get(client.column);
                column.put("healthz/s @" + writers, round.run().rate());
                column.put(
                        "healthz p50 @" + writers,
                        StorageBench.millis(round.run().latency().percentile(50)));
                column.put(
                        "healthz p99 @" + writers,
                        StorageBench.millis(round.run().latency().percentile(99)));
                column.put("healthz cpu @" + writers, round.cpuMicrosPerCreate());
                column.put("healthz driver cpu @" + writers, round.driverCpuMicrosPerCreate());
                column.put("healthz client cpu @" + writers, round.clientCpuMicrosPerCreate());
                step(
                        "GET /healthz, %s, %s: %,.0f/s, p50 %.2f ms, p99 %.2f ms, %.0f µs CPU each (%.0f µs in"
                                + " the HTTP client's threads)",
                        writers.label(),
                        client.column,
                        round.run().rate(),
                        StorageBench.millis(round.run().latency().percentile(50)),
                        StorageBench.millis(round.run().latency().percentile(99)),
                        round.cpuMicrosPerCreate(),
                        round.clientCpuMicrosPerCreate());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // gets

    /** One reader, random existing objects, closed loop: 1 s warm-up and 4 s measured per column, interleaved. */
    private void gets(long storageObjects, long apiObjects, Map<String, AtomicLong> httpObjects) {
        Map<String, Samples> samples = new LinkedHashMap<>();
        Map<String, IndexedOperation> operations = new LinkedHashMap<>();
        if (storageObjects > 0) {
            operations.put(STORAGE, i -> {
                String name = "c-" + (i % storageObjects);
                if (storage.get(new ObjectKey(resource, namespaceOf(i % storageObjects), name))
                        .isEmpty()) {
                    throw new IllegalStateException("not found: " + name);
                }
            });
        }
        if (apiObjects > 0) {
            operations.put(API, i -> {
                long n = i % apiObjects;
                codec.encodeJson(api.get(CTX, namespaceOf(n), "a-" + n));
            });
        }
        for (Http client : http.values()) {
            long objects = httpObjects.get(client.column).get();
            if (objects > 0) {
                operations.put(client.column, i -> {
                    long n = i % objects;
                    HttpResponse<byte[]> response = client.get(client.resourcePath(namespaceOf(n), client.prefix + n));
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("GET: " + response.statusCode());
                    }
                });
            }
        }
        for (int slice = 0; slice < 2; slice++) {
            for (var entry : operations.entrySet()) {
                Samples measured = samples.computeIfAbsent(entry.getKey(), k -> new Samples(100_000));
                for (int phase = 0; phase < 2; phase++) {
                    long deadline = System.nanoTime()
                            + Duration.ofMillis(phase == 0 ? 500 : 2_000).toNanos();
                    while (System.nanoTime() < deadline && measured.size() < 1_000_000) {
                        long i = ThreadLocalRandom.current().nextLong(Long.MAX_VALUE);
                        long t0 = System.nanoTime();
                        try {
                            entry.getValue().run(i);
                        } catch (Exception e) {
                            throw new IllegalStateException(entry.getKey() + " get failed", e);
                        }
                        if (phase == 1) {
                            measured.add(System.nanoTime() - t0);
                        }
                    }
                }
            }
        }
        for (var entry : samples.entrySet()) {
            Samples s = entry.getValue();
            values.get(entry.getKey()).put("get p50", StorageBench.micros(s.percentile(50)));
            values.get(entry.getKey()).put("get p99", StorageBench.micros(s.percentile(99)));
            step(
                    "get, %s: %,d samples, p50 %.1f µs, p99 %.1f µs",
                    entry.getKey(),
                    s.size(),
                    StorageBench.micros(s.percentile(50)),
                    StorageBench.micros(s.percentile(99)));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // lists

    /** The endpoint's list response, built as {@code ResourceEndpoints.list} builds it (JSON, no Table). */
    private long encodeList(Page page) {
        long size = 0;
        for (byte[] part : io.dbprovision.apiserver.endpoints.BenchAccess.listJson(kind, page)) {
            size += part.length;
        }
        return size;
    }

    private void lists() {
        int n = config.listObjects();
        // The list set: n objects in a namespace of their own, on the storage side (read by the storage and the
        // in-process API columns) and through the server.
        StorageBench.CreateRun stored = run(STORAGE, 64, n, Duration.ofMinutes(2), new AtomicLong(), i -> {
                    storageCreate(LIST_NAMESPACE, "l-" + i);
                })
                .run();
        // posted through the first column of each server (one per authorization mode)
        Map<ServerProcess, Http> loaders = new LinkedHashMap<>();
        http.values().forEach(client -> loaders.putIfAbsent(client.server, client));
        for (Http loader : loaders.values()) {
            StorageBench.CreateRun posted = run(loader.column, 64, n, Duration.ofMinutes(3), new AtomicLong(), i -> {
                        httpCreate(loader, LIST_NAMESPACE, "l-" + i, i);
                    })
                    .run();
            if (stored.done() != n || posted.done() != n) {
                throw new IllegalStateException("list set incomplete: " + stored.done() + " stored, " + posted.done()
                        + " posted of " + n + " through " + loader.column);
            }
            step(
                    "list set: %,d objects stored and %,d posted through %s (%,.0f/s)",
                    n, n, loader.column, posted.rate());
        }

        int iterations = config.listIterations();
        int warmUp = Math.max(3, iterations / 5);
        ListOptions all = ListOptions.all(resource).inNamespace(LIST_NAMESPACE);
        ListOptions page = all.withLimit(500, "");
        ListQuery pageQuery = new ListQuery("", "", 500, "", 0, ListOptions.Match.LATEST);
        long[] bytes = new long[1];
        Map<String, Map<String, Runnable>> operations = new LinkedHashMap<>();
        operations.put("list", new LinkedHashMap<>());
        operations.put("list page", new LinkedHashMap<>());
        operations
                .get("list")
                .put(STORAGE, () -> expect(storage.list(all).items().size(), n));
        operations
                .get("list page")
                .put(STORAGE, () -> expect(storage.list(page).items().size(), 500));
        operations.get("list").put(API, () -> bytes[0] = encodeList(api.list(CTX, LIST_NAMESPACE, ListQuery.ALL)));
        operations.get("list page").put(API, () -> encodeList(api.list(CTX, LIST_NAMESPACE, pageQuery)));
        for (Http client : http.values()) {
            operations.get("list").put(client.column, () -> {
                long size = client.drain(client.resourcePath(LIST_NAMESPACE, ""));
                values.get(client.column).put("list bytes", (double) size);
            });
            operations.get("list page").put(client.column, () -> {
                client.drain(client.resourcePath(LIST_NAMESPACE, "") + "?limit=500");
            });
        }
        // Where the in-process API column's time goes: decoding the stored protobufs (the registry's list), turning
        // them into trees, writing the JSON.
        Map<String, Runnable> breakdown = new LinkedHashMap<>();
        breakdown.put("list decode", () -> api.list(CTX, LIST_NAMESPACE, ListQuery.ALL));
        Page decoded = api.list(CTX, LIST_NAMESPACE, ListQuery.ALL);
        breakdown.put("list encode", () -> encodeList(decoded));
        List<LeanLists> leanLists = leanLists(n);
        List<Runnable> warmRound = new ArrayList<>();
        for (Http client : http.values()) {
            for (int i = 0; i < 3; i++) {
                warmRound.add(operations.get("list").get(client.column));
                warmRound.add(operations.get("list page").get(client.column));
            }
        }
        leanLists.forEach(lean -> warmRound.add(() -> lean.warm(5)));
        warmUntilCompiled("list", () -> warmRound.forEach(Runnable::run), 30);
        for (var measurement : operations.entrySet()) {
            int times = measurement.getKey().equals("list") ? iterations : iterations * 5;
            Map<String, Samples> samples = new LinkedHashMap<>();
            // Two interleaved halves, so that a change in the machine's load falls on every column alike.
            for (int half = 0; half < 2; half++) {
                for (var column : measurement.getValue().entrySet()) {
                    Samples measured = samples.computeIfAbsent(column.getKey(), k -> new Samples(times));
                    timed(
                            half == 0 ? warmUp : 1,
                            times / 2,
                            column.getValue(),
                            measured,
                            totals(column.getKey()),
                            () -> servingCpuNanos(column.getKey()));
                }
                if (measurement.getKey().equals("list")) {
                    for (LeanLists lean : leanLists) {
                        lean.run(half == 0 ? warmUp : 1, times / 2);
                    }
                    for (var part : breakdown.entrySet()) {
                        Samples measured = samples.computeIfAbsent(part.getKey(), k -> new Samples(times));
                        timed(
                                half == 0 ? warmUp : 1,
                                times / 2,
                                part.getValue(),
                                measured,
                                totals(part.getKey()),
                                StorageBench::processCpuNanos);
                    }
                }
            }
            for (var column : samples.entrySet()) {
                String id = column.getKey().startsWith("list ") ? column.getKey() : measurement.getKey();
                String where = column.getKey().startsWith("list ") ? API : column.getKey();
                Samples s = column.getValue();
                values.get(where).put(id + " p50", StorageBench.millis(s.percentile(50)));
                values.get(where).put(id + " p99", StorageBench.millis(s.percentile(99)));
                long[] totals = listTotals.get(column.getKey());
                double gcMillis = totals[0] / (double) totals[3];
                double cpuMillis = totals[1] / 1e6 / totals[3];
                double allocatedMiB = totals[2] / 1048576.0 / totals[3];
                if (measurement.getKey().equals("list")) {
                    values.get(where).put(id + " cpu", cpuMillis);
                    values.get(where).put(id + " gc", gcMillis);
                    if (where.equals(API)) {
                        values.get(where).put(id + " allocated", allocatedMiB);
                    }
                }
                step(
                        "%s of %,d, %s: %d iterations, p50 %.2f ms, p99 %.2f ms; per list: %.0f ms of process CPU,"
                                + " %.0f ms in GC pauses, %.0f MiB allocated by the calling thread",
                        id,
                        n,
                        where,
                        s.size(),
                        StorageBench.millis(s.percentile(50)),
                        StorageBench.millis(s.percentile(99)),
                        cpuMillis,
                        gcMillis,
                        allocatedMiB);
            }
            listTotals.clear();
        }
        for (LeanLists lean : leanLists) {
            lean.report();
        }
        values.get(API).put("list bytes", (double) bytes[0]);
    }

    /**
     * Runs {@code round} again and again until the JIT compilers of the servers and of this process (which drives
     * them and serves the in-process columns) took no more than 3 % of the CPU of all of them in one round, at most
     * {@code most} rounds. A few warm-up requests leave the compilers working for a minute more on two cores: a LIST
     * run's server spent 39 % of its samples in the compiler threads (async-profiler), and the HTTP/2 column, measured
     * first, paid for it with its CPU and its share of the cores (1.5–1.8 times HTTP/1.1's cost where, compiled, both
     * cost the same); consecutive create rounds of one column moved 3.5-fold.
     */
    private void warmUntilCompiled(String what, Runnable round, int most) {
        java.util.Set<ServerProcess> servers = new java.util.LinkedHashSet<>();
        http.values().forEach(client -> servers.add(client.server));
        long self = ProcessHandle.current().pid();
        java.util.function.LongSupplier compilers = () ->
                servers.stream().mapToLong(ServerProcess::compilerCpuNanos).sum()
                        + ServerProcess.compilerCpuNanos(self);
        java.util.function.LongSupplier cpus =
                () -> servers.stream().mapToLong(ServerProcess::cpuNanos).sum() + StorageBench.processCpuNanos();
        double share = 1;
        for (int r = 1; r <= most; r++) {
            long compiler = compilers.getAsLong();
            long cpu = cpus.getAsLong();
            round.run();
            long compiled = compilers.getAsLong() - compiler;
            long used = cpus.getAsLong() - cpu;
            share = compiled / (double) Math.max(1, used);
            step(
                    "  %s warm-up round %d: the JIT compilers %.0f ms of %.0f ms of CPU",
                    what, r, compiled / 1e6, used / 1e6);
            if (share <= 0.03) {
                step("%s warm-up: %d rounds, until the JIT compilers took %.1f %% of the CPU", what, r, share * 100);
                return;
            }
        }
        notes.add(String.format(
                "%s warm-up: the JIT compilers still took %.0f %% of the CPU after %d rounds",
                what, share * 100, most));
    }

    /**
     * With {@code bench.listDriver=h2load}: h2load's LISTs for every HTTP column it can authenticate as (not the front
     * proxy's client certificate); none otherwise, or when h2load is not installed (a note says so).
     */
    private List<LeanLists> leanLists(int n) {
        if (config.listDriver() != ListDriver.H2LOAD) {
            return List.of();
        }
        java.util.Optional<H2Load> found = H2Load.find();
        if (found.isEmpty()) {
            notes.add("bench.listDriver=h2load, but h2load is not installed (apt-get install nghttp2-client): LISTs"
                    + " were read by the JDK HttpClient only");
            return List.of();
        }
        String note = "LIST rows marked h2load: read by " + found.get().version()
                + " (one connection, one LIST at a time, each read to its end and discarded; its CPU from the shell's"
                + " `times`), beside the JDK HttpClient's";
        if (!notes.contains(note)) {
            notes.add(note);
        }
        List<LeanLists> lean = new ArrayList<>();
        for (Http client : http.values()) {
            if (client.credentials.hasClientCertificate()) {
                notes.add(client.column + ": h2load cannot present the front proxy's client certificate; no h2load"
                        + " LISTs");
                continue;
            }
            lean.add(new LeanLists(found.get(), client, n));
        }
        return lean;
    }

    /**
     * One column's LISTs read by h2load, in batches (one h2load process, one connection per batch: its TLS handshake
     * is in the server's CPU, about 1 ms against the batch's 20 lists of ~30 ms; h2load's per-request times exclude
     * it), interleaved with the JDK client's halves. Every response must be {@code 200} with the whole body.
     */
    private final class LeanLists {
        private final H2Load h2load;
        private final Http client;
        private final int objects;
        private final List<Samples> latencies = new ArrayList<>();
        private long serverCpuNanos;
        private long compilerCpuNanos;
        private long driverCpuNanos;
        private long lists;
        private long bodyBytes;
        private ServerProcess.Syscalls syscalls = new ServerProcess.Syscalls(0, 0, 0, 0);

        LeanLists(H2Load h2load, Http client, int objects) {
            this.h2load = h2load;
            this.client = client;
            this.objects = objects;
        }

        void warm(int requests) {
            batch(requests);
        }

        void run(int warmUp, int iterations) {
            batch(warmUp);
            long cpu = client.server.cpuNanos();
            long compiler = client.server.compilerCpuNanos();
            ServerProcess.Syscalls before = client.server.syscalls();
            H2Load.Result result = batch(iterations);
            serverCpuNanos += client.server.cpuNanos() - cpu;
            compilerCpuNanos += client.server.compilerCpuNanos() - compiler;
            syscalls = syscalls.plus(client.server.syscalls().minus(before));
            driverCpuNanos += result.driverCpuNanos();
            lists += result.created();
            latencies.add(result.latency());
        }

        private H2Load.Result batch(int requests) {
            List<String> headers = new ArrayList<>(client.credentials.headerLines());
            headers.add("accept: application/json");
            try {
                H2Load.Result result = h2load.get(
                        client.expected == HttpClient.Version.HTTP_1_1,
                        client.base + client.resourcePath(LIST_NAMESPACE, ""),
                        headers,
                        requests,
                        Duration.ofMinutes(5),
                        config.dataRoot().toAbsolutePath().resolve("h2load-lists"));
                if (result.failed() != 0 || result.created() != requests) {
                    throw new IllegalStateException(client.column + ": h2load's LISTs: " + result.created() + " of "
                            + requests + " answered 200; " + result.otherStatusText() + "\n" + result.output());
                }
                bodyBytes = result.dataBytes() / requests;
                return result;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        void report() {
            Samples latency = Samples.merge(latencies);
            Map<String, Double> column = values.get(client.column);
            Double jdkBytes = column.get("list bytes");
            if (jdkBytes != null && jdkBytes.longValue() != bodyBytes) {
                throw new IllegalStateException(client.column + ": h2load read " + bodyBytes
                        + " bytes per list, the JDK client " + jdkBytes.longValue());
            }
            double perList = Math.max(1, lists);
            column.put("list h2load p50", StorageBench.millis(latency.percentile(50)));
            column.put("list h2load p99", StorageBench.millis(latency.percentile(99)));
            column.put("list h2load cpu", serverCpuNanos / 1e6 / perList);
            column.put("list h2load driver cpu", driverCpuNanos / 1e6 / perList);
            step(
                    "list of %,d, %s, h2load: %d iterations, p50 %.2f ms, p99 %.2f ms; per list: %.0f ms of server CPU"
                            + " (%.1f of it its JIT compiler's), %.0f ms of h2load's; %,d body bytes per list; the"
                            + " server's read / write system calls"
                            + " per list %,.0f / %,.0f, its CPU in user / kernel mode %.0f / %.0f ms per list",
                    objects,
                    client.column,
                    lists,
                    StorageBench.millis(latency.percentile(50)),
                    StorageBench.millis(latency.percentile(99)),
                    serverCpuNanos / 1e6 / perList,
                    compilerCpuNanos / 1e6 / perList,
                    driverCpuNanos / 1e6 / perList,
                    bodyBytes,
                    syscalls.reads() / perList,
                    syscalls.writes() / perList,
                    syscalls.userTicks() * 10 / perList,
                    syscalls.systemTicks() * 10 / perList);
        }
    }

    /** Per column of a list measurement: GC pause ms, process CPU ns, bytes allocated by this thread, iterations. */
    private final Map<String, long[]> listTotals = new LinkedHashMap<>();

    private long[] totals(String column) {
        return listTotals.computeIfAbsent(column, k -> new long[4]);
    }

    /** Runs and times {@code operation}; adds GC pauses, the serving CPU ({@code cpu}) and allocations to totals. */
    private static void timed(
            int warmUp,
            int iterations,
            Runnable operation,
            Samples samples,
            long[] totals,
            java.util.function.LongSupplier cpuNanos) {
        for (int i = 0; i < warmUp; i++) {
            operation.run();
        }
        long gc = gcPauseMillis();
        long cpu = cpuNanos.getAsLong();
        long allocated = allocatedBytes();
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            operation.run();
            samples.add(System.nanoTime() - t0);
        }
        totals[0] += gcPauseMillis() - gc;
        totals[1] += cpuNanos.getAsLong() - cpu;
        totals[2] += allocatedBytes() - allocated;
        totals[3] += iterations;
    }

    /** Time the collectors paused the application (G1's young and full collections; not its concurrent cycles). */
    static long gcPauseMillis() {
        long total = 0;
        for (var collector : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!collector.getName().contains("Concurrent")) {
                total += Math.max(0, collector.getCollectionTime());
            }
        }
        return total;
    }

    /** Bytes the calling thread has allocated so far (the in-process API column's lists run on it). */
    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    private static void expect(int actual, int expected) {
        if (actual != expected) {
            throw new IllegalStateException("listed " + actual + ", expected " + expected);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // watch

    /**
     * {@code watchers} watches of one namespace and one writer creating objects on a fixed schedule (open loop):
     * on the storage (watchers are {@link Watcher}s, the writer calls create) and through each protocol (watchers
     * are HTTP watch streams read line by line on virtual threads, the writer POSTs). Latency is from the moment
     * the writer started the create to the moment a watcher had the event, and from the moment the create returned.
     */
    private void watches(WatchLoad load) throws Exception {
        String suffix = " " + load.watchers() + "@" + load.rate();
        // Each repetition runs every column once, in turn (so that a change in the machine's load falls on all);
        // the samples of all repetitions are merged, and each column's p50 is also compared with masters' of the
        // same repetition.
        Map<String, List<WatchRun>> runs = new LinkedHashMap<>();
        Map<String, Integer> broken = new LinkedHashMap<>();
        warmUpWatches();
        for (int repeat = 0; repeat < config.watchRepeats(); repeat++) {
            String prefix = WATCH_NAMESPACE + "-" + load.watchers() + "-" + load.rate() + "-"
                    + (config.watchRepeats() > 1 ? "r" + repeat + "-" : "");
            runs.computeIfAbsent(STORAGE, k -> new ArrayList<>()).add(watchStorage(load, prefix, broken));
            for (Http client : http.values()) {
                runs.computeIfAbsent(client.column, k -> new ArrayList<>())
                        .add(watchHttp(client, load, prefix, broken, true));
            }
        }
        for (var entry : runs.entrySet()) {
            record(entry.getKey(), suffix, WatchRun.merge(entry.getValue()), broken.getOrDefault(entry.getKey(), 0));
        }
        for (Http client : http.values()) {
            mastersOf(client).ifPresent(masters -> {
                List<Double> ratios = new ArrayList<>();
                List<WatchRun> mine = runs.get(client.column);
                List<WatchRun> theirs = runs.get(masters.column);
                for (int r = 0; r < mine.size(); r++) {
                    ratios.add(mine.get(r).fromStart().percentile(50)
                            / (double) Math.max(1, theirs.get(r).fromStart().percentile(50)));
                }
                putPaired(values.get(client.column), "watch p50 ratio" + suffix, ratios);
            });
        }
    }

    /**
     * Warm-up rounds before the first measured watch run: with one, the server's compilers still used 2.2–3.7 s of
     * CPU (25–38 % of the server's) during the first measured run; the C2 compiler works through the server's code
     * for more than a minute of this load on two cores (16,576 compilations in a two-minute watch phase, JFR).
     */
    private static final int WATCH_WARM_UP_ROUNDS = 3;

    /** Whether the watch path has been warmed up in this run yet. */
    private boolean watchesWarm;

    /**
     * Before the first measured watch run: {@link #WATCH_WARM_UP_ROUNDS} rounds of one unrecorded run per HTTP column
     * of 100 watchers (300 writes at 100/s) and one of 1,000 (100 writes at 20/s), so that the server's fan-out and the drivers' code are compiled (Netty's
     * is compiled only once the JIT has seen it work). Rounds of these until the compilers went quiet did not get
     * there: every run opens up to 1,000 TLS connections, whose handshakes keep the compiler busy (25–30 % of the
     * server's CPU after four rounds); each measured run therefore waits for the compiler after opening its streams
     * ({@link #awaitCompilerQuiet}).
     */
    private void warmUpWatches() throws Exception {
        if (watchesWarm) {
            return;
        }
        watchesWarm = true;
        for (int round = 0; round < WATCH_WARM_UP_ROUNDS; round++) {
            for (WatchLoad load : List.of(new WatchLoad(100, 100, 300, 300), new WatchLoad(1_000, 20, 100, 100))) {
                for (Http client : http.values()) {
                    watchHttp(
                            client,
                            load,
                            WATCH_NAMESPACE + "-warmup-" + round + "-" + load.watchers() + "-",
                            new LinkedHashMap<>(),
                            false);
                }
            }
        }
        step(
                "the watch path warmed up (%d rounds of one unrecorded run of 100 and one of 1,000 watchers per HTTP"
                        + " column)",
                WATCH_WARM_UP_ROUNDS);
    }

    /**
     * Waits (at most 15 s) until the server's JIT compiler threads used no more than 10 ms of CPU in half a second.
     * Opening the watch streams (up to 1,000 TLS handshakes) queues compilations of handshake code that otherwise
     * run during the writes, on the same two cores as the fan-out they are meant to measure; a server's watchers
     * connect once and stay.
     */
    private static void awaitCompilerQuiet(ServerProcess server) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        long before = server.compilerCpuNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            long now = server.compilerCpuNanos();
            if (now - before <= 10_000_000L) {
                return;
            }
            before = now;
        }
    }

    /** One watch run on the storage layer: watchers are {@link Watcher}s, the writer calls create. */
    private WatchRun watchStorage(WatchLoad load, String prefix, Map<String, Integer> brokenByColumn) throws Exception {
        int events = load.events();
        {
            String namespace = prefix + "storage";
            long[][] delivered = new long[load.watchers()][events];
            LongAdder deliveries = new LongAdder();
            AtomicInteger cutOff = new AtomicInteger();
            List<AutoCloseable> handles = new ArrayList<>();
            for (int w = 0; w < load.watchers(); w++) {
                long[] mine = delivered[w];
                handles.add(storage.watch(
                        WatchOptions.from(resource, storage.currentResourceVersion())
                                .inNamespace(namespace),
                        new Watcher() {
                            @Override
                            public void onEvent(WatchEvent event) {
                                long now = System.nanoTime();
                                if (event.type() == WatchEvent.Type.ADDED) {
                                    mine[sequence(event.object().key().name())] = now;
                                    deliveries.increment();
                                }
                            }

                            @Override
                            public void onClose(StorageException cause) {
                                if (cause != null) {
                                    cutOff.incrementAndGet();
                                }
                            }
                        }));
            }
            WatchRun run = paced(
                    load,
                    sequence -> storageCreate(namespace, "w-" + sequence),
                    deliveries,
                    delivered,
                    StorageBench::processCpuNanos,
                    null);
            for (AutoCloseable handle : handles) {
                handle.close();
            }
            brokenByColumn.merge(STORAGE, cutOff.get(), Integer::sum);
            return run;
        }
    }

    /**
     * One watch run through {@code client}'s server: watch streams read by the configured driver ({@link
     * WatchDriver}), the writer POSTs.
     */
    /** @param measured a recorded run: it starts once the server's compiler is quiet (a warm-up run does not wait) */
    private WatchRun watchHttp(
            Http client, WatchLoad load, String prefix, Map<String, Integer> brokenByColumn, boolean measured)
            throws Exception {
        String suffix = " " + load.watchers() + "@" + load.rate();
        int events = load.events();
        String namespace = prefix + client.prefix.substring(0, client.prefix.length() - 1);
        String path = client.resourcePath(namespace, "");
        String version = resourceVersionOf(client.get(path + "?limit=1").body());
        long[][] delivered = new long[load.watchers()][events];
        LongAdder deliveries = new LongAdder();
        List<WatchLines> lines = new ArrayList<>();
        for (long[] mine : delivered) {
            lines.add(new WatchLines(mine, deliveries));
        }
        AtomicInteger broken = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<String> firstBreak =
                new java.util.concurrent.atomic.AtomicReference<>("");
        java.util.function.Consumer<String> onEnd = end -> {
            if (!closing.get() && broken.getAndIncrement() == 0) {
                firstBreak.set(end);
            }
        };
        String watchPath = path + "?watch=1&resourceVersion=" + version + "&timeoutSeconds=600";
        long connectStarted = System.nanoTime();
        OpenWatches watches = config.watchDriver() == WatchDriver.NETTY
                ? openNettyWatches(client, watchPath, lines, onEnd)
                : openJdkWatches(client, watchPath, lines, onEnd);
        WatchRun run;
        try {
            step(
                    "%s: %,d watch streams open in %.1f s over %s",
                    client.column,
                    load.watchers(),
                    StorageBench.seconds(System.nanoTime() - connectStarted),
                    watches.over());
            if (measured) {
                awaitCompilerQuiet(client.server);
            }
            long compiler = client.server.compilerCpuNanos();
            Map<String, Long> serverThreads = client.server.cpuNanosByThread();
            long serverCpu = client.server.cpuNanos();
            try (WatchWriter writer = watchWriter(client, namespace, watches.driver())) {
                run = paced(load, writer, deliveries, delivered, client.server::cpuNanos, watches::clientCpuNanos);
            }
            step(
                    "  the server's JIT compiler threads used %.0f ms of CPU during the run; the server's CPU by"
                            + " thread: %s",
                    (client.server.compilerCpuNanos() - compiler) / 1e6,
                    ThreadCpu.breakdown(
                            serverThreads,
                            client.server.cpuNanosByThread(),
                            Math.max(1, client.server.cpuNanos() - serverCpu),
                            6));
        } finally {
            closing.set(true);
            watches.close();
        }
        brokenByColumn.merge(client.column, broken.get(), Integer::sum);
        if (broken.get() > 0) {
            notes.add("watch" + suffix + ", " + client.column + ": the first broken stream: " + firstBreak.get());
        }
        return run;
    }

    /** The watch streams of one run, open and being read; closing them does not count as a break. */
    private interface OpenWatches extends AutoCloseable {
        /** The connections or clients they go over, for the step line. */
        String over();

        /** The CPU the threads that read them have used so far (ns). */
        long clientCpuNanos();

        /** The Netty driver that reads them, or null (the JDK driver). */
        default NettyWatchDriver driver() {
            return null;
        }

        @Override
        void close();
    }

    /**
     * The JDK driver: each watch a request of a JDK HttpClient (HTTP/2: {@code config.watchConnections()} clients of
     * their own, one connection each, so that the writer's responses do not queue behind their events; HTTP/1.1: the
     * column's client, whose pool opens a connection per watch), its body read on a virtual thread of its own.
     */
    private OpenWatches openJdkWatches(
            Http client, String watchPath, List<WatchLines> lines, java.util.function.Consumer<String> onEnd)
            throws Exception {
        List<InputStream> streams = new ArrayList<>();
        List<Http> watchClients = client.expected == HttpClient.Version.HTTP_1_1
                ? List.of(client)
                : client.forConnections(config.watchConnections() + 1).subList(1, config.watchConnections() + 1);
        try (ExecutorService connect = Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<InputStream>> opened = new ArrayList<>();
            for (int w = 0; w < lines.size(); w++) {
                Http watchClient = watchClients.get(w % watchClients.size());
                opened.add(connect.submit(() -> watchClient.watch(watchPath)));
            }
            for (var future : opened) {
                streams.add(future.get());
            }
        }
        ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
        for (int w = 0; w < lines.size(); w++) {
            InputStream in = streams.get(w);
            WatchLines mine = lines.get(w);
            readers.submit(() -> {
                String end;
                try {
                    readEvents(in, mine);
                    end = "the server ended the stream";
                } catch (IOException e) {
                    end = e.toString();
                }
                onEnd.accept(end);
            });
        }
        return new OpenWatches() {
            @Override
            public String over() {
                return watchClients.size() + " client(s), the JDK HttpClient";
            }

            @Override
            public long clientCpuNanos() {
                // every HttpClient's threads (the writer's client too: one POST per event against a delivery per
                // watcher) and the virtual threads' carriers, where readEvents runs
                return ThreadCpu.nanosOfThreadsNamed("HttpClient-", "ForkJoinPool-");
            }

            @Override
            public void close() {
                for (InputStream in : streams) {
                    try {
                        in.close();
                    } catch (IOException e) {
                        // the stream is being abandoned; its reader ends either way
                    }
                }
                readers.shutdownNow();
                for (Http watchClient : watchClients) {
                    if (watchClient != client) {
                        watchClient.client.shutdownNow();
                    }
                }
            }
        };
    }

    /**
     * The Netty driver ({@link NettyWatchDriver}): the same watches over the same kinds of connection (HTTP/2:
     * {@code config.watchConnections()} connections; HTTP/1.1: one each), as the same user.
     */
    private OpenWatches openNettyWatches(
            Http client, String watchPath, List<WatchLines> lines, java.util.function.Consumer<String> onEnd)
            throws Exception {
        boolean http2 = client.expected == HttpClient.Version.HTTP_2;
        NettyWatchDriver driver = new NettyWatchDriver(config.watchDriverThreads());
        NettyWatchDriver.Watches watches;
        try {
            watches = driver.open(nettyTarget(client), watchPath, lines, config.watchConnections(), onEnd);
        } catch (Exception e) {
            driver.close();
            throw e;
        }
        int connections = http2 ? Math.min(config.watchConnections(), lines.size()) : lines.size();
        return new OpenWatches() {
            @Override
            public String over() {
                return connections + " connection(s), " + driver.describe();
            }

            @Override
            public long clientCpuNanos() {
                return driver.cpuNanos();
            }

            @Override
            public NettyWatchDriver driver() {
                return driver;
            }

            @Override
            public void close() {
                watches.close();
                driver.close();
            }
        };
    }

    private static NettyWatchDriver.Target nettyTarget(Http client) {
        return new NettyWatchDriver.Target(
                "127.0.0.1",
                client.server.port(),
                client.server.caCertificate(),
                client.credentials,
                client.expected == HttpClient.Version.HTTP_2);
    }

    /** The watch run's writer: creates {@code w-<sequence>}; closed after the run. */
    private interface WatchWriter extends Write, AutoCloseable {
        @Override
        void close();
    }

    /**
     * With the Netty driver the writer is lean too ({@link NettyWatchDriver.Poster}, a connection of its own):
     * the JDK HttpClient took 0.7 ms from {@code send} until the server saw the request and 0.5 ms (p90 3.5 ms) from
     * the server's answer until {@code send} returned while the watchers' reading loaded both cores — more than the
     * server's own work on the create (docs/performance.md, issue 11, sixth round). With the JDK driver, the column's
     * JDK client.
     */
    private WatchWriter watchWriter(Http client, String namespace, NettyWatchDriver driver) throws Exception {
        if (driver == null) {
            return new WatchWriter() {
                @Override
                public void run(int sequence) {
                    httpCreate(client, namespace, "w-" + sequence, sequence);
                }

                @Override
                public void close() {}
            };
        }
        NettyWatchDriver.Poster poster = driver.openPoster(nettyTarget(client));
        String path = client.resourcePath(namespace, "");
        return new WatchWriter() {
            @Override
            public void run(int sequence) throws Exception {
                int status = poster.post(path, body(namespace, "w-" + sequence, sequence));
                if (status != 201) {
                    throw new IllegalStateException("POST w-" + sequence + ": " + status);
                }
            }

            @Override
            public void close() {
                poster.close();
            }
        };
    }

    /** The masters column of the same protocol, when {@code client} is of another authorization mode. */
    private java.util.Optional<Http> mastersOf(Http client) {
        if (client.auth == BenchAuth.MASTERS) {
            return java.util.Optional.empty();
        }
        return http.values().stream()
                .filter(other -> other.auth == BenchAuth.MASTERS && other.protocol.equals(client.protocol))
                .findFirst();
    }

    /** The median of paired ratios under {@code key}, its 95 % interval under {@code key + " low"/" high"}. */
    private static void putPaired(Map<String, Double> values, String key, List<Double> ratios) {
        PairedRatios paired = PairedRatios.of(ratios);
        values.put(key, paired.median());
        values.put(key + " low", paired.low());
        values.put(key + " high", paired.high());
        step(
                "%s: median %.3f, 95 %% interval %.3f–%.3f over %d rounds",
                key, paired.median(), paired.low(), paired.high(), ratios.size());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** The sequence number in a watch object's name {@code w-<sequence>}. */
    private static int sequence(String name) {
        return Integer.parseInt(name, 2, name.length(), 10);
    }

    /**
     * Reads a watch stream (the JDK driver): each read's bytes go to {@link WatchLines}, which stamps each ADDED
     * event as its line is complete, by the sequence in its object's name.
     */
    private static void readEvents(InputStream in, WatchLines lines) throws IOException {
        byte[] buffer = new byte[256 * 1024];
        while (true) {
            int read = in.read(buffer);
            if (read < 0) {
                return;
            }
            lines.feed(buffer, 0, read, System.nanoTime());
        }
    }

    /**
     * {@code cpu}: the serving process's CPU, % of a core; {@code driverCpu}: this process's (the watchers' client and
     * the writer); {@code driverMicros}: this process's CPU per delivery (µs); {@code clientMicros}: the watch
     * client's threads' CPU per delivery (µs; NaN for the storage column, which has no client).
     */
    record WatchRun(
            Samples fromStart,
            Samples fromAck,
            Samples writes,
            Samples toFirst,
            Samples spread,
            long missing,
            double writeRate,
            double cpu,
            double driverCpu,
            double driverMicros,
            double clientMicros) {
        /** Several runs as one: their samples together, missing events summed, rates and CPU averaged. */
        static WatchRun merge(List<WatchRun> runs) {
            if (runs.size() == 1) {
                return runs.getFirst();
            }
            return new WatchRun(
                    Samples.merge(runs.stream().map(WatchRun::fromStart).toList()),
                    Samples.merge(runs.stream().map(WatchRun::fromAck).toList()),
                    Samples.merge(runs.stream().map(WatchRun::writes).toList()),
                    Samples.merge(runs.stream().map(WatchRun::toFirst).toList()),
                    Samples.merge(runs.stream().map(WatchRun::spread).toList()),
                    runs.stream().mapToLong(WatchRun::missing).sum(),
                    runs.stream().mapToDouble(WatchRun::writeRate).average().orElse(0),
                    runs.stream().mapToDouble(WatchRun::cpu).average().orElse(0),
                    runs.stream().mapToDouble(WatchRun::driverCpu).average().orElse(0),
                    runs.stream().mapToDouble(WatchRun::driverMicros).average().orElse(0),
                    runs.stream().mapToDouble(WatchRun::clientMicros).average().orElse(Double.NaN));
        }
    }

    interface Write {
        void run(int sequence) throws Exception;
    }

    /**
     * The paced writer: {@code load.events()} creates at {@code load.rate()} a second, then the wait for delivery;
     * {@code cpuNanos} is the CPU time of what serves the watches (this process, or the server process).
     */
    private static WatchRun paced(
            WatchLoad load,
            Write write,
            LongAdder deliveries,
            long[][] delivered,
            java.util.function.LongSupplier cpuNanos,
            java.util.function.LongSupplier clientCpuNanos)
            throws InterruptedException {
        int events = load.events();
        long[] submitted = new long[events];
        long[] acknowledged = new long[events];
        long intervalNanos = 1_000_000_000L / load.rate();
        long writeErrors = 0;
        long cpuStart = cpuNanos.getAsLong();
        long driverStart = StorageBench.processCpuNanos();
        long clientStart = clientCpuNanos == null ? 0 : clientCpuNanos.getAsLong();
        Map<String, Long> threadsStart = clientCpuNanos == null ? Map.of() : ThreadCpu.byName();
        long start = System.nanoTime();
        for (int sequence = 0; sequence < events; sequence++) {
            long due = start + sequence * intervalNanos;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            long t0 = System.nanoTime();
            try {
                write.run(sequence);
            } catch (Exception e) {
                writeErrors++;
            }
            submitted[sequence] = t0;
            acknowledged[sequence] = System.nanoTime();
        }
        double writeSeconds = StorageBench.seconds(System.nanoTime() - start);
        long expected = (long) load.watchers() * (events - writeErrors);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (deliveries.sum() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20); // a bounded wait for the last deliveries, not synchronisation
        }
        double cpu = (cpuNanos.getAsLong() - cpuStart) / (double) (System.nanoTime() - start);
        long driverNanos = StorageBench.processCpuNanos() - driverStart;
        double driverCpu = driverNanos / (double) (System.nanoTime() - start);
        // per delivery, over every delivery of the run (the warm-up's too, as the CPU is over the whole run)
        double delivery = Math.max(1, deliveries.sum());
        double driverMicros = driverNanos / 1e3 / delivery;
        double clientMicros =
                clientCpuNanos == null ? Double.NaN : (clientCpuNanos.getAsLong() - clientStart) / 1e3 / delivery;
        if (clientCpuNanos != null) {
            step(
                    "  the load driver's CPU by thread: %s",
                    ThreadCpu.breakdown(threadsStart, ThreadCpu.byName(), driverNanos, 5));
        }
        Samples writes = new Samples(events);
        Samples fromStart = new Samples(load.watchers() * events);
        Samples fromAck = new Samples(load.watchers() * events);
        Samples toFirst = new Samples(events);
        Samples spread = new Samples(events);
        long missing = writeErrors * load.watchers();
        for (int sequence = load.warmUp(); sequence < events; sequence++) {
            writes.add(acknowledged[sequence] - submitted[sequence]);
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (long[] watcher : delivered) {
                if (watcher[sequence] == 0) {
                    missing++;
                    continue;
                }
                fromStart.add(watcher[sequence] - submitted[sequence]);
                fromAck.add(watcher[sequence] - acknowledged[sequence]);
                first = Math.min(first, watcher[sequence]);
                last = Math.max(last, watcher[sequence]);
            }
            if (first <= last) {
                toFirst.add(first - submitted[sequence]);
                spread.add(last - first);
            }
        }
        return new WatchRun(
                fromStart,
                fromAck,
                writes,
                toFirst,
                spread,
                missing,
                events / writeSeconds,
                cpu * 100,
                driverCpu * 100,
                driverMicros,
                clientMicros);
    }

    private void record(String column, String suffix, WatchRun run, int broken) {
        Map<String, Double> v = values.get(column);
        v.put("watch p50" + suffix, StorageBench.millis(run.fromStart().percentile(50)));
        v.put("watch p99" + suffix, StorageBench.millis(run.fromStart().percentile(99)));
        v.put("watch ack p50" + suffix, StorageBench.millis(run.fromAck().percentile(50)));
        v.put("watch ack p99" + suffix, StorageBench.millis(run.fromAck().percentile(99)));
        v.put("watch write p50" + suffix, StorageBench.millis(run.writes().percentile(50)));
        v.put("watch write p99" + suffix, StorageBench.millis(run.writes().percentile(99)));
        v.put("watch first p50" + suffix, StorageBench.millis(run.toFirst().percentile(50)));
        v.put("watch first p99" + suffix, StorageBench.millis(run.toFirst().percentile(99)));
        v.put("watch spread p50" + suffix, StorageBench.millis(run.spread().percentile(50)));
        v.put("watch spread p99" + suffix, StorageBench.millis(run.spread().percentile(99)));
        v.put("watch cpu" + suffix, run.cpu());
        v.put("watch driver cpu" + suffix, run.driverCpu());
        if (!Double.isNaN(run.clientMicros())) {
            v.put("watch driver us" + suffix, run.driverMicros());
            v.put("watch client us" + suffix, run.clientMicros());
        }
        step(
                "watch%s, %s: %,d deliveries, from create called p50 %.2f ms p99 %.2f ms, from create returned"
                        + " p50 %.2f ms p99 %.2f ms; per event, to its first watcher p50 %.2f ms p99 %.2f ms, first to"
                        + " last watcher p50 %.2f ms p99 %.2f ms; writes p50 %.2f ms p99 %.2f ms at %.0f/s; CPU %.0f%% of a core"
                        + " (load driver %.0f%%; per delivery %.1f µs, of which its watch client's threads %.1f µs);"
                        + " %,d missing, %d broken",
                suffix,
                column,
                run.fromStart().size(),
                StorageBench.millis(run.fromStart().percentile(50)),
                StorageBench.millis(run.fromStart().percentile(99)),
                StorageBench.millis(run.fromAck().percentile(50)),
                StorageBench.millis(run.fromAck().percentile(99)),
                StorageBench.millis(run.toFirst().percentile(50)),
                StorageBench.millis(run.toFirst().percentile(99)),
                StorageBench.millis(run.spread().percentile(50)),
                StorageBench.millis(run.spread().percentile(99)),
                StorageBench.millis(run.writes().percentile(50)),
                StorageBench.millis(run.writes().percentile(99)),
                run.writeRate(),
                run.cpu(),
                run.driverCpu(),
                run.driverMicros(),
                run.clientMicros(),
                run.missing(),
                broken);
        if (run.missing() > 0 || broken > 0) {
            notes.add(String.format(
                    "watch%s, %s: %,d deliveries missing, %d streams broken", suffix, column, run.missing(), broken));
        }
    }

    private static String resourceVersionOf(byte[] json) {
        Matcher matcher = RESOURCE_VERSION.matcher(new String(json, StandardCharsets.UTF_8));
        if (!matcher.find()) {
            throw new IllegalStateException("no resourceVersion in " + new String(json, StandardCharsets.UTF_8));
        }
        return matcher.group(1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // memory

    /**
     * Memory with many objects (issue 11): a server process of its own, its heap bounded by {@code bench.rssHeap}
     * ({@code -Xmx}; {@code -Xms64m}, so that the heap grows only as far as it must), is loaded with
     * {@code bench.rssObjects} objects over HTTP/2 (16 connections × 8 streams), every object is then listed once in
     * pages of 500 (so that each version also keeps its JSON, as a served object does: the worst case), and its
     * resident set is read from the OS; its heap after a full collection from {@code jcmd}. Beside it, what the same
     * number of objects adds to the storage layer's heap in this process.
     */
    private void memory() throws Exception {
        int n = config.rssObjects();
        String column = http.keySet().iterator().next();
        // the storage layer's heap for n more objects
        long before = StorageBench.heapUsedAfterGc();
        StorageBench.CreateRun stored = run(STORAGE, 64, n, Duration.ofMinutes(10), new AtomicLong(), i -> {
                    storageCreate("bench-rss-" + (i % NAMESPACES), "r-" + i);
                })
                .run();
        long after = StorageBench.heapUsedAfterGc();
        values.get(STORAGE).put("heap per object", (after - before) / 1024.0 / stored.done());
        step(
                "memory: %,d objects add %,.0f MiB to the storage layer's heap (%.2f KiB each)",
                stored.done(), (after - before) / 1048576.0, (after - before) / 1024.0 / stored.done());

        Path dir = config.dataRoot().toAbsolutePath().resolve("http-server-rss");
        BenchBackend.deleteRecursively(dir);
        Files.createDirectories(dir);
        ServerProcess server = ServerProcess.start(dir, fsync, BenchAuth.MASTERS, "64m", config.rssHeap());
        try {
            BenchCredentials credentials = BenchCredentials.bearer(server.adminToken());
            Http client = new Http(
                    "h2", column, BenchAuth.MASTERS, credentials.tls(server.caCertificate()), server, credentials);
            List<Http> connections = client.forConnections(16);
            WriterOperation create = (writer, i) -> httpCreate(
                    connections.get(writer % connections.size()), "bench-rss-" + (i % NAMESPACES), "r-" + i, i);
            run("rss", 128, 2_000, Duration.ofMinutes(2), new AtomicLong(n), create); // warm-up, other names
            listEverything(client);
            long emptyRss = server.residentBytes();
            long emptyHeap = server.heapUsedAfterGc();
            StorageBench.CreateRun posted = run("rss", 128, n, Duration.ofMinutes(15), new AtomicLong(), create)
                    .run();
            long listed = listEverything(client);
            long rss = server.residentBytes();
            long heap = server.heapUsedAfterGc();
            long rssAfterGc = server.residentBytes();
            Map<String, Double> v = values.get(column);
            v.put("rss MiB", rss / 1048576.0);
            v.put("rss empty MiB", emptyRss / 1048576.0);
            v.put("rss per object", rss / 1024.0 / n);
            v.put("rss added per object", (rss - emptyRss) / 1024.0 / n);
            if (heap > 0 && emptyHeap > 0) {
                v.put("heap per object", (heap - emptyHeap) / 1024.0 / n);
            }
            step(
                    "memory: %,d objects posted (%,.0f/s) and %,d listed; the server (-Xmx%s) holds %,.0f MiB resident"
                            + " (%,.0f MiB after a full GC; %,.0f MiB with 2,000 objects): %.2f KiB per object,"
                            + " %.2f KiB added per object; its heap after a full GC %,.0f MiB (%,.0f MiB with 2,000)",
                    posted.done(),
                    posted.rate(),
                    listed,
                    config.rssHeap(),
                    rss / 1048576.0,
                    rssAfterGc / 1048576.0,
                    emptyRss / 1048576.0,
                    rss / 1024.0 / n,
                    (rss - emptyRss) / 1024.0 / n,
                    heap / 1048576.0,
                    emptyHeap / 1048576.0);
            if (posted.done() != n) {
                notes.add(
                        "memory: only " + posted.done() + " of " + n + " objects were posted: " + posted.firstError());
            }
            for (Http connection : connections) {
                connection.client.shutdownNow();
            }
        } finally {
            server.close();
            BenchBackend.deleteRecursively(dir);
        }
    }

    private static final Pattern CONTINUE = Pattern.compile("\"continue\":\"([^\"]+)\"");

    /** Lists every object of the kind in every namespace, in pages of 500; how many there were. */
    private static long listEverything(Http client) {
        long items = 0;
        String token = "";
        do {
            String path = GROUP_VERSION_PATH + "/databaseinstances?limit=500"
                    + (token.isEmpty() ? "" : "&continue=" + java.net.URLEncoder.encode(token, StandardCharsets.UTF_8));
            HttpResponse<byte[]> page = client.get(path);
            if (page.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + ": " + page.statusCode());
            }
            String body = new String(page.body(), StandardCharsets.UTF_8);
            items += body.split("\"kind\":\"DatabaseInstance\"", -1).length - 1;
            Matcher next = CONTINUE.matcher(body);
            token = next.find() ? next.group(1) : "";
        } while (!token.isEmpty());
        return items;
    }

    // ---------------------------------------------------------------------------------------------------------
    // the HTTP client

    /** An SSL context that trusts the standalone server's CA (and nothing else). */
    static SSLContext trusting(Path caCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caCertificate)) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** One {@link HttpClient} of one protocol, to one server, with one user's credentials. */
    static final class Http {
        final String protocol;
        /** The column it measures: its protocol, with the authorization mode when several are run. */
        final String column;
        /** The server process it talks to. */
        final ServerProcess server;
        /** Who its requests come from. */
        final BenchAuth auth;
        /** The start of the names this client creates (each column has its own objects). */
        final String prefix;

        final HttpClient.Version expected;
        final HttpClient client;
        private final SSLContext tls;
        final String base;
        final BenchCredentials credentials;

        Http(
                String protocol,
                String column,
                BenchAuth auth,
                SSLContext tls,
                ServerProcess server,
                BenchCredentials credentials) {
            this.protocol = protocol;
            this.auth = auth;
            this.column = column;
            this.server = server;
            this.credentials = credentials;
            this.prefix = protocol.replace(".", "") + "-";
            this.expected = switch (protocol) {
                case "h2" -> HttpClient.Version.HTTP_2;
                case "http1.1" -> HttpClient.Version.HTTP_1_1;
                default -> throw new IllegalArgumentException("protocol " + protocol + " (h2, http1.1)");
            };
            this.tls = tls;
            this.client = HttpClient.newBuilder()
                    .version(expected)
                    .sslContext(tls)
                    .connectTimeout(Duration.ofSeconds(120)) // 1,000 TLS handshakes at once on a loaded machine
                    .build();
            this.base = "https://127.0.0.1:" + server.port();
        }

        /**
         * {@code connections} clients of this column: over HTTP/2 this one and more, each an HTTP/2 connection of its
         * own (the JDK client multiplexes every request of one client over one connection); over HTTP/1.1 this one,
         * whose pool opens a connection per concurrent request.
         */
        List<Http> forConnections(int connections) {
            if (expected == HttpClient.Version.HTTP_1_1 || connections <= 1) {
                return List.of(this);
            }
            List<Http> clients = new ArrayList<>(List.of(this));
            while (clients.size() < connections) {
                clients.add(new Http(protocol, column, auth, tls, server, credentials));
            }
            return clients;
        }

        String resourcePath(String namespace, String name) {
            return GROUP_VERSION_PATH + "/namespaces/" + namespace + "/databaseinstances"
                    + (name.isEmpty() ? "" : "/" + name);
        }

        private HttpRequest.Builder request(String path) {
            return credentials
                    .addTo(HttpRequest.newBuilder(URI.create(base + path)))
                    .header("Accept", "application/json")
                    .timeout(Duration.ofSeconds(60));
        }

        HttpResponse<byte[]> post(String namespace, byte[] body) {
            return send(
                    request(resourcePath(namespace, ""))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        }

        /** POSTs a JSON body to {@code path} (the admin's RBAC objects). */
        HttpResponse<byte[]> postTo(String path, String json) {
            return send(
                    request(path)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        }

        void healthz() {
            HttpResponse<Void> response =
                    send(request("/healthz").GET().build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET /healthz: " + response.statusCode());
            }
        }

        HttpResponse<byte[]> get(String path) {
            return send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        }

        /** GETs and reads the body into a reused buffer (as cheap for the client as reading can be); its size. */
        long drain(String path) {
            HttpResponse<InputStream> response =
                    send(request(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            byte[] buffer = new byte[64 * 1024];
            long size = 0;
            try (InputStream in = response.body()) {
                for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                    size += read;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + ": " + response.statusCode());
            }
            return size;
        }

        /** Starts a watch; returns once the server has sent the response headers (the watch is registered). */
        InputStream watch(String path) {
            HttpRequest request = credentials
                    .addTo(HttpRequest.newBuilder(URI.create(base + path)))
                    .header("Accept", "application/json")
                    .GET()
                    .build();
            HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200 || response.version() != expected) {
                throw new IllegalStateException("watch: " + response.statusCode() + " over " + response.version());
            }
            return response.body();
        }

        private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
            try {
                return client.send(request, handler);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // the report

    private static void step(String format, Object... args) {
        System.out.printf("  " + format + "%n", args);
        System.out.flush();
    }

    /** One h2load run of the creates phase: {@code requests} POSTs, given up after {@code timeout}. */
    @FunctionalInterface
    private interface H2LoadRun {
        H2Load.Result run(int requests, Duration timeout) throws java.io.IOException, InterruptedException;
    }
}
