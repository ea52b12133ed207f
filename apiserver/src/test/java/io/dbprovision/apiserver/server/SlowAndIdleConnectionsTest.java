package io.dbprovision.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbprovision.apiserver.pipeline.InFlightLimits;
import io.dbprovision.apiserver.registry.ApiException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * What a real listener does with clients that are slow, idle, lying about their body or too many: with timeouts
 * short enough to wait for (the defaults are the kube-apiserver's: 90 s idle, 32 s for headers, 60 s for a body).
 */
class SlowAndIdleConnectionsTest {
    private static final ApiServer.Timeouts SHORT =
            new ApiServer.Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aBodyShorterThanItsContentLengthEndsInATimeoutNotAHungThread() throws Exception {
        CompletableFuture<ApiException> refusal = new CompletableFuture<>();
        try (TestListener listener = new TestListener(
                List.of(),
                (call, context) -> {
                    try {
                        call.respondText(200, "read " + call.body(1000).length);
                    } catch (ApiException e) {
                        refusal.complete(e);
                        throw e;
                    }
                },
                ApiServer.Timeouts.DEFAULTS,
                Duration.ofSeconds(1))) {
            long start = System.nanoTime();
            String response = exchange(
                    listener,
                    "POST /x HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":1}");
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            // The connection is closed at the deadline (its framing can no longer be trusted); the handler's read ended
            // with a 408 instead of waiting for 93 bytes that never come.
            assertThat(response).isEmpty();
            assertThat(took).isLessThan(Duration.ofSeconds(9));
            assertThat(refusal.get(10, TimeUnit.SECONDS).code()).isEqualTo(408);
            assertThat(exchange(listener, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}"))
                    .startsWith("HTTP/1.1 200")
                    .endsWith("read 2");
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (TestListener listener = listener(SHORT)) {
            try (SSLSocket socket = tls(listener)) {
                socket.startHandshake();
                socket.setSoTimeout(10_000);
                assertThat(socket.getInputStream().read()).isEqualTo(-1); // closed by the server, not timed out here
            }
        }
    }

    @Test
    void aClientThatTricklesItsHeadersIsCutOffAfterTheParseTimeout() throws Exception {
        try (TestListener listener = listener(SHORT);
                SSLSocket socket = tls(listener)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /x HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            boolean cut = false;
            try {
                for (int i = 0; i < 40; i++) { // 40 × 250 ms of one byte each: far past the 1 s allowed
                    out.write('X');
                    out.flush();
                    Thread.sleep(250);
                    if (socket.getInputStream().available() < 0) {
                        break;
                    }
                }
                cut = readAll(socket.getInputStream()).isEmpty();
            } catch (IOException e) {
                cut = true; // the write failed: the server closed the connection
            }
            assertThat(cut).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void aLongRequestOutlivesTheIdleTimeoutAsAWatchMust() throws Exception {
        try (TestListener listener = new TestListener(
                List.of(),
                (call, context) -> {
                    try {
                        Thread.sleep(3_000); // three idle timeouts without a byte either way
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    call.respondText(200, "still here");
                },
                SHORT,
                Duration.ofSeconds(5))) {
            assertThat(exchange(listener, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n")).endsWith("still here");
        }
    }

    @Test
    void anOverloadedServerAnswers429WithRetryAfterAndAStatus() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        try (TestListener listener = new TestListener(
                List.of(new InFlightLimits(new InFlightLimits.Settings(1, 1, 1))),
                (call, context) -> {
                    if (context.info().path().equals("/readyz")) {
                        call.respondText(200, "ok");
                        return;
                    }
                    entered.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    call.respondText(200, "done");
                },
                ApiServer.Timeouts.DEFAULTS,
                Duration.ofSeconds(5))) {
            HttpClient client =
                    HttpClient.newBuilder().sslContext(listener.clientTls()).build();
            URI uri = URI.create("https://127.0.0.1:" + listener.port() + "/apis/g/v1/namespaces/a/things");
            CompletableFuture<HttpResponse<String>> first =
                    client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

            HttpResponse<String> refused =
                    client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> health = client.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + listener.port() + "/readyz"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            release.countDown();

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            Map<String, Object> status = JSON.readValue(
                    refused.body(), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
            assertThat(status)
                    .containsEntry("kind", "Status")
                    .containsEntry("apiVersion", "v1")
                    .containsEntry("reason", "TooManyRequests")
                    .containsEntry("code", 429)
                    .containsEntry("details", Map.of("retryAfterSeconds", 1));
            assertThat(health.statusCode()).as("probes are never limited").isEqualTo(200);
            assertThat(first.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    private static TestListener listener(ApiServer.Timeouts timeouts) {
        return new TestListener(
                List.of(), (call, context) -> call.respondText(200, "ok"), timeouts, Duration.ofSeconds(5));
    }

    private static SSLSocket tls(TestListener listener) throws Exception {
        return (SSLSocket) listener.clientTls().getSocketFactory().createSocket("127.0.0.1", listener.port());
    }

    private static String exchange(TestListener listener, String request) throws Exception {
        try (SSLSocket socket = tls(listener)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return readResponse(socket.getInputStream());
        }
    }

    /** One response: headers, then Content-Length bytes. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static String readAll(InputStream in) throws IOException {
        try {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            return "still open";
        }
    }
}
