package io.dbprovision.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Answers of every size carry an exact Content-Length and the bytes given, over HTTP/1.1 and HTTP/2, whichever way
 * {@code Call} writes them (a small body in one final write, a large one in parts, a list of parts, HEAD without a
 * body); and the request's "answer written" action runs exactly once per answer.
 */
class ResponseFramingTest {
    private static final List<Integer> SIZES = List.of(0, 1, 2_000, 8 * 1024, 8 * 1024 + 1, 16 * 1024, 100_000);

    @Test
    void everyAnswerHasItsExactLengthAndBytes() throws Exception {
        AtomicInteger written = new AtomicInteger();
        AtomicInteger answers = new AtomicInteger();
        try (TestListener listener = new TestListener(
                List.of(),
                (call, context) -> {
                    int size = Integer.parseInt(call.query("size"));
                    call.onResponseWritten(written::incrementAndGet);
                    answers.incrementAndGet();
                    if (call.query("parts").equals("true")) {
                        byte[] body = body(size);
                        int half = size / 2;
                        call.respondJson(
                                200,
                                List.of(
                                        Arrays.copyOfRange(body, 0, half),
                                        new byte[0],
                                        Arrays.copyOfRange(body, half, size)));
                    } else {
                        call.respond(200, "application/octet-stream", body(size));
                    }
                },
                ApiServer.Timeouts.DEFAULTS,
                Duration.ofSeconds(5))) {
            for (HttpClient.Version version : List.of(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2)) {
                HttpClient client = HttpClient.newBuilder()
                        .version(version)
                        .sslContext(listener.clientTls())
                        .build();
                for (int size : SIZES) {
                    for (String parts : List.of("false", "true")) {
                        URI uri = URI.create(
                                "https://127.0.0.1:" + listener.port() + "/x?size=" + size + "&parts=" + parts);
                        HttpResponse<byte[]> get = client.send(
                                HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
                        String what = version + " size " + size + " parts " + parts;
                        assertThat(get.version()).as(what).isEqualTo(version);
                        assertThat(get.statusCode()).as(what).isEqualTo(200);
                        assertThat(get.headers().firstValue("Content-Length"))
                                .as(what)
                                .hasValue(Integer.toString(size));
                        assertThat(get.body()).as(what).isEqualTo(body(size));

                        HttpResponse<byte[]> head = client.send(
                                HttpRequest.newBuilder(uri)
                                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        assertThat(head.headers().firstValue("Content-Length"))
                                .as("HEAD " + what)
                                .hasValue(Integer.toString(size));
                        assertThat(head.body()).as("HEAD " + what).isEmpty();
                    }
                }
            }
            // a list's body is written by the I/O thread and the action runs on the request's thread once it is
            // out, so the client may have the last answer a moment before its action has run
            io.dbprovision.apiserver.auth.delegated.Await.until(
                    "the action runs once per answer", () -> written.get() == answers.get());
            assertThat(written.get()).as("the action runs once per answer").isEqualTo(answers.get());
        }
    }

    private static byte[] body(int size) {
        byte[] body = new byte[size];
        for (int i = 0; i < size; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        return body;
    }
}
