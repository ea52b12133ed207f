package io.dbprovision.apiserver.storage.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.dbprovision.apiserver.server.Pki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The kube-apiserver the delegated server asks in the benchmark's SAR mode: HTTPS with a CA of its own, answering
 * {@code authorization.k8s.io/v1} SubjectAccessReviews in their real wire format for callers with its service-account
 * token. It plays the cluster's RBAC for the benchmark: {@link BenchAuth#USER} may create, get, list and watch
 * DatabaseInstances and read discovery paths; everything else is not allowed. It runs in the load driver's process
 * (as the cluster would run outside the server's); reviews are counted, so the report can show how many requests the
 * server's cache answered.
 */
final class BenchKubeApiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REVIEW_PATH = "/apis/authorization.k8s.io/v1/subjectaccessreviews";
    private static final Set<String> VERBS = Set.of("create", "get", "list", "watch");

    private final Pki.Issued ca = Pki.newCa("bench-kube-apiserver-ca", Duration.ofDays(1));
    private final String callerToken;
    private final HttpsServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger reviews = new AtomicInteger();

    private BenchKubeApiServer() throws Exception {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        this.callerToken = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
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

    static BenchKubeApiServer start() {
        try {
            return new BenchKubeApiServer();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the fake kube-apiserver", e);
        }
    }

    /** SubjectAccessReviews answered so far. */
    int reviews() {
        return reviews.get();
    }

    /** A kubeconfig (readable by this user only) that reaches this server with its service-account token. */
    Path writeKubeconfig(Path dir) throws IOException {
        String caData = Base64.getEncoder().encodeToString(ca.certificatePem().getBytes(StandardCharsets.US_ASCII));
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: bench
                  cluster:
                    server: https://127.0.0.1:%d
                    certificate-authority-data: %s
                users:
                - name: dbprovision
                  user:
                    token: %s
                contexts:
                - name: bench
                  context:
                    cluster: bench
                    user: dbprovision
                current-context: bench
                """.formatted(server.getAddress().getPort(), caData, callerToken);
        Path file = dir.resolve("cluster.kubeconfig");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !authorization.equals("Bearer " + callerToken)) {
                status(exchange, 401, "Unauthorized");
                return;
            }
            if (!exchange.getRequestMethod().equals("POST")
                    || !exchange.getRequestURI().getPath().equals(REVIEW_PATH)) {
                status(exchange, 404, "NotFound");
                return;
            }
            reviews.incrementAndGet();
            JsonNode spec = JSON.readTree(exchange.getRequestBody()).path("spec");
            boolean allowed = allowed(spec);
            ObjectNode answer = JSON.createObjectNode();
            answer.put("apiVersion", "authorization.k8s.io/v1");
            answer.put("kind", "SubjectAccessReview");
            answer.putObject("metadata");
            answer.set("spec", spec);
            ObjectNode status = answer.putObject("status");
            status.put("allowed", allowed);
            status.put(
                    "reason",
                    allowed
                            ? "RBAC: allowed by ClusterRoleBinding \"bench\" of ClusterRole \"bench\" to User \""
                                    + BenchAuth.USER + "\""
                            : "no RBAC rule matched");
            json(exchange, 201, answer);
        }
    }

    /** The benchmark user's rights: DatabaseInstances (create, get, list, watch) and discovery. */
    private static boolean allowed(JsonNode spec) {
        if (!BenchAuth.USER.equals(spec.path("user").asText())) {
            return false;
        }
        JsonNode resource = spec.path("resourceAttributes");
        if (!resource.isMissingNode()) {
            return resource.path("group").asText().equals("dbops.dbprovision.io")
                    && resource.path("resource").asText().equals("databaseinstances")
                    && resource.path("subresource").asText().isEmpty()
                    && VERBS.contains(resource.path("verb").asText());
        }
        JsonNode path = spec.path("nonResourceAttributes");
        return path.path("verb").asText().equals("get")
                && (path.path("path").asText().startsWith("/api")
                        || path.path("path").asText().equals("/version"));
    }

    private static void status(HttpExchange exchange, int code, String reason) throws IOException {
        ObjectNode status = JSON.createObjectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", reason);
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
