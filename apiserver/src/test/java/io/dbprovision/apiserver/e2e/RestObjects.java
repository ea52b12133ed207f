package io.dbprovision.apiserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The REST API of a standalone server that comes and goes: JSON over HTTPS with the server's CA and the admin
 * token, to whatever port the server serves on right now ({@code port} is empty while it is down). Writes are
 * retried until the server answers, as a client that outlives the server does; nothing here sleeps to wait for the
 * server's state, only to wait for it to be up again.
 */
final class RestObjects {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RETRY = Duration.ofMillis(100);

    private final HttpClient client;
    private final String token;
    private final Supplier<OptionalInt> port;
    private final Queue<Long> answered = new ConcurrentLinkedQueue<>();

    RestObjects(Path caCertificate, String token, Supplier<OptionalInt> port) throws Exception {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(trusting(caCertificate))
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        this.token = token;
        this.port = port;
    }

    /** What became of a create. */
    enum Created {
        /** 201: stored now. */
        CREATED,
        /** 409 AlreadyExists: stored by an earlier attempt whose answer the kill swallowed. */
        ALREADY_EXISTED
    }

    /**
     * POSTs {@code object} to {@code collection} until the server answers 201 or 409 (an earlier attempt was stored
     * before the answer was lost); connection failures, 429, 503 and 504 (a server starting or stopping) are retried;
     * any other answer (a 500 included) fails the test.
     */
    Created createRetrying(String collection, JsonNode object) throws InterruptedException {
        String body = object.toString();
        while (true) {
            OptionalInt current = port.get();
            if (current.isEmpty()) {
                Thread.sleep(RETRY.toMillis());
                continue;
            }
            HttpResponse<String> response;
            long sent = System.nanoTime();
            try {
                response = client.send(
                        request(current.getAsInt(), collection)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException downOrKilled) {
                Thread.sleep(RETRY.toMillis());
                continue;
            }
            answered.add(System.nanoTime() - sent);
            switch (response.statusCode()) {
                case 201, 200 -> {
                    return Created.CREATED;
                }
                case 409 -> {
                    if (!response.body().contains("\"AlreadyExists\"")) {
                        throw new AssertionError(
                                "POST " + collection + " answered 409 but not AlreadyExists: " + response.body());
                    }
                    return Created.ALREADY_EXISTED;
                }
                case 429, 503, 504 -> {
                    // a server starting, stopping or shedding load: ask again
                    Thread.sleep(RETRY.toMillis());
                    continue;
                }
                default -> {
                    throw new AssertionError("POST " + collection + " answered " + response.statusCode() + ": "
                            + response.body() + "\nfor " + body);
                }
            }
        }
    }

    /** How long the POSTs the server answered took: median and slowest, in ms. */
    String answerTimes() {
        long[] sorted = answered.stream().mapToLong(Long::longValue).sorted().toArray();
        if (sorted.length == 0) {
            return "no answers";
        }
        return "POST answered in %d ms (median), %d ms (slowest) of %d"
                .formatted(sorted[sorted.length / 2] / 1_000_000, sorted[sorted.length - 1] / 1_000_000, sorted.length);
    }

    /** The items of a collection (the server must be up). */
    List<JsonNode> list(String collection) throws IOException, InterruptedException {
        JsonNode answer = get(collection);
        List<JsonNode> items = new ArrayList<>();
        answer.path("items").forEach(items::add);
        return items;
    }

    /** GET {@code path}; fails unless 200. */
    JsonNode get(String path) throws IOException, InterruptedException {
        int current = port.get().orElseThrow(() -> new IllegalStateException("the server is down"));
        HttpResponse<InputStream> response =
                client.send(request(current, path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            JsonNode json = JSON.readTree(body);
            if (response.statusCode() != 200) {
                throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + json);
            }
            return json;
        }
    }

    private HttpRequest.Builder request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
    }

    private static SSLContext trusting(Path caCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caCertificate)) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        return tls;
    }
}
