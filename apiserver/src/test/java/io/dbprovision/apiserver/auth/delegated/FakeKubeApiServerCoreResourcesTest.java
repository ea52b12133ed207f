package io.dbprovision.apiserver.auth.delegated;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fake kube-apiserver's core v1 Secrets and Events on the wire, as plain HTTP requests: that it answers what a
 * kube-apiserver answers (status codes, Status bodies with reasons and details, list and watch shapes), so tests
 * against it test against Kubernetes' behaviour.
 */
class FakeKubeApiServerCoreResourcesTest {
    private static final String TOKEN = "service-account-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRETS = "/api/v1/namespaces/team-a/secrets";

    private FakeKubeApiServer cluster;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeKubeApiServer.start(TOKEN);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", cluster.ca().certificate());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trustManagers.getTrustManagers(), null);
        http = HttpClient.newBuilder().sslContext(tls).build();
    }

    @AfterEach
    void stop() {
        http.close();
        cluster.close();
    }

    private record Answer(int code, JsonNode body) {}

    private Answer call(String method, String path, String body, String contentType) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cluster.url() + path))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", contentType)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), JSON.readTree(response.body()));
    }

    private Answer call(String method, String path, String body) throws Exception {
        return call(method, path, body, "application/json");
    }

    private static String secret(String name, String labels, String resourceVersion) {
        return """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"%s","labels":{%s}%s},
                 "stringData":{"password":"p"}}""".formatted(
                name, labels, resourceVersion == null ? "" : ",\"resourceVersion\":\"" + resourceVersion + "\"");
    }

    @Test
    void writesAnswerAsTheKubeApiServerDoes() throws Exception {
        Answer created = call("POST", SECRETS, secret("s1", "\"app\":\"dbops\"", null));
        assertThat(created.code()).isEqualTo(201);
        assertThat(created.body().path("data").path("password").asText()).isEqualTo("cA==");
        assertThat(created.body().has("stringData")).isFalse();
        assertThat(created.body().path("type").asText()).isEqualTo("Opaque");
        String version = created.body().path("metadata").path("resourceVersion").asText();
        String uid = created.body().path("metadata").path("uid").asText();

        Answer taken = call("POST", SECRETS, secret("s1", "", null));
        assertThat(taken.code()).isEqualTo(409);
        assertThat(taken.body().path("reason").asText()).isEqualTo("AlreadyExists");
        assertThat(taken.body().path("details").path("name").asText()).isEqualTo("s1");
        assertThat(taken.body().path("details").path("kind").asText()).isEqualTo("secrets");

        Answer replaced = call("PUT", SECRETS + "/s1", secret("s1", "", version));
        assertThat(replaced.code()).isEqualTo(200);
        Answer stale = call("PUT", SECRETS + "/s1", secret("s1", "", version));
        assertThat(stale.code()).isEqualTo(409);
        assertThat(stale.body().path("reason").asText()).isEqualTo("Conflict");
        assertThat(stale.body().path("message").asText())
                .isEqualTo("Operation cannot be fulfilled on secrets \"s1\": the object has been modified; please"
                        + " apply your changes to the latest version and try again");

        Answer wrongUid = call("DELETE", SECRETS + "/s1", "{\"preconditions\":{\"uid\":\"another\"}}");
        assertThat(wrongUid.code()).isEqualTo(409);
        assertThat(wrongUid.body().path("message").asText()).contains("Precondition failed: UID in precondition");
        Answer deleted = call("DELETE", SECRETS + "/s1", "{\"preconditions\":{\"uid\":\"" + uid + "\"}}");
        assertThat(deleted.code()).isEqualTo(200);
        assertThat(deleted.body().path("kind").asText()).isEqualTo("Status");
        assertThat(deleted.body().path("status").asText()).isEqualTo("Success");
        assertThat(deleted.body().path("details").path("uid").asText()).isEqualTo(uid);
        Answer missing = call("GET", SECRETS + "/s1", null);
        assertThat(missing.code()).isEqualTo(404);
        assertThat(missing.body().path("message").asText()).isEqualTo("secrets \"s1\" not found");

        Answer invalid = call("POST", SECRETS, secret("Not_A_Name", "", null));
        assertThat(invalid.code()).isEqualTo(422);
        assertThat(invalid.body()
                        .path("details")
                        .path("causes")
                        .get(0)
                        .path("field")
                        .asText())
                .isEqualTo("metadata.name");
        Answer otherNamespace = call("POST", SECRETS, "{\"metadata\":{\"name\":\"x\",\"namespace\":\"team-b\"}}");
        assertThat(otherNamespace.code()).isEqualTo(400);
    }

    @Test
    void listsSelectByLabelAndFieldAndPage() throws Exception {
        call("POST", SECRETS, secret("a", "\"app\":\"dbops\",\"tier\":\"gold\"", null));
        call("POST", SECRETS, secret("b", "\"app\":\"dbops\"", null));
        call("POST", SECRETS, secret("c", "\"app\":\"other\"", null));
        call("POST", "/api/v1/namespaces/team-b/secrets", secret("d", "\"app\":\"dbops\"", null));

        assertThat(names(call("GET", SECRETS + "?labelSelector=" + encode("app=dbops"), null)))
                .containsExactly("a", "b");
        assertThat(names(call("GET", "/api/v1/secrets?labelSelector=" + encode("app in (dbops),!tier"), null)))
                .containsExactly("b", "d");
        assertThat(names(call("GET", "/api/v1/secrets?labelSelector=" + encode("app!=dbops"), null)))
                .containsExactly("c");
        assertThat(names(call("GET", SECRETS + "?fieldSelector=" + encode("metadata.name=c"), null)))
                .containsExactly("c");
        assertThat(call("GET", SECRETS + "?fieldSelector=" + encode("data.password=p"), null)
                        .code())
                .isEqualTo(400);
        assertThat(call("GET", SECRETS + "?labelSelector=" + encode("a in (b"), null)
                        .code())
                .isEqualTo(400);

        Answer first = call("GET", "/api/v1/secrets?limit=3", null);
        assertThat(names(first)).containsExactly("a", "b", "c");
        assertThat(first.body().path("kind").asText()).isEqualTo("SecretList");
        String next = first.body().path("metadata").path("continue").asText();
        assertThat(names(call("GET", "/api/v1/secrets?limit=3&continue=" + encode(next), null)))
                .containsExactly("d");
    }

    @Test
    void watchesResumeFilterWithTransitionsAndExpire() throws Exception {
        Answer created = call("POST", SECRETS, secret("w", "\"app\":\"dbops\"", null));
        String version = created.body().path("metadata").path("resourceVersion").asText();
        call("PUT", SECRETS + "/w", secret("w", "\"app\":\"other\"", version)); // stops matching

        List<String> events = watch(SECRETS + "?watch=true&labelSelector=app%3Ddbops&resourceVersion=" + version);
        assertThat(events).containsExactly("DELETED w");

        cluster.secrets.compact();
        List<String> expired = watch(SECRETS + "?watch=1&resourceVersion=" + version);
        assertThat(expired).containsExactly("ERROR 410 Expired");
    }

    @Test
    void eventsArePatchedByMergeAndKeptInTheirObjectsNamespace() throws Exception {
        String event = """
                {"metadata":{"name":"orders.1"},"involvedObject":{"kind":"Database","namespace":"team-a","name":"orders"},
                 "reason":"R","message":"m","count":1,"lastTimestamp":"2024-05-01T10:00:00.000000Z"}""";
        assertThat(call("POST", "/api/v1/namespaces/team-a/events", event).code())
                .isEqualTo(201);
        Answer patched = call(
                "PATCH",
                "/api/v1/namespaces/team-a/events/orders.1",
                "{\"count\":2,\"lastTimestamp\":\"2024-05-01T10:01:00Z\"}",
                "application/strategic-merge-patch+json");
        assertThat(patched.code()).isEqualTo(200);
        assertThat(patched.body().path("count").asInt()).isEqualTo(2);
        assertThat(patched.body().path("message").asText()).isEqualTo("m");
        assertThat(patched.body().path("lastTimestamp").asText()).isEqualTo("2024-05-01T10:01:00Z");

        Answer elsewhere = call("POST", "/api/v1/namespaces/team-b/events", event);
        assertThat(elsewhere.code()).isEqualTo(422);
        assertThat(call("GET", "/api/v1/namespaces/team-a/events", null)
                        .body()
                        .path("items")
                        .size())
                .isEqualTo(1);
    }

    @Test
    void theConfigMapOfDelegatedAuthenticationIsStillServed() throws Exception {
        cluster.putConfigMap(java.util.Map.of("client-ca-file", "x"));
        Answer configMap = call("GET", FakeKubeApiServer.CONFIG_MAP_PATH + "/extension-apiserver-authentication", null);
        assertThat(configMap.code()).isEqualTo(200);
        assertThat(call("GET", "/api/v1/namespaces/team-a/pods", null).code()).isEqualTo(404);
    }

    private List<String> watch(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.url() + path + "&timeoutSeconds=1"))
                .header("Authorization", "Bearer " + TOKEN)
                .build();
        HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        List<String> events = new ArrayList<>();
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode event = JSON.readTree(line);
                JsonNode object = event.path("object");
                events.add(event.path("type").asText() + " "
                        + (event.path("type").asText().equals("ERROR")
                                ? object.path("code").asInt() + " "
                                        + object.path("reason").asText()
                                : object.path("metadata").path("name").asText()));
            }
        }
        return events;
    }

    private static List<String> names(Answer list) {
        List<String> names = new ArrayList<>();
        list.body()
                .path("items")
                .forEach(item -> names.add(item.path("metadata").path("name").asText()));
        return names;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
