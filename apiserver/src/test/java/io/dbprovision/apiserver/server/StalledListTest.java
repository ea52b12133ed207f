package io.dbprovision.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
 * A list body (written by the connection's I/O thread, not the request's: {@code InMemoryBodyWriter}) whose client
 * stops reading: the write gives up after the server's write timeout (over TLS with HTTP/1.1 too, where a blocking
 * write cannot time out in Undertow 2.4.4), the request's thread returns with the failure, the connection is
 * closed, and the lists answered meanwhile on other connections, over HTTP/2 and HTTP/1.1, are exact.
 */
class StalledListTest {
    private static final ApiServer.Timeouts SHORT_WRITE =
            new ApiServer.Timeouts(Duration.ofSeconds(90), Duration.ofSeconds(32), Duration.ofSeconds(1));
    private static final int STALLED = 4;
    /** 2,000 parts of 4 KiB: 8 MiB, far more than the socket buffers between a client that reads nothing and us. */
    private static final List<byte[]> LIST = parts();

    @Test
    void aListWhoseClientStopsReadingIsGivenUpAfterTheWriteTimeoutAndOthersAreIntact() throws Exception {
        ConcurrentLinkedQueue<CompletableFuture<Throwable>> writers = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Boolean> stillOpen = new ConcurrentLinkedQueue<>();
        try (TestListener listener = new TestListener(
                List.of(),
                (call, context) -> {
                    if (call.path().equals("/stall")) {
                        CompletableFuture<Throwable> ended = new CompletableFuture<>();
                        writers.add(ended);
                        try {
                            call.respondJson(200, LIST);
                            ended.complete(null);
                        } catch (UncheckedIOException e) {
                            // recorded before the future completes: the test reads it once every future is done
                            stillOpen.add(call.exchange().getConnection().isOpen());
                            ended.complete(e.getCause());
                            throw e;
                        }
                    } else {
                        call.respondJson(200, LIST);
                    }
                },
                SHORT_WRITE,
                Duration.ofSeconds(60))) {
            List<SSLSocket> stalled = new ArrayList<>();
            for (int i = 0; i < STALLED; i++) {
                SSLSocket socket =
                        (SSLSocket) listener.clientTls().getSocketFactory().createSocket("127.0.0.1", listener.port());
                socket.setReceiveBufferSize(4096);
                socket.getOutputStream()
                        .write("GET /stall HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                stalled.add(socket); // never read until the server has given up
            }

            byte[] expected = joined(LIST);
            for (HttpClient.Version version : HttpClient.Version.values()) {
                HttpClient client = HttpClient.newBuilder()
                        .sslContext(listener.clientTls())
                        .version(version)
                        .build();
                for (int i = 0; i < 3; i++) {
                    HttpResponse<byte[]> response = client.send(
                            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + listener.port() + "/list"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    assertThat(response.statusCode()).isEqualTo(200);
                    assertThat(Arrays.mismatch(response.body(), expected)).isEqualTo(-1);
                }
                client.shutdownNow();
            }

            awaitSize(writers, STALLED); // a loaded machine may start a stalled request's handler late
            for (CompletableFuture<Throwable> writer : writers) {
                assertThat(writer.get(60, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
            }
            // each stalled connection was closed by the server (its client sees the end once it reads what the
            // socket buffers hold)
            assertThat(stillOpen).hasSize(STALLED).containsOnly(false);
            for (SSLSocket socket : stalled) {
                socket.close();
            }
        }
    }

    private static List<byte[]> parts() {
        List<byte[]> parts = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            byte[] part = new byte[4096];
            Arrays.fill(part, (byte) ('a' + i % 26));
            parts.add(part);
        }
        return parts;
    }

    private static byte[] joined(List<byte[]> parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static void awaitSize(java.util.Collection<?> collection, int size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (collection.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(collection).hasSize(size);
    }
}
