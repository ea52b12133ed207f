package io.dbprovision.apiserver.portal.bench;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The REST path's {@code kubectl wait --for=condition=Ready}: one watch per collection (databases, databaseusers,
 * databasegrants of the namespace), opened once for the whole run, recording which objects have reached phase Ready;
 * a {@link Pending} waits for the three objects of one request.
 */
final class ReadyWatches implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PLURALS = List.of("databases", "databaseusers", "databasegrants");

    private final Set<String> ready = new HashSet<>();
    private final List<InputStream> bodies = new ArrayList<>();

    ReadyWatches(HttpClient http, String base, String token) throws Exception {
        for (String plural : PLURALS) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base
                            + "/apis/dbops.dbprovision.io/v1alpha1/namespaces/pbench/" + plural
                            + "?watch=1&timeoutSeconds=7200"))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "application/json")
                    .GET()
                    .build();
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("watch " + plural + ": " + response.statusCode());
            }
            InputStream body = response.body();
            bodies.add(body);
            Thread.ofVirtual().name("pbench-watch-" + plural).start(() -> read(plural, body));
        }
    }

    private void read(String plural, InputStream body) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode event = JSON.readTree(line);
                JsonNode object = event.path("object");
                if ("Ready".equals(object.path("status").path("phase").asText())) {
                    synchronized (this) {
                        ready.add(plural + "/"
                                + object.path("metadata").path("name").asText());
                        notifyAll();
                    }
                }
            }
        } catch (IOException closed) {
            // the watch was closed
        }
    }

    /** What one request waits for: its database, user and grant Ready. */
    Pending expect(String database, String user, String grant) {
        return new Pending(List.of("databases/" + database, "databaseusers/" + user, "databasegrants/" + grant));
    }

    final class Pending {
        private final List<String> keys;

        private Pending(List<String> keys) {
            this.keys = keys;
        }

        void await(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (ReadyWatches.this) {
                while (!ready.containsAll(keys)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException("not Ready within " + timeout + ": " + keys);
                    }
                    ReadyWatches.this.wait(Math.max(1, left / 1_000_000));
                }
            }
        }
    }

    @Override
    public void close() {
        for (InputStream body : bodies) {
            try {
                body.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
