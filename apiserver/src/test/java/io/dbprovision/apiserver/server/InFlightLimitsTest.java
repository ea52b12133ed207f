package io.dbprovision.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.pipeline.InFlightLimits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The in-flight bound counts a request until its answer is written, not until its thread has also waited for the
 * client to take it: a client that sends its next request as soon as it has its answer is not refused because the
 * request before is still finishing (128 such writers were refused with 429 under a bound of 200). A request that
 * has not answered yet still counts.
 */
class InFlightLimitsTest {
    private static final String PATH = "/apis/g/v1/namespaces/a/things";

    @Test
    void aRequestThatHasAnsweredNoLongerCountsThoughItsThreadGoesOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TestListener listener = new TestListener(
                List.of(new InFlightLimits(new InFlightLimits.Settings(1, 1, 1))),
                (call, context) -> {
                    call.respondJson(201, "{\"created\":true}".getBytes(StandardCharsets.UTF_8));
                    if (!call.header("X-Hold").isEmpty()) {
                        // the answer is out; this thread still has work (as audit or a slow flush would)
                        hold(release);
                    }
                },
                ApiServer.Timeouts.DEFAULTS,
                Duration.ofSeconds(5))) {
            HttpClient client = http2(listener);
            URI uri = URI.create("https://127.0.0.1:" + listener.port() + PATH);
            CompletableFuture<HttpResponse<String>> held =
                    client.sendAsync(post(uri).header("X-Hold", "yes").build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> first = held.get(30, TimeUnit.SECONDS);
            assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(first.statusCode()).isEqualTo(201);
            assertThat(first.body()).isEqualTo("{\"created\":true}");

            // the first request's thread is still held; the bound of one mutating request has room again
            HttpResponse<String> next = client.send(post(uri).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> another = client.send(post(uri).build(), HttpResponse.BodyHandlers.ofString());
            release.countDown();

            assertThat(next.statusCode()).isEqualTo(201);
            assertThat(another.statusCode()).isEqualTo(201);
        }
    }

    @Test
    void aRequestThatHasNotAnsweredStillCounts() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        try (TestListener listener = new TestListener(
                List.of(new InFlightLimits(new InFlightLimits.Settings(1, 1, 1))),
                (call, context) -> {
                    if (!call.header("X-Hold").isEmpty()) {
                        entered.countDown();
                        hold(release);
                    }
                    call.respondJson(201, "{}".getBytes(StandardCharsets.UTF_8));
                },
                ApiServer.Timeouts.DEFAULTS,
                Duration.ofSeconds(5))) {
            HttpClient client = http2(listener);
            URI uri = URI.create("https://127.0.0.1:" + listener.port() + PATH);
            CompletableFuture<HttpResponse<String>> held =
                    client.sendAsync(post(uri).header("X-Hold", "yes").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

            HttpResponse<String> refused = client.send(post(uri).build(), HttpResponse.BodyHandlers.ofString());
            release.countDown();

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(held.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
            // and once it has answered, the next one passes
            assertThat(client.send(post(uri).build(), HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(201);
        }
    }

    private static HttpRequest.Builder post(URI uri) {
        return HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"));
    }

    private static HttpClient http2(TestListener listener) throws Exception {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .sslContext(listener.clientTls())
                .build();
    }

    /** Holds the request's thread until the test lets it go (at most 30 s). */
    private static void hold(CountDownLatch release) {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
