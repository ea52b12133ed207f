package io.dbprovision.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.auth.delegated.ClusterConnection;
import io.dbprovision.apiserver.auth.delegated.DelegatedOptions;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer.FakeUser;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer.SarAnswer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delegated mode through its real HTTPS listener, started in-process with the in-cluster configuration (a service
 * account token and CA, as a pod has them) against a fake kube-apiserver that speaks TokenReview, SubjectAccessReview
 * and the {@code extension-apiserver-authentication} ConfigMap over HTTPS. Who a request runs as is read from the
 * SubjectAccessReviews the fake received; the caches are checked by counting the reviews.
 */
class DelegatedServerTest {
    private static final String SA_TOKEN = "service-account-token-of-dbprovision";
    private static final Duration DAY = Duration.ofDays(1);
    private static final String DATABASES = "/apis/dbops.dbprovision.io/v1alpha1/namespaces/ns/databases";

    @TempDir
    Path dir;

    private final Pki.Issued clusterCa = Pki.newCa("cluster-client-ca", DAY);
    private final Pki.Issued frontProxyCa = Pki.newCa("front-proxy-ca", DAY);
    private final Pki.Issued frontProxy = Pki.newClient(frontProxyCa, "front-proxy-client", List.of(), DAY);
    private final Pki.Issued servingCa = Pki.newCa("dbprovision-serving-ca", DAY);
    private final List<TlsClient> clients = new ArrayList<>();
    private FakeKubeApiServer cluster;
    private boolean clusterStopped;
    private DelegatedServer server;
    private Path servingCertificate;
    private Path servingKey;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeKubeApiServer.start(SA_TOKEN);
        cluster.putConfigMap(FakeKubeApiServer.configMapData(
                Optional.of(clusterCa), Optional.of(frontProxyCa), List.of("front-proxy-client")));
        cluster.acceptToken("alice-token", FakeUser.of("alice", "developers"));
        cluster.acceptToken("bob-token", FakeUser.of("bob"));
        cluster.acceptToken("mallory-token", FakeUser.of("mallory"));
        cluster.answerSubjectAccessReviews(spec -> spec.path("user").asText().equals("mallory")
                ? SarAnswer.deny("no RBAC policy matched")
                : SarAnswer.allow("RBAC: allowed by ClusterRoleBinding \"dbops-users\""));

