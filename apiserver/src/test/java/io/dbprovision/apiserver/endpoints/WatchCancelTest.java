package io.dbprovision.apiserver.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import io.dbprovision.apiserver.pipeline.InFlightLimits;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import io.kubernetes.client.util.credentials.AccessTokenAuthentication;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.ListOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watches and their clients: a watch the client cancels must end on the server, also over HTTP/2 where cancelling
 * resets just the stream and the connection stays open; and a quiet watch must stay open however long it is quiet.
 */
class WatchCancelTest {
    private static final String TOKEN = AdminTlsServer.TOKEN;

    @TempDir
    Path dir;

    private AdminTlsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** With room for one watch only, the next watch is admitted (not 429) once the cancelled one let go. */
    @Test
    void aCancelledHttp2WatchEndsOnTheServer() throws Exception {
        start(1);
        DynamicKubernetesApi api = api(Protocol.HTTP_2);
        api.list("ns").throwsApiException(); // one HTTP/2 connection, shared by the watches below
        for (int round = 0; round < 3; round++) {
            Watchable<DynamicKubernetesObject> watch = admittedWatch(api, Duration.ofSeconds(10));
            watch.close(); // RST_STREAM; the connection stays open
        }
    }

    /** Quiet for longer than the server's client check, over both protocols: still open, still delivering. */
    @Test
    void aQuietWatchStaysOpen() throws Exception {
        start(10);
        DynamicKubernetesApi http2 = api(Protocol.HTTP_2);
        DynamicKubernetesApi http1 = api(Protocol.HTTP_1_1);
        try (Watchable<DynamicKubernetesObject> overHttp2 = http2.watch("ns", new ListOptions().timeoutSeconds(60));
                Watchable<DynamicKubernetesObject> overHttp1 =
                        http1.watch("ns", new ListOptions().timeoutSeconds(60))) {
            CompletableFuture<Watch.Response<DynamicKubernetesObject>> first2 = firstEvent(overHttp2);
            CompletableFuture<Watch.Response<DynamicKubernetesObject>> first1 = firstEvent(overHttp1);
            Thread.sleep(2_500); // the point of this test: longer than WatchStreams' client check interval
            http2.create(new DynamicKubernetesObject(JsonParser.parseString("""
                                    {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"DatabaseInstance",
                                     "metadata":{"name":"quiet","namespace":"ns"},
                                     "spec":{"engine":"postgres","connection":{"host":"quiet.example.com",
                                             "secretRef":{"name":"s"}}}}""").getAsJsonObject()))
                    .throwsApiException();
            for (CompletableFuture<Watch.Response<DynamicKubernetesObject>> first : List.of(first2, first1)) {
                Watch.Response<DynamicKubernetesObject> event = first.get(10, TimeUnit.SECONDS);
                assertThat(event.type).isEqualTo("ADDED");
                assertThat(event.object.getMetadata().getName()).isEqualTo("quiet");
            }
        }
    }

    private void start(int maxWatches) {
        // An aggregated server's set of kinds: the dbops group only, no namespaces of its own.
        server = AdminTlsServer.start(dir, StorageSettings.defaults(), new InFlightLimits.Settings(10, 10, maxWatches));
    }

    private DynamicKubernetesApi api(Protocol protocol) throws Exception {
        ApiClient client = new ClientBuilder()
                .setBasePath("https://127.0.0.1:" + server.port())
                .setCertificateAuthority(server.ca.certificatePem().getBytes(StandardCharsets.UTF_8))
                .setAuthentication(new AccessTokenAuthentication(TOKEN))
                .build();
        List<Protocol> protocols =
                protocol == Protocol.HTTP_2 ? List.of(Protocol.HTTP_2, Protocol.HTTP_1_1) : List.of(Protocol.HTTP_1_1);
        client.setHttpClient(client.getHttpClient()
                .newBuilder()
                .protocols(protocols)
                .readTimeout(Duration.ofSeconds(30))
                .build());
        return new DynamicKubernetesApi("dbops.dbprovision.io", "v1alpha1", "databaseinstances", client);
    }

    private static CompletableFuture<Watch.Response<DynamicKubernetesObject>> firstEvent(
            Watchable<DynamicKubernetesObject> watch) {
        CompletableFuture<Watch.Response<DynamicKubernetesObject>> first = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                first.complete(watch.next());
            } catch (RuntimeException e) {
                first.completeExceptionally(e);
            }
        });
        return first;
    }

    /** Opens a watch, retrying while the server answers 429 (its one watch slot still taken). */
    private static Watchable<DynamicKubernetesObject> admittedWatch(DynamicKubernetesApi api, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return api.watch("ns", new ListOptions().timeoutSeconds(300));
            } catch (ApiException e) {
                assertThat(e.getCode()).as("%s", e.getResponseBody()).isEqualTo(429);
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "a cancelled watch still holds the server's only watch slot after " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }
}
