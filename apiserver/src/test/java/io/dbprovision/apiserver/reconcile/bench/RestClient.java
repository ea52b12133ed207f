package io.dbprovision.apiserver.reconcile.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.time.Duration;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The benchmark's user: the standalone server's REST API over HTTPS (HTTP/2), as the admin (bearer token), trusting
 * only the server's CA — objects go in as {@code kubectl create} sends them and their readiness is seen through
 * watches, as {@code kubectl wait} would.
 */
final class RestClient {
    static final String DBOPS = "/apis/dbops.dbprovision.io/v1alpha1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final String base;
    private final String token;

    RestClient(int port, Path caCertificate, String token) throws Exception {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .sslContext(trusting(caCertificate))
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        this.base = "https://127.0.0.1:" + port;
        this.token = token;
    }

    /** POSTs {@code object} to the collection at {@code path}; fails unless it was created. */
    JsonNode create(String path, JsonNode object) {
        HttpResponse<String> response = send(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(object.toString()))
                .build());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("POST " + path + ": " + response.statusCode() + " " + brief(response));
        }
        return parse(response.body());
    }

    /** The collection's resourceVersion (to watch from). */
    String resourceVersion(String path) {
        HttpResponse<String> response = send(request(path + "?limit=1").GET().build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": " + response.statusCode() + " " + brief(response));
        }
        return parse(response.body()).path("metadata").path("resourceVersion").asText();
    }

    /**
     * Watches the collection from {@code resourceVersion}, handing each event ({@code {"type": …, "object": …}}) to
     * {@code events} on a virtual thread of its own; returns once the server has answered (the watch is registered).
     */
    AutoCloseable watch(String path, String resourceVersion, Consumer<JsonNode> events) {
        HttpRequest request = request(path + "?watch=1&allowWatchBookmarks=false&timeoutSeconds=7200&resourceVersion="
                        + resourceVersion)
                .timeout(Duration.ofHours(3))
                .GET()
                .build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("watch " + path + ": " + response.statusCode());
        }
        InputStream body = response.body();
        Thread reader = Thread.ofVirtual().name("dbprb-watch").start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!line.isBlank()) {
                        events.accept(parse(line));
                    }
                }
            } catch (IOException closed) {
                // the watch was closed
            }
        });
        return () -> {
            body.close();
            reader.interrupt();
        };
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(60));
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String brief(HttpResponse<String> response) {
        String body = response.body();
        return body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectMapper json() {
        return JSON;
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
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