        servingCertificate = dir.resolve("tls/tls.crt");
        servingKey = dir.resolve("tls/tls.key");
        writeServing(
                Pki.newServing(servingCa, "dbprovision-apiserver", List.of("localhost"), List.of("127.0.0.1"), DAY));
        ClusterConnection.InCluster inCluster =
                cluster.writeServiceAccount(dir.resolve("serviceaccount"), SA_TOKEN, Duration.ofMinutes(1));
        server = DelegatedServer.start(DelegatedServer.Options.of(
                        new StorageChoice.Embedded(dir.resolve("data"), false),
                        DelegatedOptions.builder().inCluster(inCluster).build())
                .withListen("127.0.0.1", 0)
                .withServing(DelegatedServer.Serving.files(servingCertificate, servingKey)
                        .withCheckInterval(Duration.ZERO)));
    }

    @AfterEach
    void stop() {
        clients.forEach(TlsClient::close);
        if (server != null) {
            server.close();
        }
        if (!clusterStopped) {
            cluster.close();
        }
    }

    // --- the front proxy ---------------------------------------------------------------------------------------

    @Test
    void frontProxyHeadersWithoutAClientCertificateAreIgnored() {
        TlsClient client = anonymousClient();

        TlsClient.Response forged = client.get(url(DATABASES), asAliceInMasters());
        assertThat(forged.code()).as(forged.toString()).isEqualTo(401);
        assertThat(forged.json().path("kind").asText()).isEqualTo("Status");
        assertThat(forged.json().path("reason").asText()).isEqualTo("Unauthorized");
        assertThat(cluster.subjectAccessReviews).hasValue(0);

        // with a token, the request is the token's user's, not the headers'
        List<Map.Entry<String, String>> headers = new ArrayList<>(asAliceInMasters());
        headers.add(Map.entry("Authorization", "Bearer bob-token"));
        TlsClient.Response asBob = client.get(url(DATABASES), headers);
        assertThat(asBob.code()).as(asBob.toString()).isEqualTo(200);
        assertThat(onlyReview().path("user").asText()).isEqualTo("bob");
        assertThat(texts(onlyReview().path("groups"))).containsExactly("system:authenticated");
    }

    @Test
    void frontProxyHeadersWithACertificateFromAnotherCaAreIgnored() {
        Pki.Issued foreignCa = Pki.newCa("front-proxy-ca", DAY); // the same name, another key
        Pki.Issued impostor = Pki.newClient(foreignCa, "front-proxy-client", List.of(), DAY);

        TlsClient.Response response = clientPresenting(impostor).get(url(DATABASES), asAliceInMasters());

        assertThat(response.code()).as(response.toString()).isEqualTo(401);
        assertThat(cluster.subjectAccessReviews).hasValue(0);
    }

    @Test
    void frontProxyHeadersFromTheRequestHeaderCaWithANameNotAllowedAreIgnored() {
        Pki.Issued other = Pki.newClient(frontProxyCa, "some-other-client", List.of(), DAY);

        TlsClient.Response response = clientPresenting(other).get(url(DATABASES), asAliceInMasters());

        assertThat(response.code()).as(response.toString()).isEqualTo(401);
        assertThat(cluster.subjectAccessReviews).hasValue(0);
    }

    @Test
    void theFrontProxyWithTheRightCertificateRunsTheRequestAsTheUserItNames() {
        List<Map.Entry<String, String>> headers = List.of(
                Map.entry("X-Remote-User", "alice"),
                Map.entry("X-Remote-Group", "developers"),
                Map.entry("X-Remote-Group", "team-a"),
                Map.entry("X-Remote-Extra-Scopes", "db"));

        TlsClient.Response response = clientPresenting(frontProxy).get(url(DATABASES), headers);

        assertThat(response.code()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().path("kind").asText()).isEqualTo("DatabaseList");
        JsonNode review = onlyReview();
        assertThat(review.path("user").asText()).isEqualTo("alice");
        assertThat(texts(review.path("groups"))).containsExactly("developers", "team-a", "system:authenticated");
        assertThat(texts(review.path("extra").path("scopes"))).containsExactly("db");
        JsonNode attributes = review.path("resourceAttributes");
        assertThat(attributes.path("verb").asText()).isEqualTo("list");
        assertThat(attributes.path("group").asText()).isEqualTo("dbops.dbprovision.io");
        assertThat(attributes.path("resource").asText()).isEqualTo("databases");
        assertThat(attributes.path("namespace").asText()).isEqualTo("ns");
        assertThat(cluster.tokenReviews).hasValue(0);
    }

    @Test
    void theAggregatorInSystemMastersNeedsNoReview() {
        TlsClient.Response response = clientPresenting(frontProxy).get(url(DATABASES), asAliceInMasters());

        assertThat(response.code()).as(response.toString()).isEqualTo(200);
        assertThat(cluster.subjectAccessReviews).hasValue(0);
    }

    @Test
    void aClusterClientCertificateIsItsCommonNameAndOrganizations() {
        Pki.Issued erin = Pki.newClient(clusterCa, "erin", List.of("qa"), DAY);

        TlsClient.Response response = clientPresenting(erin).get(url(DATABASES), List.of());

        assertThat(response.code()).as(response.toString()).isEqualTo(200);
        assertThat(onlyReview().path("user").asText()).isEqualTo("erin");
        assertThat(texts(onlyReview().path("groups"))).containsExactly("qa", "system:authenticated");
    }

    // --- tokens, reviews, caches --------------------------------------------------------------------------------

    @Test
    void aBearerTokenIsReviewedThenTheRequestAuthorized() {
        TlsClient.Response response = anonymousClient().get(url(DATABASES), bearer("alice-token"));

        assertThat(response.code()).as(response.toString()).isEqualTo(200);
        assertThat(cluster.tokenReviews).hasValue(1);
        assertThat(onlyReview().path("user").asText()).isEqualTo("alice");
        assertThat(texts(onlyReview().path("groups"))).containsExactly("developers", "system:authenticated");
    }

    @Test
    void anUnknownTokenIs401() {
        TlsClient.Response response = anonymousClient().get(url(DATABASES), bearer("nobody's-token"));

        assertThat(response.code()).as(response.toString()).isEqualTo(401);
        assertThat(cluster.tokenReviews).hasValue(1);
        assertThat(cluster.subjectAccessReviews).hasValue(0);
    }

    @Test
    void aDeniedReviewIs403WithKubernetesMessage() {
        TlsClient.Response response = anonymousClient().get(url(DATABASES + "/x"), bearer("mallory-token"));

        assertThat(response.code()).as(response.toString()).isEqualTo(403);
        JsonNode status = response.json();
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(status.path("status").asText()).isEqualTo("Failure");
        assertThat(status.path("reason").asText()).isEqualTo("Forbidden");
        assertThat(status.path("code").asInt()).isEqualTo(403);
        assertThat(status.path("message").asText())
                .isEqualTo("databases.dbops.dbprovision.io \"x\" is forbidden: User \"mallory\" cannot get resource"
                        + " \"databases\" in API group \"dbops.dbprovision.io\" in the namespace \"ns\": no RBAC"
                        + " policy matched");
    }

    @Test
    void repeatedRequestsAreAnsweredFromTheCachesNotByAskingTheClusterAgain() {
        TlsClient client = anonymousClient();
        for (int i = 0; i < 5; i++) {
            assertThat(client.get(url(DATABASES), bearer("alice-token")).code()).isEqualTo(200);
        }
        assertThat(cluster.tokenReviews).hasValue(1);
        assertThat(cluster.subjectAccessReviews).hasValue(1);

        for (int i = 0; i < 5; i++) {
            assertThat(client.get(url(DATABASES + "/x"), bearer("mallory-token"))
                            .code())
                    .isEqualTo(403);
        }
        assertThat(cluster.tokenReviews).hasValue(2);
        assertThat(cluster.subjectAccessReviews)
                .as("denied answers are cached too")
                .hasValue(2);

        // another request is another review
        assertThat(client.get(url(DATABASES + "/y"), bearer("alice-token")).code())
                .isEqualTo(404);
        assertThat(cluster.tokenReviews).hasValue(2);
        assertThat(cluster.subjectAccessReviews).hasValue(3);
    }

    @Test
    void healthIsServedWithoutCredentialsAndWithoutAskingTheCluster() {
        TlsClient client = anonymousClient();
        for (String path : List.of("/healthz", "/livez", "/readyz")) {
            TlsClient.Response response = client.get(url(path));
            assertThat(response.code()).as(path + ": " + response).isEqualTo(200);
        }
        assertThat(cluster.subjectAccessReviews).hasValue(0);
        assertThat(cluster.tokenReviews).hasValue(0);
    }

    // --- following the cluster ----------------------------------------------------------------------------------

    @Test
    void theHandshakeAdvertisesTheClusterAndFrontProxyCas() {
        TlsClient client = anonymousClient();
        client.get(url("/healthz"));

        assertThat(names(client.advertisedIssuers().getLast()))
                .containsExactlyInAnyOrder("CN=cluster-client-ca", "CN=front-proxy-ca");
    }

    @Test
    void aNameAllowedInTheConfigMapTakesEffectWithoutARestart() {
        Pki.Issued newProxy = Pki.newClient(frontProxyCa, "new-proxy", List.of(), DAY);
        TlsClient client = clientPresenting(newProxy);
        assertThat(client.get(url(DATABASES), asAliceInMasters()).code()).isEqualTo(401);

        cluster.putConfigMap(FakeKubeApiServer.configMapData(
                Optional.of(clusterCa), Optional.of(frontProxyCa), List.of("front-proxy-client", "new-proxy")));

        Await.until(
                "the new proxy name is allowed",
                () -> client.get(url(DATABASES), asAliceInMasters()).code() == 200);
    }

    @Test
    void aNewFrontProxyCaInTheConfigMapIsAdvertisedAndTrustedWithoutARestart() {
        Pki.Issued rotatedCa = Pki.newCa("front-proxy-ca-2", DAY);
        Pki.Issued rotatedProxy = Pki.newClient(rotatedCa, "front-proxy-client", List.of(), DAY);
        assertThat(clientPresenting(rotatedProxy)
                        .get(url(DATABASES), asAliceInMasters())
                        .code())
                .isEqualTo(401);

        cluster.putConfigMap(FakeKubeApiServer.configMapData(
                Optional.of(clusterCa), Optional.of(rotatedCa), List.of("front-proxy-client")));

        Await.until(
                "the rotated front proxy is trusted",
                () -> clientPresenting(rotatedProxy)
                                .get(url(DATABASES), asAliceInMasters())
                                .code()
                        == 200);
        TlsClient fresh = anonymousClient();
        fresh.get(url("/healthz"));
        assertThat(names(fresh.advertisedIssuers().getLast()))
                .containsExactlyInAnyOrder("CN=cluster-client-ca", "CN=front-proxy-ca-2");
        assertThat(clientPresenting(frontProxy)
                        .get(url(DATABASES), asAliceInMasters())
                        .code())
                .as("the old proxy certificate")
                .isEqualTo(401);
    }

    @Test
    void withTheKubeApiServerFailingOrGoneRequestsAre401Or403NeverA5xx() {
        TlsClient client = anonymousClient();
        TlsClient proxy = clientPresenting(frontProxy);
        TlsClient erin = clientPresenting(Pki.newClient(clusterCa, "erin", List.of(), DAY));
        cluster.acceptToken("carol-token", FakeUser.of("carol"));

        cluster.failWith(500);
        assertThat(client.get(url(DATABASES), bearer("carol-token")).code()).isEqualTo(401);
        TlsClient.Response proxied = proxy.get(url(DATABASES), List.of(Map.entry("X-Remote-User", "dave")));
        assertThat(proxied.code()).as(proxied.toString()).isEqualTo(403);
        assertThat(proxied.json().path("message").asText())
                .endsWith("the cluster's authorizer could not be reached to review this request; try again later");
        assertThat(erin.get(url(DATABASES)).code()).isEqualTo(403);

        cluster.close();
        clusterStopped = true;
        assertThat(client.get(url(DATABASES), bearer("carol-token")).code()).isEqualTo(401);
        assertThat(proxy.get(url(DATABASES), List.of(Map.entry("X-Remote-User", "dave")))
                        .code())
                .isEqualTo(403);
        assertThat(client.get(url("/healthz")).code()).isEqualTo(200);
    }

    // --- the serving certificate --------------------------------------------------------------------------------

    @Test
    void aRenewedServingCertificateIsServedWithoutARestart() throws Exception {
        TlsClient before = anonymousClient();
        String firstSerial = before.get(url("/healthz"))
                .serverChain()
                .getFirst()
                .getSerialNumber()
                .toString();

        Pki.Issued renewed =
                Pki.newServing(servingCa, "dbprovision-apiserver", List.of("localhost"), List.of("127.0.0.1"), DAY);
        writeServing(renewed);

        TlsClient after = anonymousClient();
        assertThat(after.get(url("/healthz")).serverChain().getFirst())
                .isEqualTo(renewed.certificate())
                .satisfies(c -> assertThat(c.getSerialNumber().toString()).isNotEqualTo(firstSerial));
    }

    @Test
    void aHalfWrittenServingCertificateKeepsThePreviousOne() throws Exception {
        Pki.Issued other = Pki.newServing(servingCa, "other", List.of("localhost"), List.of("127.0.0.1"), DAY);
        // the certificate renewed, the key not yet: they do not belong together
        Files.writeString(servingCertificate, other.certificatePem());

        TlsClient.Response response = anonymousClient().get(url("/healthz"));

        assertThat(response.code()).isEqualTo(200);
        assertThat(response.serverChain().getFirst()).isNotEqualTo(other.certificate());
    }

    // --- helpers ------------------------------------------------------------------------------------------------

    private void writeServing(Pki.Issued serving) throws Exception {
        Files.createDirectories(servingCertificate.getParent());
        // key first: a reader between the two writes sees a pair that does not match and keeps the old one
        Files.writeString(servingKey, serving.keyPem());
        Files.writeString(servingCertificate, serving.certificatePem() + servingCa.certificatePem());
    }

    private String url(String path) {
        return "https://127.0.0.1:" + server.port() + path;
    }

    private TlsClient anonymousClient() {
        TlsClient client = TlsClient.anonymous(servingCa.certificate());
        clients.add(client);
        return client;
    }

    private TlsClient clientPresenting(Pki.Issued certificate) {
        TlsClient client = TlsClient.presenting(servingCa.certificate(), certificate);
        clients.add(client);
        return client;
    }

    private static List<Map.Entry<String, String>> asAliceInMasters() {
        return List.of(Map.entry("X-Remote-User", "alice"), Map.entry("X-Remote-Group", "system:masters"));
    }

    private static List<Map.Entry<String, String>> bearer(String token) {
        return List.of(Map.entry("Authorization", "Bearer " + token));
    }

    private JsonNode onlyReview() {
        assertThat(cluster.subjectAccessReviewSpecs).hasSize(1);
        return cluster.subjectAccessReviewSpecs.getFirst();
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static List<String> names(List<Principal> principals) {
        return principals.stream().map(Principal::getName).toList();
    }
}
