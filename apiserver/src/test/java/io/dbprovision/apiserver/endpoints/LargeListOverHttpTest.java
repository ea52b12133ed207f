package io.dbprovision.apiserver.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.registry.ListQuery;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.request.RequestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A large LIST (about 5 MB of JSON, hundreds of HTTP/2 frames and TLS records) is written by the connection's I/O
 * thread, not by the request's ({@code InMemoryBodyWriter}): over HTTP/2 and HTTP/1.1 its body must be exactly the
 * bytes of the list as the API layer builds it in process, with its Content-Length, while other requests run beside
 * it (on the same HTTP/2 connection; over HTTP/1.1 on the same keep-alive connections, one after another); HEAD
 * answers the length without a body; a client that abandons a list mid-body leaves the connection (HTTP/2) or the
 * server (HTTP/1.1) serving the next requests correctly.
 */
class LargeListOverHttpTest {
    private static final RequestContext CTX = RequestContext.internal("test");
    private static final String TOKEN = AdminTlsServer.TOKEN;
    private static final String NAMESPACE = "large-list";
    private static final String PATH =
            "/apis/dbops.dbprovision.io/v1alpha1/namespaces/" + NAMESPACE + "/databaseinstances";
    private static final int OBJECTS = 800;

    @TempDir
    Path dir;

    private AdminTlsServer server;
    private ResourceStore store;
    private HttpClient client;

    enum Protocol {
        HTTP_2(HttpClient.Version.HTTP_2),
        HTTP_1_1(HttpClient.Version.HTTP_1_1);

        final HttpClient.Version version;

        Protocol(HttpClient.Version version) {
            this.version = version;
        }
    }

    @BeforeEach
    void start() throws Exception {
        server = AdminTlsServer.start(dir);
        store = server.createLargeInstances(NAMESPACE, OBJECTS);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aLargeListIsTheInProcessBytesWhileOtherRequestsRunBesideIt(Protocol protocol) throws Exception {
        client = server.client(protocol.version);
        byte[] expected = inProcessList();
        assertThat(expected.length).isGreaterThan(4_000_000);

        // Lists and small requests at once: over HTTP/2 all on the client's one connection, interleaved frame by frame.
        List<CompletableFuture<String>> running = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            running.add(async(() -> checkList(expected)));
        }
        for (int i = 0; i < 40; i++) {
            int n = i * 17 % OBJECTS;
            running.add(async(() -> checkGet("o" + n)));
            running.add(async(() -> checkPage()));
        }
        for (CompletableFuture<String> request : running) {
            assertThat(request.get(120, TimeUnit.SECONDS)).isEmpty();
        }

        // One after another: over HTTP/1.1 each request after a list reuses a keep-alive connection that just
        // carried one.
        for (int i = 0; i < 3; i++) {
            assertThat(checkList(expected)).isEmpty();
            assertThat(checkGet("o" + i)).isEmpty();
        }

        HttpResponse<byte[]> head = client.send(
                authorized(HttpRequest.newBuilder(uri(PATH)))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(expected.length);
    }

    @ParameterizedTest
    @EnumSource(Protocol.class)
    void aListAbandonedMidBodyLeavesTheNextRequestsIntact(Protocol protocol) throws Exception {
        client = server.client(protocol.version);
        byte[] expected = inProcessList();
        for (int i = 0; i < 3; i++) {
            HttpResponse<InputStream> abandoned = client.send(
                    authorized(HttpRequest.newBuilder(uri(PATH))).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(abandoned.statusCode()).isEqualTo(200);
            try (InputStream body = abandoned.body()) {
                byte[] start = body.readNBytes(100_000);
                assertThat(start).isEqualTo(Arrays.copyOf(expected, start.length));
            } // closed with most of the body unread: HTTP/2 resets the stream, HTTP/1.1 drops the connection
            assertThat(checkGet("o" + i)).isEmpty();
            assertThat(checkList(expected)).isEmpty();
        }
    }

    /** The list as the API layer writes it in process: the same parts the endpoint sends. */
    private byte[] inProcessList() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ResourceEndpoints.listJson(store.kind(), store.list(CTX, NAMESPACE, ListQuery.ALL))
                .forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** "" when the list answered is {@code expected} byte for byte, with its length; else what was wrong. */
    private String checkList(byte[] expected) throws Exception {
        HttpResponse<byte[]> response = client.send(
                authorized(HttpRequest.newBuilder(uri(PATH))).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            return "list: " + response.statusCode();
        }
        if (response.headers().firstValueAsLong("Content-Length").orElse(-1) != expected.length) {
            return "list: Content-Length " + response.headers().firstValue("Content-Length");
        }
        int mismatch = Arrays.mismatch(response.body(), expected);
        return mismatch < 0 ? "" : "list: differs at byte " + mismatch + " of " + response.body().length;
    }

    private String checkGet(String name) throws Exception {
        HttpResponse<byte[]> response = client.send(
                authorized(HttpRequest.newBuilder(uri(PATH + "/" + name))).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        byte[] expected = store.getVersion(CTX, NAMESPACE, name).json();
        return response.statusCode() == 200 && Arrays.equals(response.body(), expected)
                ? ""
                : "get " + name + ": " + response.statusCode();
    }

    private String checkPage() throws Exception {
        HttpResponse<String> response = client.send(
                authorized(HttpRequest.newBuilder(uri(PATH + "?limit=5"))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 && response.body().contains("\"continue\"")
                ? ""
                : "page: " + response.statusCode();
    }

    private interface Check {
        String run() throws Exception;
    }

    private static CompletableFuture<String> async(Check check) {
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return check.run();
                    } catch (IOException e) {
                        return e.toString();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                command -> Thread.ofVirtual().start(command));
    }

    private static HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return request.header("Authorization", "Bearer " + TOKEN).header("Accept", "application/json");
    }

    private URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.port() + path);
    }
}
