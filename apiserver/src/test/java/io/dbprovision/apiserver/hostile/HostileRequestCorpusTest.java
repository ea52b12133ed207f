package io.dbprovision.apiserver.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbprovision.apiserver.server.StandaloneServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-request corpus ({@link HostileCorpus}) against a real standalone server over HTTPS, each request written
 * byte for byte: every one must be answered 4xx with a Kubernetes {@code Status} whose code is the response's, whose
 * message names no library, and in good time; the server must be healthy and serve normal requests afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileRequestCorpusTest {
    /** Generous: the answer's correctness is asserted; its time is measured and reported (most take milliseconds). */
    private static final Duration PER_REQUEST_TIMEOUT = Duration.ofSeconds(20);

    /** What a message must not contain: class names, library names, source locations, stack frames. */
    private static final Pattern LIBRARY_INTERNALS = Pattern.compile(
            "com\\.fasterxml|jackson|snakeyaml|org\\.|java\\.|javax\\.|undertow|xnio|protobuf|Exception|"
                    + "StreamReadConstraints|(?-i:Source: )|\\.java:|\\bat [a-z]+\\.[a-z]+\\.",
            Pattern.CASE_INSENSITIVE);

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static StandaloneServer server;
    private static RawHttps client;
    private static final ConcurrentLinkedQueue<String> timings = new ConcurrentLinkedQueue<>();
    private static final List<Long> millis = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = StandaloneServer.start(dir, "127.0.0.1", 0, false);
        client = RawHttps.trusting(server.caCertificate(), server.port());
        created(send(
                "POST",
                "/api/v1/namespaces",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\"," + "\"metadata\":{\"name\":\"" + HostileCorpus.NS
                        + "\"}}"));
        created(send(
                "POST",
                HostileCorpus.SECRETS,
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\","
                        + "\"metadata\":{\"name\":\"s1\"},\"stringData\":{\"a\":\"b\"}}"));
        created(send("POST", HostileCorpus.DBS, database("db1")));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void theCorpusHasAtLeast300RequestsThatReachTheApi() {
        assertThat(HostileCorpus.all().stream().filter(request -> !request.httpLayer()))
                .hasSizeGreaterThanOrEqualTo(300);
    }

    @TestFactory
    @Order(2)
    Stream<DynamicTest> everyHostileRequestIsAnswered4xxWithAStatus() {
        return HostileCorpus.all().stream()
                .map(request -> DynamicTest.dynamicTest(request.toString(), () -> {
                    RawHttps.Response response =
                            client.exchange(request.bytes(server.adminToken()), PER_REQUEST_TIMEOUT);
                    synchronized (millis) {
                        millis.add(response.took().toMillis());
                    }
                    timings.add(response.took().toMillis() + " ms " + request);
                    assertThat(response.code())
                            .as("%s answered %s: %s", request, response.code(), abbreviated(response.text()))
                            .isIn(request.expected());
                    if (request.httpLayer()) {
                        assertThat(response.body()).as("%s", request).isEmpty();
                    } else {
                        assertIsStatus(response, request);
                    }
                }));
    }

    @Test
    @Order(3)
    void theServerIsHealthyAndServesNormalRequestsAfterwards() throws Exception {
        List<String> slow = timings.stream()
                .filter(line -> Long.parseLong(line.substring(0, line.indexOf(' '))) > 1000)
                .toList();
        long slowest;
        synchronized (millis) {
            slowest = millis.stream().max(Comparator.naturalOrder()).orElse(0L);
        }
        System.out.println("hostile corpus: " + millis.size() + " requests, slowest " + slowest + " ms, " + slow.size()
                + " over a second " + slow);

        RawHttps.Response ready = client.exchange(
                HostileRequest.of("after", "readyz", "GET", "/readyz").bytes(server.adminToken()), PER_REQUEST_TIMEOUT);
        assertThat(ready.code()).isEqualTo(200);
        created(send("POST", HostileCorpus.DBS, database("after-corpus")));
        RawHttps.Response got = send("GET", HostileCorpus.DBS + "/after-corpus", "");
        assertThat(got.code()).isEqualTo(200);
        assertThat(JSON.readTree(got.body()).at("/metadata/name").asText()).isEqualTo("after-corpus");
        RawHttps.Response list = send("GET", HostileCorpus.DBS, "");
        assertThat(JSON.readTree(list.body()).at("/items").size()).isEqualTo(2); // db1 and after-corpus, nothing else
    }

    static void assertIsStatus(RawHttps.Response response, Object request) throws Exception {
        assertThat(response.code()).as("%s", request).isBetween(400, 499);
        assertThat(response.header("Content-Type")).as("%s", request).startsWith("application/json");
        @SuppressWarnings("unchecked")
        Map<String, Object> status = JSON.readValue(response.body(), Map.class);
        assertThat(status)
                .as("%s", request)
                .containsEntry("kind", "Status")
                .containsEntry("apiVersion", "v1")
                .containsEntry("status", "Failure")
                .containsEntry("code", response.code())
                .containsKey("reason");
        String message = String.valueOf(status.get("message"));
        assertThat(message).as("%s", request).isNotBlank();
        assertThat(LIBRARY_INTERNALS.matcher(message).find())
                .as("%s: the message names library internals: %s", request, message)
                .isFalse();
    }

    private static RawHttps.Response send(String method, String path, String json) throws Exception {
        HostileRequest request = HostileRequest.of("setup", "", method, path);
        if (!json.isEmpty()) {
            request = request.json(json);
        }
        return client.exchange(request.bytes(server.adminToken()), PER_REQUEST_TIMEOUT);
    }

    private static void created(RawHttps.Response response) {
        assertThat(response.code()).as(response.text()).isEqualTo(201);
    }

    private static String database(String name) {
        return "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"Database\",\"metadata\":{\"name\":\""
                + name + "\"},\"spec\":{\"instanceRef\":{\"name\":\"pg\"},\"name\":\"app\"}}";
    }

    private static String abbreviated(String text) {
        return text.length() > 400 ? text.substring(0, 400) + "…" : text;
    }
}
