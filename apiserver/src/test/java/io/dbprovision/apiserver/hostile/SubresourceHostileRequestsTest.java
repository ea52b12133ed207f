package io.dbprovision.apiserver.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.registry.RecordingSubresourceReader;
import io.dbprovision.apiserver.server.StandaloneServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * Hostile requests aimed at a computed subresource ({@code databaseusers/{name}/credentials}, answered by a recording
 * stub reader), written byte for byte as the hostile corpus writes its own: every one is answered 4xx with a
 * {@code Status} (the corpus' checks), none reaches the reader, and the server answers normal requests afterwards.
 * Hostile names and namespaces are the corpus' path-traversal ones.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SubresourceHostileRequestsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String USERS = HostileCorpus.GV + "/namespaces/" + HostileCorpus.NS + "/databaseusers";
    private static final String CREDENTIALS = USERS + "/app/credentials";
    private static final String PASSWORD = "hostile-pw-" + Long.toHexString(System.nanoTime());

    /** The corpus' hostile path segments, percent-encoded as they go on the wire. */
    private static final List<String> NAMES = List.of(
            "..",
            ".",
            "%2e%2e",
            "%2E",
            "..%2F..%2Fsecrets",
            "a%2Fb",
            "%2F",
            "a%00b",
            "%00",
            "a%0Ab",
            "a%0D%0AX-Injected:%201",
            "a%25b",
            "a%252Fb",
            "x".repeat(254),
            "a%09b",
            "a%7Fb",
            "%C3%28",
            "%FF%FE");

    @TempDir
    static Path dir;

    private static final RecordingSubresourceReader reader = RecordingSubresourceReader.credentials()
            .answering(HostileCorpus.NS, "app", RecordingSubresourceReader.credentialsOf("app", PASSWORD));
    private static StandaloneServer server;
    private static RawHttps client;

    @BeforeAll
    static void start() throws Exception {
        server = StandaloneServer.start(
                StandaloneServer.Options.of(dir, "127.0.0.1", 0, false).withSubresource(reader.served()));
        client = RawHttps.trusting(server.caCertificate(), server.port());
        RawHttps.Response created = client.exchange(
                HostileRequest.of("setup", "namespace", "POST", "/api/v1/namespaces")
                        .json("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\""
                                + HostileCorpus.NS + "\"}}")
                        .bytes(server.adminToken()),
                TIMEOUT);
        assertThat(created.code()).as(created.text()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static List<HostileRequest> requests() {
        List<HostileRequest> out = new ArrayList<>();
        for (String name : NAMES) {
            String what = "name " + (name.length() > 20 ? name.substring(0, 20) + "…" : name);
            out.add(HostileRequest.of("subresource path", what, "GET", USERS + "/" + name + "/credentials", 400));
            out.add(HostileRequest.of(
                    "subresource path",
                    "namespace " + what,
                    "GET",
                    HostileCorpus.GV + "/namespaces/" + name + "/databaseusers/app/credentials",
                    400,
                    404));
        }
        out.add(HostileRequest.of(
                "subresource path",
                "a namespace of 64 characters",
                "GET",
                HostileCorpus.GV + "/namespaces/" + "n".repeat(64) + "/databaseusers/app/credentials",
                400));
        // "credentials;x" too: Undertow would drop the ";x", the server keeps it as the kube-apiserver does (Call.path)
        for (String subresource : List.of(
                "credentials%00",
                "Credentials",
                "credentials.",
                "credentials%2F",
                "..",
                "%00",
                "credentials%3Bx",
                "credentials;x",
                "credentials;a=b;c")) {
            out.add(HostileRequest.of(
                    "subresource path", "subresource " + subresource, "GET", USERS + "/app/" + subresource, 400, 404));
        }
        out.add(HostileRequest.of("subresource path", "past the subresource", "GET", CREDENTIALS + "/x", 404));
        out.add(HostileRequest.of("subresource path", "past it, twice", "GET", CREDENTIALS + "/credentials", 404));
        out.add(HostileRequest.of(
                "subresource scope", "no namespace", "GET", HostileCorpus.GV + "/databaseusers/app/credentials", 404));
        for (String method : List.of("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "get", "CONNECT")) {
            out.add(HostileRequest.of("subresource method", method, method, CREDENTIALS, 400, 405)
                    .json("{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"DatabaseUserCredentials\"}"));
        }
        out.add(HostileRequest.of("subresource method", "a 4 MiB body declared on PUT", "PUT", CREDENTIALS, 405, 413)
                .header("Content-Length", Integer.toString(4 * 1024 * 1024))
                .header("Content-Type", "application/json")
                .rawFraming());
        out.add(HostileRequest.of("subresource method", "a body on GET", "GET", CREDENTIALS + "?watch=yes", 400)
                .json("{\"password\":\"x\"}"));
        for (String query : List.of("watch=maybe", "watch=2", "watch=%00", "watch=true", "watch=1")) {
            out.add(HostileRequest.of("subresource query", query, "GET", CREDENTIALS + "?" + query, 400, 405));
        }
        for (String accept : List.of(
                "application/json;as=Table;v=v1;g=meta.k8s.io",
                "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
                "application/vnd.kubernetes.protobuf",
                "text/plain",
                "application/json;as=" + "A".repeat(8000),
                "application/yaml;as=Table")) {
            String what = accept.length() > 40 ? accept.substring(0, 40) + "…" : accept;
            out.add(HostileRequest.of("subresource accept", what, "GET", CREDENTIALS, 400, 406)
                    .header("Accept", accept));
        }
        out.add(HostileRequest.of("subresource auth", "no credentials", "GET", CREDENTIALS, 401)
                .header("X-No-Auth", "1"));
        out.add(HostileRequest.of("subresource auth", "an unknown token", "GET", CREDENTIALS, 401)
                .header("Authorization", "Bearer not-a-token"));
        return out;
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> everyHostileRequestIsAnswered4xxWithAStatusAndNoSecret() {
        return requests().stream()
                .map(request -> DynamicTest.dynamicTest(request.toString(), () -> {
                    RawHttps.Response response = client.exchange(request.bytes(server.adminToken()), TIMEOUT);
                    assertThat(response.code())
                            .as("%s answered %s: %s", request, response.code(), response.text())
                            .isIn(request.expected());
                    HostileRequestCorpusTest.assertIsStatus(response, request);
                    assertThat(new String(response.body(), StandardCharsets.UTF_8))
                            .doesNotContain(PASSWORD);
                }));
    }

    @Test
    @Order(2)
    void noneReachedTheReaderAndTheSubresourceStillAnswers() throws Exception {
        assertThat(reader.calls()).as("calls of the reader").isEmpty();
        RawHttps.Response ok = client.exchange(
                HostileRequest.of("after", "get", "GET", CREDENTIALS).bytes(server.adminToken()), TIMEOUT);
        assertThat(ok.code()).as(ok.text()).isEqualTo(200);
        assertThat(ok.header("Cache-Control")).isEqualTo("no-store");
        assertThat(ok.text()).contains(PASSWORD);
        assertThat(reader.calls()).containsExactly(HostileCorpus.NS + "/app");
    }
}
