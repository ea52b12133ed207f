package io.dbprovision.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbprovision.apiserver.auth.delegated.ClusterConnection;
import io.dbprovision.apiserver.auth.delegated.DelegatedOptions;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer.FakeUser;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer.SarAnswer;
import io.dbprovision.apiserver.registry.RecordingSubresourceReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A computed subresource in delegated mode: the request is authorized by a SubjectAccessReview of the cluster (a fake
 * kube-apiserver here) for verb get on resource databaseusers with subresource credentials, so a cluster RBAC rule on
 * {@code databaseusers} alone does not open it, and one on {@code databaseusers/credentials} does.
 */
class DelegatedSubresourceTest {
    private static final String SA_TOKEN = "service-account-token-of-dbprovision";
    private static final Duration DAY = Duration.ofDays(1);
    private static final String CREDENTIALS =
            "/apis/dbops.dbprovision.io/v1alpha1/namespaces/team-a/databaseusers/app/credentials";

    @TempDir
    Path dir;

    private final Pki.Issued servingCa = Pki.newCa("dbprovision-serving-ca", DAY);
    private final RecordingSubresourceReader reader = RecordingSubresourceReader.credentials()
            .answering("team-a", "app", RecordingSubresourceReader.credentialsOf("app", "delegated-secret"));
    private FakeKubeApiServer cluster;
    private DelegatedServer server;
    private TlsClient client;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeKubeApiServer.start(SA_TOKEN);
        cluster.putConfigMap(
                FakeKubeApiServer.configMapData(Optional.empty(), Optional.empty(), List.of("front-proxy-client")));
        cluster.acceptToken("users-token", FakeUser.of("user-reader"));
        cluster.acceptToken("credentials-token", FakeUser.of("credentials-reader"));
        // As the cluster's RBAC would answer: user-reader has get on databaseusers, credentials-reader on
        // databaseusers/credentials.
        cluster.answerSubjectAccessReviews(spec -> {
            JsonNode attributes = spec.path("resourceAttributes");
            String resource = attributes.path("resource").asText()
                    + (attributes.path("subresource").asText().isEmpty()
                            ? ""
                            : "/" + attributes.path("subresource").asText());
            String granted = switch (spec.path("user").asText()) {
                case "user-reader" -> "databaseusers";
                case "credentials-reader" -> "databaseusers/credentials";
                default -> "";
            };
            return attributes.path("verb").asText().equals("get") && resource.equals(granted)
                    ? SarAnswer.allow("RBAC: allowed by RoleBinding \"" + granted + "\"")
                    : SarAnswer.noOpinion("");
        });
        Path certificate = dir.resolve("tls/tls.crt");
        Path key = dir.resolve("tls/tls.key");
        Pki.Issued serving =
                Pki.newServing(servingCa, "dbprovision-apiserver", List.of("localhost"), List.of("127.0.0.1"), DAY);
        Files.createDirectories(certificate.getParent());
        Files.writeString(key, serving.keyPem());
        Files.writeString(certificate, serving.certificatePem() + servingCa.certificatePem());
        ClusterConnection.InCluster inCluster =
                cluster.writeServiceAccount(dir.resolve("serviceaccount"), SA_TOKEN, Duration.ofMinutes(1));
        server = DelegatedServer.start(DelegatedServer.Options.of(
                        new StorageChoice.Embedded(dir.resolve("data"), false),
                        DelegatedOptions.builder().inCluster(inCluster).build())
                .withListen("127.0.0.1", 0)
                .withServing(DelegatedServer.Serving.files(certificate, key).withCheckInterval(Duration.ZERO))
                .withSubresource(reader.served()));
        client = TlsClient.anonymous(servingCa.certificate());
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        cluster.close();
    }

    @Test
    void theReviewAsksForGetOnTheCredentialsSubresource() {
        TlsClient.Response response = client.get(url(CREDENTIALS), bearer("credentials-token"));

        assertThat(response.code()).as("%s", response).isEqualTo(200);
        assertThat(response.json().path("password").asText()).isEqualTo("delegated-secret");
        assertThat(cluster.subjectAccessReviewSpecs).hasSize(1);
        JsonNode attributes = cluster.subjectAccessReviewSpecs.getFirst().path("resourceAttributes");
        assertThat(attributes.path("verb").asText()).isEqualTo("get");
        assertThat(attributes.path("group").asText()).isEqualTo("dbops.dbprovision.io");
        assertThat(attributes.path("version").asText()).isEqualTo("v1alpha1");
        assertThat(attributes.path("resource").asText()).isEqualTo("databaseusers");
        assertThat(attributes.path("subresource").asText()).isEqualTo("credentials");
        assertThat(attributes.path("namespace").asText()).isEqualTo("team-a");
        assertThat(attributes.path("name").asText()).isEqualTo("app");
    }

    @Test
    void whoMayGetDatabaseUsersIsRefusedTheirCredentials() {
        TlsClient.Response response = client.get(url(CREDENTIALS), bearer("users-token"));

        assertThat(response.code()).as("%s", response).isEqualTo(403);
        assertThat(response.json().path("message").asText())
                .contains("cannot get resource \"databaseusers/credentials\"");
        assertThat(response.body()).doesNotContain("delegated-secret");
        assertThat(reader.calls()).isEmpty();
        // the same user may read the user itself (404, not 403: no such DatabaseUser is stored), so the rule is in
        // force
        assertThat(client.get(url(CREDENTIALS.replace("/credentials", "")), bearer("users-token"))
                        .code())
                .isEqualTo(404);
    }

    private String url(String path) {
        return "https://127.0.0.1:" + server.port() + path;
    }

    private static List<Map.Entry<String, String>> bearer(String token) {
        return List.of(Map.entry("Authorization", "Bearer " + token));
    }
}
