package io.dbprovision.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * Streams (like watches) whose clients stop reading, beside ordinary GETs on keep-alive HTTP/1.1 connections: no
 * other response may be touched by them, and each ends on its own writing thread once its client leaves. This is where issue 11's first round failed: a scheduled task closed a stalled watch's connection
 * from another thread; Undertow then ended that exchange on the closing thread and returned the response's pooled
 * buffer while the watch's writer still held it, so a later GET elsewhere was handed a buffer with foreign bytes in
 * it and overflowed its Content-Length (FixedLengthOverflowException) or answered a wrong body.
 */
class StalledStreamTest {
    private static final ApiServer.Timeouts SHORT_WRITE =
            new ApiServer.Timeouts(Duration.ofSeconds(90), Duration.ofSeconds(32), Duration.ofSeconds(1));
    private static final int STALLED_STREAMS = 6;
    private static final int GETTERS = 4;
    private static final int GETS_EACH = 100;

    @Test
    void aStreamWhoseClientStopsReadingEndsOnItsWriterAndLeavesOtherResponsesIntact() throws Exception {
        ConcurrentLinkedQueue<CompletableFuture<Throwable>> writers = new ConcurrentLinkedQueue<>();
        try (TestListener listener = new TestListener(
                List.of(),
                (call, context) -> {
                    if (call.path().equals("/stream")) {
                        CompletableFuture<Throwable> ended = new CompletableFuture<>();
                        writers.add(ended);
                        try {
                            ended.complete(streamUntilItFails(call.stream(200, "application/json")));
                        } catch (RuntimeException e) {
                            ended.complete(e.getCause() != null ? e.getCause() : e);
                            throw e;
                        }
                    } else {
                        call.respondJson(200, body(Integer.parseInt(call.query("n"))));
                    }
                },
                SHORT_WRITE,
                Duration.ofSeconds(60))) {
            List<SSLSocket> stalled = new ArrayList<>();
            for (int i = 0; i < STALLED_STREAMS; i++) {
                SSLSocket socket =
                        (SSLSocket) listener.clientTls().getSocketFactory().createSocket("127.0.0.1", listener.port());
                socket.setReceiveBufferSize(4096);
                socket.getOutputStream()
                        .write("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                stalled.add(socket); // never read: the server's writes fill the socket buffers, then stall
            }

            HttpClient client = HttpClient.newBuilder()
                    .sslContext(listener.clientTls())
                    .version(HttpClient.Version.HTTP_1_1)
                    .build();
            List<CompletableFuture<List<String>>> getters = new ArrayList<>();
            for (int g = 0; g < GETTERS; g++) {
                int getter = g;
                getters.add(CompletableFuture.supplyAsync(
                        () -> {
                            List<String> wrong = new ArrayList<>();
                            for (int i = 0; i < GETS_EACH; i++) {
                                int n = getter * 100_000 + i;
                                try {
                                    HttpResponse<byte[]> response = client.send(
                                            HttpRequest.newBuilder(URI.create(
                                                            "https://127.0.0.1:" + listener.port() + "/get?n=" + n))
                                                    .build(),
                                            HttpResponse.BodyHandlers.ofByteArray());
                                    if (response.statusCode() != 200 || !Arrays.equals(response.body(), body(n))) {
                                        wrong.add(n + ": " + response.statusCode());
                                    }
                                } catch (IOException e) {
                                    wrong.add(n + ": " + e);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    throw new AssertionError(e);
                                }
                            }
                            return wrong;
                        },
                        command -> Thread.ofVirtual().start(command)));
            }
            for (CompletableFuture<List<String>> getter : getters) {
                assertThat(getter.get(120, TimeUnit.SECONDS)).isEmpty();
            }

            // The stalled clients leave: each stream's write fails on its own writer, which ends its response.
            // (Over HTTP/2 a client that stays but reads nothing is given up after ApiServer.Timeouts.write, on the
            // writer too; over TLS with HTTP/1.1 Undertow 2.4.4 cannot time that wait out, see docs/performance.md.)
            for (SSLSocket socket : stalled) {
                socket.close();
            }
            awaitSize(writers, STALLED_STREAMS); // a loaded machine may start a stalled request's handler late
            for (CompletableFuture<Throwable> writer : writers) {
                assertThat(writer.get(60, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
            }
            client.shutdownNow();
        }
    }

    /** Writes events of 8 KiB, each flushed, until a write fails; returns the failure. */
    private static Throwable streamUntilItFails(OutputStream out) {
        byte[] event = ("{\"type\":\"ADDED\",\"object\":{\"pad\":\"" + "x".repeat(8 * 1024) + "\"}}\n")
                .getBytes(StandardCharsets.US_ASCII);
        try {
            while (true) {
                out.write(event);
                out.flush();
            }
        } catch (IOException e) {
            return e;
        } catch (UncheckedIOException e) {
            return e.getCause();
        }
    }

    /** A body of about 20 KB (more than one pooled buffer) that tells each request apart. */
    private static byte[] body(int n) {
        StringBuilder json = new StringBuilder("{\"n\":").append(n).append(",\"items\":[");
        for (int i = 0; i < 1000; i++) {
            json.append(i == 0 ? "" : ",")
                    .append('"')
                    .append(n)
                    .append('-')
                    .append(i)
                    .append('"');
        }
        return json.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void awaitSize(java.util.Collection<?> collection, int size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (collection.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(collection).hasSize(size);
    }
}
