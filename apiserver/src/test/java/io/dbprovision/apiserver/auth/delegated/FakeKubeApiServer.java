package io.dbprovision.apiserver.auth.delegated;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.dbprovision.apiserver.server.Pki;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A kube-apiserver for tests, over HTTPS with a CA of its own, speaking the real wire format of what delegated
 * authentication uses: {@code authentication.k8s.io/v1} TokenReview, {@code authorization.k8s.io/v1}
 * SubjectAccessReview, and the {@code kube-system/extension-apiserver-authentication} ConfigMap (get, list by field
 * selector, watch with resource versions); and what the reconcilers write in a cluster, core v1 {@link #secrets} and
 * {@link #events} (see {@link FakeCoreResource}). Callers must present the service-account token it was given (401
 * otherwise). Answers are configurable, every kind of request is counted, and it can be made to fail or be stopped.
 */
public final class FakeKubeApiServer implements AutoCloseable {
    public static final String CONFIG_MAP_PATH = "/api/v1/namespaces/kube-system/configmaps";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A user a TokenReview names; {@code audiences} are the ones the token is for (empty: not reported). */
    public record FakeUser(
            String username, String uid, List<String> groups, Map<String, List<String>> extra, List<String> audiences) {
        public static FakeUser of(String username, String... groups) {
            return new FakeUser(username, "uid-" + username, List.of(groups), Map.of(), List.of());
        }
    }

    /** The status of a SubjectAccessReview. */
    public record SarAnswer(boolean allowed, boolean denied, String reason) {
        public static SarAnswer allow(String reason) {
            return new SarAnswer(true, false, reason);
        }

        public static SarAnswer deny(String reason) {
            return new SarAnswer(false, true, reason);
        }

        public static SarAnswer noOpinion(String reason) {
            return new SarAnswer(false, false, reason);
        }
    }

    private final Pki.Issued ca = Pki.newCa("fake-kube-apiserver-ca", Duration.ofDays(1));
    private final HttpsServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<String> acceptedCallerTokens = ConcurrentHashMap.newKeySet();
    private final Map<String, FakeUser> tokens = new ConcurrentHashMap<>();
    private volatile Function<JsonNode, SarAnswer> sarAnswers = spec -> SarAnswer.noOpinion("no RBAC rule matched");
    private volatile int failWith;
    private volatile Duration latency = Duration.ZERO;

    public final AtomicInteger tokenReviews = new AtomicInteger();
    public final AtomicInteger subjectAccessReviews = new AtomicInteger();
    public final AtomicInteger configMapReads = new AtomicInteger();
    public final AtomicInteger configMapWatches = new AtomicInteger();
    public final AtomicInteger unauthorizedCalls = new AtomicInteger();
    public final AtomicInteger failedCalls = new AtomicInteger();
    public final List<JsonNode> tokenReviewSpecs = new CopyOnWriteArrayList<>();
    public final List<JsonNode> subjectAccessReviewSpecs = new CopyOnWriteArrayList<>();

    /** One resourceVersion sequence for the core objects, as etcd has one for all. */
    private final AtomicLong coreVersions = new AtomicLong(1_000);
    /** Core v1 Secrets, in every namespace. */
    public final FakeCoreResource secrets = new FakeCoreResource("Secret", "secrets", coreVersions);
    /** Core v1 Events, in every namespace. */
    public final FakeCoreResource events = new FakeCoreResource("Event", "events", coreVersions);
    /** Core v1 ConfigMaps by name (the authentication ConfigMap's list and watch are served apart, above). */
    public final FakeCoreResource configMaps = new FakeCoreResource("ConfigMap", "configmaps", coreVersions);

    // the ConfigMap and its history, for watches that resume from a resource version
    private final Object configLock = new Object();
    private long resourceVersion = 100;
    private ObjectNode configMap; // null: absent
    private final List<ObjectNode> configMapEvents = new ArrayList<>();
    private final List<LinkedBlockingQueue<ObjectNode>> watchers = new CopyOnWriteArrayList<>();

    private FakeKubeApiServer(String serviceAccountToken) throws Exception {
        acceptedCallerTokens.add(serviceAccountToken);
        Pki.Issued serving =
                Pki.newServing(ca, "kube-apiserver", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1));
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("serving", serving.key(), new char[0], new Certificate[] {serving.certificate()});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeKubeApiServer start(String serviceAccountToken) {
        try {
            return new FakeKubeApiServer(serviceAccountToken);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public Pki.Issued ca() {
        return ca;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "https://127.0.0.1:" + port();
    }

    /** A kubeconfig that reaches this server with {@code callerToken}. */
    public Path writeKubeconfig(Path dir, String callerToken) throws IOException {
        String caData = Base64.getEncoder().encodeToString(ca.certificatePem().getBytes(StandardCharsets.US_ASCII));
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: fake
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: dbprovision
                  user:
                    token: %s
                contexts:
                - name: fake
                  context:
                    cluster: fake
                    user: dbprovision
                current-context: fake
                """.formatted(url(), caData, callerToken);
        Files.createDirectories(dir);
        Path file = dir.resolve("kubeconfig");
        Files.writeString(file, yaml);
        return file;
    }

    /** The files a pod's service account mount holds, and the environment pointing at this server. */
    public ClusterConnection.InCluster writeServiceAccount(Path dir, String callerToken, Duration tokenReread)
            throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("token"), callerToken);
        Files.writeString(dir.resolve("ca.crt"), ca.certificatePem());
        return new ClusterConnection.InCluster(
                dir.resolve("token"),
                dir.resolve("ca.crt"),
                Optional.of("127.0.0.1"),
                Optional.of(Integer.toString(port())),
                tokenReread);
    }

    /** From now on callers must present {@code token} (the service-account token was rotated). */
    public void rotateCallerToken(String token) {
        acceptedCallerTokens.clear();
        acceptedCallerTokens.add(token);
    }

    public void acceptToken(String token, FakeUser user) {
        tokens.put(token, user);
    }

    /** The token is revoked: from now on TokenReviews reject it. */
    public void revokeToken(String token) {
        tokens.remove(token);
    }

    public void answerSubjectAccessReviews(Function<JsonNode, SarAnswer> answers) {
        this.sarAnswers = answers;
    }

    /** Every request answered with this HTTP code and a Status (0: behave again); open watches end. */
    public void failWith(int code) {
        this.failWith = code;
        if (code != 0) {
            watchers.forEach(queue -> queue.add(JSON.createObjectNode()));
            secrets.endWatches();
            events.endWatches();
            configMaps.endWatches();
        }
    }

    public void delayAnswers(Duration latency) {
        this.latency = latency;
    }

    /** Creates or replaces the ConfigMap, notifying watchers; returns its new resource version. */
    public String putConfigMap(Map<String, String> data) {
        synchronized (configLock) {
            String type = configMap == null ? "ADDED" : "MODIFIED";
            ObjectNode object = JSON.createObjectNode();
            object.put("apiVersion", "v1");
            object.put("kind", "ConfigMap");
            ObjectNode metadata = object.putObject("metadata");
            metadata.put("name", ClusterAuthenticationConfig.NAME);
            metadata.put("namespace", ClusterAuthenticationConfig.NAMESPACE);
            metadata.put("uid", "6f1c0e54-0000-4000-8000-000000000001");
            metadata.put("resourceVersion", Long.toString(++resourceVersion));
            ObjectNode dataNode = object.putObject("data");
            data.forEach(dataNode::put);
            configMap = object;
            publish(type, object);
            return Long.toString(resourceVersion);
        }
    }

    public void deleteConfigMap() {
        synchronized (configLock) {
            if (configMap != null) {
                ObjectNode gone = configMap.deepCopy();
                ((ObjectNode) gone.get("metadata")).put("resourceVersion", Long.toString(++resourceVersion));
                configMap = null;
                publish("DELETED", gone);
            }
        }
    }

    /** The ConfigMap as kube-apiserver writes it for a front proxy. */
    public static Map<String, String> configMapData(
            Optional<Pki.Issued> clientCa, Optional<Pki.Issued> requestHeaderCa, List<String> allowedNames) {
        Map<String, String> data = new LinkedHashMap<>();
        clientCa.ifPresent(c -> data.put("client-ca-file", c.certificatePem()));
        requestHeaderCa.ifPresent(c -> {
            data.put("requestheader-client-ca-file", c.certificatePem());
            data.put("requestheader-allowed-names", array(allowedNames));
            data.put("requestheader-username-headers", "[\"X-Remote-User\"]");
            data.put("requestheader-group-headers", "[\"X-Remote-Group\"]");
            data.put("requestheader-extra-headers-prefix", "[\"X-Remote-Extra-\"]");
        });
        return data;
    }

    public static String array(List<String> values) {
        ArrayNode array = JSON.createArrayNode();
        values.forEach(array::add);
        return array.toString();
    }

    @Override
    public void close() {
        watchers.forEach(queue -> queue.add(JSON.createObjectNode())); // an empty event ends a watch
        secrets.endWatches();
        events.endWatches();
        configMaps.endWatches();
        server.stop(0);
        executor.shutdownNow();
    }

    private void publish(String type, ObjectNode object) {
        ObjectNode event = JSON.createObjectNode();
        event.put("type", type);
        event.set("object", object.deepCopy());
        configMapEvents.add(event);
        watchers.forEach(queue -> queue.add(event));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!latency.isZero()) {
                Thread.sleep(latency);
            }
            if (failWith != 0) {
                failedCalls.incrementAndGet();
                status(exchange, failWith, "InternalError", "the fake kube-apiserver was told to fail");
                return;
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null
                    || !authorization.startsWith("Bearer ")
                    || !acceptedCallerTokens.contains(authorization.substring(7))) {
                unauthorizedCalls.incrementAndGet();
                status(exchange, 401, "Unauthorized", "Unauthorized");
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (method.equals("POST") && path.equals("/apis/authentication.k8s.io/v1/tokenreviews")) {
                tokenReview(exchange);
            } else if (method.equals("POST") && path.equals("/apis/authorization.k8s.io/v1/subjectaccessreviews")) {
                subjectAccessReview(exchange);
            } else if (method.equals("GET") && path.equals(CONFIG_MAP_PATH)) {
                Map<String, String> query = query(exchange);
                if (!("metadata.name=" + ClusterAuthenticationConfig.NAME).equals(query.get("fieldSelector"))) {
                    status(exchange, 403, "Forbidden", "only the one ConfigMap may be read");
                } else if ("true".equals(query.get("watch"))) {
                    watch(exchange, query);
                } else {
                    listConfigMaps(exchange);
                }
            } else if (method.equals("GET") && path.equals(CONFIG_MAP_PATH + "/" + ClusterAuthenticationConfig.NAME)) {
                configMapReads.incrementAndGet();
                ObjectNode current;
                synchronized (configLock) {
                    current = configMap;
                }
                if (current == null) {
                    status(
                            exchange,
                            404,
                            "NotFound",
                            "configmaps \"" + ClusterAuthenticationConfig.NAME + "\" not found");
                } else {
                    json(exchange, 200, current);
                }
            } else if (!secrets.serve(exchange, method, path)
                    && !events.serve(exchange, method, path)
                    && !configMaps.serve(exchange, method, path)) {
                status(exchange, 404, "NotFound", "the server could not find the requested resource");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void tokenReview(HttpExchange exchange) throws IOException {
        tokenReviews.incrementAndGet();
        JsonNode review = JSON.readTree(exchange.getRequestBody());
        JsonNode spec = review.path("spec");
        tokenReviewSpecs.add(spec);
        ObjectNode answer = JSON.createObjectNode();
        answer.put("apiVersion", "authentication.k8s.io/v1");
        answer.put("kind", "TokenReview");
        answer.putObject("metadata");
        answer.set("spec", spec);
        ObjectNode status = answer.putObject("status");
        FakeUser user = tokens.get(spec.path("token").asText());
        if (user == null) {
            status.put("authenticated", false);
            status.put("error", "[invalid bearer token, token lookup failed]");
        } else {
            status.put("authenticated", true);
            ObjectNode userNode = status.putObject("user");
            userNode.put("username", user.username());
            userNode.put("uid", user.uid());
            ArrayNode groups = userNode.putArray("groups");
            user.groups().forEach(groups::add);
            ObjectNode extra = userNode.putObject("extra");
            user.extra().forEach((key, values) -> values.forEach(extra.putArray(key)::add));
            ArrayNode audiences = status.putArray("audiences");
            if (user.audiences().isEmpty()) {
                spec.path("audiences").forEach(audiences::add);
            } else {
                user.audiences().forEach(audiences::add);
            }
        }
        json(exchange, 201, answer);
    }

    private void subjectAccessReview(HttpExchange exchange) throws IOException {
        subjectAccessReviews.incrementAndGet();
        JsonNode review = JSON.readTree(exchange.getRequestBody());
        JsonNode spec = review.path("spec");
        subjectAccessReviewSpecs.add(spec);
        SarAnswer result = sarAnswers.apply(spec);
        ObjectNode answer = JSON.createObjectNode();
        answer.put("apiVersion", "authorization.k8s.io/v1");
        answer.put("kind", "SubjectAccessReview");
        answer.putObject("metadata");
        answer.set("spec", spec);
        ObjectNode status = answer.putObject("status");
        status.put("allowed", result.allowed());
        if (result.denied()) {
            status.put("denied", true);
        }
        if (!result.reason().isEmpty()) {
            status.put("reason", result.reason());
        }
        json(exchange, 201, answer);
    }

    private void listConfigMaps(HttpExchange exchange) throws IOException {
        configMapReads.incrementAndGet();
        ObjectNode list = JSON.createObjectNode();
        list.put("apiVersion", "v1");
        list.put("kind", "ConfigMapList");
        ArrayNode items;
        synchronized (configLock) {
            list.putObject("metadata").put("resourceVersion", Long.toString(resourceVersion));
            items = list.putArray("items");
            if (configMap != null) {
                items.add(configMap.deepCopy());
            }
        }
        json(exchange, 200, list);
    }

    private void watch(HttpExchange exchange, Map<String, String> query) throws IOException, InterruptedException {
        configMapWatches.incrementAndGet();
        long from = Long.parseLong(
                query.getOrDefault("resourceVersion", "0").isEmpty()
                        ? "0"
                        : query.getOrDefault("resourceVersion", "0"));
        long seconds = Long.parseLong(query.getOrDefault("timeoutSeconds", "300"));
        LinkedBlockingQueue<ObjectNode> queue = new LinkedBlockingQueue<>();
        synchronized (configLock) {
            for (ObjectNode event : configMapEvents) {
                if (Long.parseLong(event.path("object")
                                .path("metadata")
                                .path("resourceVersion")
                                .asText())
                        > from) {
                    queue.add(event);
                }
            }
            watchers.add(queue);
        }
        try {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                ObjectNode event = queue.poll(left, TimeUnit.NANOSECONDS);
                if (event == null || event.isEmpty() || failWith != 0) {
                    return;
                }
                body.write(JSON.writeValueAsBytes(event));
                body.write('\n');
                body.flush();
            }
        } finally {
            watchers.remove(queue);
        }
    }

    static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> query = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.put(key, value);
            }
        }
        return query;
    }

    private static void status(HttpExchange exchange, int code, String reason, String message) throws IOException {
        ObjectNode status = JSON.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        json(exchange, code, status);
    }

    private static void json(HttpExchange exchange, int code, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
