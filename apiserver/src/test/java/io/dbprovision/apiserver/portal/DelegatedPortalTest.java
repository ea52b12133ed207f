package io.dbprovision.apiserver.portal;

import static io.dbprovision.apiserver.portal.PortalChannels.bearer;
import static io.dbprovision.apiserver.portal.PortalChannels.code;
import static io.dbprovision.apiserver.portal.PortalChannels.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.delegated.ClusterConnection;
import io.dbprovision.apiserver.auth.delegated.DelegatedOptions;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer.FakeUser;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer.SarAnswer;
import io.dbprovision.apiserver.server.DelegatedServer;
import io.dbprovision.apiserver.server.Pki;
import io.dbprovision.apiserver.server.StorageChoice;
import io.dbprovision.proto.portal.v1alpha1.DatabasesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.ListDatabasesRequest;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The portal API of a server in a cluster ({@code dbprovision serve --portal-port}): a bearer token is the user the
 * kube-apiserver's TokenReview says, and each call is allowed by a SubjectAccessReview of its REST equivalent — the
 * same delegation as the HTTPS port, against a fake kube-apiserver that speaks both reviews' real JSON.
 */
class DelegatedPortalTest {
    private static final String SA_TOKEN = "service-account-token-of-dbprovision";
    private static final Duration DAY = Duration.ofDays(1);

    @TempDir
    Path dir;

    private final Pki.Issued servingCa = Pki.newCa("dbprovision-serving-ca", DAY);
    private FakeKubeApiServer cluster;
    private DelegatedServer server;
    private PortalChannels channels;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeKubeApiServer.start(SA_TOKEN);
        cluster.putConfigMap(FakeKubeApiServer.configMapData(Optional.empty(), Optional.empty(), List.of()));
        cluster.acceptToken("alice-token", FakeUser.of("alice", "developers"));
        cluster.acceptToken("mallory-token", FakeUser.of("mallory"));
        cluster.answerSubjectAccessReviews(spec -> spec.path("user").asText().equals("mallory")
                ? SarAnswer.deny("no RBAC policy matched")
                : SarAnswer.allow("RBAC: allowed by ClusterRoleBinding \"dbops-users\""));

        Path certificate = dir.resolve("tls/tls.crt");
        Path key = dir.resolve("tls/tls.key");
        Pki.Issued serving =
                Pki.newServing(servingCa, "dbprovision-apiserver", List.of("localhost"), List.of("127.0.0.1"), DAY);
        Files.createDirectories(certificate.getParent());
        Files.writeString(key, serving.keyPem());
        Files.writeString(certificate, serving.certificatePem() + servingCa.certificatePem());
        Path ca = dir.resolve("serving-ca.crt");
        Files.writeString(ca, servingCa.certificatePem());

        ClusterConnection.InCluster inCluster =
                cluster.writeServiceAccount(dir.resolve("serviceaccount"), SA_TOKEN, Duration.ofMinutes(1));
        server = DelegatedServer.start(DelegatedServer.Options.of(
                        new StorageChoice.Embedded(dir.resolve("data"), false),
                        DelegatedOptions.builder().inCluster(inCluster).build())
                .withListen("127.0.0.1", 0)
                .withPortal("127.0.0.1", 0)
                .withServing(DelegatedServer.Serving.files(certificate, key).withCheckInterval(Duration.ZERO)));
        channels = new PortalChannels(server.portalPort().orElseThrow(), ca);
    }

    @AfterEach
    void stop() {
        if (channels != null) {
            channels.close();
        }
        if (server != null) {
            server.close();
        }
        cluster.close();
    }

    @Test
    void aTokenTheClusterReviewsIsTheCallerAndTheCallIsAuthorizedAsItsRestEquivalent() {
        var databases = bearer(DatabasesServiceGrpc.newBlockingStub(channels.anonymous()), "alice-token");

        var list = databases.listDatabases(
                ListDatabasesRequest.newBuilder().setParent("namespaces/ns").build());

        assertThat(list.getDatabasesCount()).isZero();
        assertThat(cluster.tokenReviews).hasValue(1);
        assertThat(cluster.subjectAccessReviewSpecs).hasSize(1);
        var review = cluster.subjectAccessReviewSpecs.getFirst();
        assertThat(review.path("user").asText()).isEqualTo("alice");
        assertThat(review.path("resourceAttributes").path("verb").asText()).isEqualTo("list");
        assertThat(review.path("resourceAttributes").path("resource").asText()).isEqualTo("databases");
        assertThat(review.path("resourceAttributes").path("group").asText()).isEqualTo("dbops.dbprovision.io");
        assertThat(review.path("resourceAttributes").path("namespace").asText()).isEqualTo("ns");
    }

    @Test
    void aDeniedReviewIsPermissionDeniedNamingTheMissingPermission() {
        var databases = bearer(DatabasesServiceGrpc.newBlockingStub(channels.anonymous()), "mallory-token");

        var denied = failure(() -> databases.listDatabases(
                ListDatabasesRequest.newBuilder().setParent("namespaces/ns").build()));

        assertThat(code(denied)).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(Status.fromThrowable(denied).getDescription())
                .contains("User \"mallory\" cannot list resource \"databases\" in API group \"dbops.dbprovision.io\"")
                .contains("in the namespace \"ns\"");
    }

    @Test
    void aTokenTheClusterDoesNotKnowIsUnauthenticatedAndNothingIsAuthorized() {
        var databases = bearer(DatabasesServiceGrpc.newBlockingStub(channels.anonymous()), "nobody's-token");

        var refused = failure(() -> databases.listDatabases(
                ListDatabasesRequest.newBuilder().setParent("namespaces/ns").build()));

        assertThat(code(refused)).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(cluster.tokenReviews).hasValue(1);
        assertThat(cluster.subjectAccessReviews).hasValue(0);
    }
}
