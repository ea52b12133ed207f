package io.dbprovision.apiserver.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbprovision.apiserver.server.StandaloneServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads of a resourceVersion the store has not reached, answered as Kubernetes answers them: after waiting a little
 * (3 s) for the version to arrive, 504 with the {@code ResourceVersionTooLarge} cause that clients retry on; and watch
 * bookmarks that are objects of the kind.
 */
class FutureResourceVersionTest {
    private static final String DBS = "/apis/dbops.dbprovision.io/v1alpha1/namespaces/default/databases";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static StandaloneServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        server = StandaloneServer.start(dir, "127.0.0.1", 0, false);
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(server.caCertificate())) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        client = HttpClient.newBuilder().sslContext(tls).build();
        assertThat(create("first").statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aListAtAVersionTheStoreHasNotReachedIs504WithTheResourceVersionTooLargeCause() throws Exception {
        long future = currentVersion() + 1000;
        long start = System.nanoTime();

        HttpResponse<String> response = get(DBS + "?resourceVersion=" + future + "&resourceVersionMatch=NotOlderThan");

        assertTooLarge(response, future);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("waited first")
                .isGreaterThan(Duration.ofMillis(2500));
    }

    @Test
    void aGetAtAVersionTheStoreHasNotReachedIs504WithTheResourceVersionTooLargeCause() throws Exception {
        long future = currentVersion() + 1000;

        assertTooLarge(get(DBS + "/first?resourceVersion=" + future), future);
    }

    @Test
    void aListAtAVersionReachedWhileItWaitsIsServed() throws Exception {
        long next = currentVersion() + 1;
        CompletableFuture<HttpResponse<String>> list = client.sendAsync(
                request(DBS + "?resourceVersion=" + next).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300); // let it wait (the answer is right either way: this only makes the wait likely)
        assertThat(create("second").statusCode()).isEqualTo(201);

        HttpResponse<String> response = list.get();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Long.parseLong(JSON.readTree(response.body())
                        .at("/metadata/resourceVersion")
                        .asText()))
                .isGreaterThanOrEqualTo(next);
    }

    @Test
    void aWatchFromAVersionTheStoreHasNotReachedEndsWithAnErrorEventOf504() throws Exception {
        long future = currentVersion() + 1000;

        HttpResponse<String> response = get(DBS + "?watch=true&resourceVersion=" + future);

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> lines = response.body().lines().toList();
        assertThat(lines).hasSize(1);
        JsonNode event = JSON.readTree(lines.getFirst());
        assertThat(event.get("type").asText()).isEqualTo("ERROR");
        assertThat(event.at("/object/code").asInt()).isEqualTo(504);
        assertThat(event.at("/object/details/causes/0/reason").asText()).isEqualTo("ResourceVersionTooLarge");
    }

    @Test
    void watchBookmarksCarryTheApiVersionAndKindOfTheKind() throws Exception {
        HttpResponse<String> response = get(DBS + "?watch=true&sendInitialEvents=true"
                + "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode bookmark = null;
        for (String line : response.body().lines().toList()) {
            JsonNode event = JSON.readTree(line);
            if (event.get("type").asText().equals("BOOKMARK")) {
                bookmark = event.get("object");
            }
        }
        assertThat(bookmark).as(response.body()).isNotNull();
        assertThat(bookmark.get("apiVersion").asText()).isEqualTo("dbops.dbprovision.io/v1alpha1");
        assertThat(bookmark.get("kind").asText()).isEqualTo("Database");
        assertThat(bookmark.at("/metadata/resourceVersion").asText()).isNotEmpty();
        assertThat(bookmark.at("/metadata/annotations/k8s.io~1initial-events-end")
                        .asText())
                .isEqualTo("true");
    }

    private static void assertTooLarge(HttpResponse<String> response, long future) throws Exception {
        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        JsonNode status = JSON.readTree(response.body());
        assertThat(status.get("kind").asText()).isEqualTo("Status");
        assertThat(status.get("reason").asText()).isEqualTo("Timeout");
        assertThat(status.get("message").asText()).startsWith("Timeout: Too large resource version: " + future);
        assertThat(status.at("/details/causes/0/reason").asText()).isEqualTo("ResourceVersionTooLarge");
        assertThat(status.at("/details/causes/0/message").asText()).isEqualTo("Too large resource version");
        assertThat(status.at("/details/retryAfterSeconds").asInt()).isEqualTo(1);
    }

    private static long currentVersion() throws Exception {
        return Long.parseLong(
                JSON.readTree(get(DBS).body()).at("/metadata/resourceVersion").asText());
    }

    private static HttpResponse<String> create(String name) throws Exception {
        String body =
                "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"Database\",\"metadata\":{\"name\":\""
                        + name + "\"},\"spec\":{\"instanceRef\":{\"name\":\"pg\"},\"name\":\"app\"}}";
        return client.send(
                request(DBS)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + server.adminToken());
    }
}
