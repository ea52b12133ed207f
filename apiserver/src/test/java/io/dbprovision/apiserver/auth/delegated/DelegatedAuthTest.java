package io.dbprovision.apiserver.auth.delegated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.apiserver.auth.Authorizer.Decision;
import io.dbprovision.apiserver.auth.Authorizer.Request;
import io.dbprovision.apiserver.auth.Authorizer.Verdict;
import io.dbprovision.apiserver.auth.Credentials;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer.FakeUser;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer.SarAnswer;
import io.dbprovision.apiserver.server.Pki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delegated chain as the server will run it, against a fake kube-apiserver: the front proxy trusted only with
 * the right certificate, client certificates from the cluster's CA, tokens, the ConfigMap followed as it changes,
 * the authorizer chain's short cuts, outages, in-cluster configuration and flags instead of the ConfigMap.
 */
class DelegatedAuthTest {
    private static final String SA_TOKEN = "service-account-token-of-dbprovision";
    private static final Duration DAY = Duration.ofDays(1);

    @TempDir
    Path dir;

    private final Pki.Issued clusterCa = Pki.newCa("cluster-client-ca", DAY);
    private final Pki.Issued frontProxyCa = Pki.newCa("front-proxy-ca", DAY);
    private final Pki.Issued frontProxy = Pki.newClient(frontProxyCa, "front-proxy-client", List.of(), DAY);
    private FakeKubeApiServer cluster;
    private DelegatedAuth auth;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeKubeApiServer.start(SA_TOKEN);
        cluster.putConfigMap(FakeKubeApiServer.configMapData(
                Optional.of(clusterCa), Optional.of(frontProxyCa), List.of("front-proxy-client")));
        cluster.acceptToken("alice-token", FakeUser.of("alice", "developers"));
    }

    @AfterEach
    void stop() {
        if (auth != null) {
            auth.close();
        }
        cluster.close();
    }

    private DelegatedAuth startAuth() throws Exception {
        return startAuth(DelegatedOptions.builder().kubeconfig(cluster.writeKubeconfig(dir, SA_TOKEN)));
    }

    private DelegatedAuth startAuth(DelegatedOptions.Builder options) {
        auth = DelegatedAuth.start(options.build());
        return auth;
    }

    private static Credentials proxied(Pki.Issued certificate, Map<String, List<String>> headers) {
        return new Credentials(List.of(certificate.certificate()), Optional.empty(), headers);
    }

    private static Map<String, List<String>> aliceViaProxy() {
        return Map.of(
                "x-remote-user", List.of("alice"),
                "x-remote-group", List.of("developers", "team-a"),
                "x-remote-extra-scopes", List.of("db", "read"),
                "x-remote-extra-acme.com%2fproject", List.of("orders"));
    }

    // --- front proxy -------------------------------------------------------------------------------------------

    @Test
    void theFrontProxyWithTheRightCertificateNamesTheUser() throws Exception {
        Optional<UserInfo> user = startAuth().authenticator().authenticate(proxied(frontProxy, aliceViaProxy()));

        assertThat(user).hasValueSatisfying(u -> {
            assertThat(u.name()).isEqualTo("alice");
            assertThat(u.groups()).containsExactly("developers", "team-a", "system:authenticated");
            assertThat(u.extra())
                    .containsEntry("scopes", List.of("db", "read"))
                    .containsEntry("acme.com/project", List.of("orders"));
        });
        assertThat(cluster.tokenReviews).hasValue(0);
    }

    @Test
    void proxyHeadersWithoutAClientCertificateAreIgnored() throws Exception {
        Credentials forged = new Credentials(List.of(), Optional.empty(), aliceViaProxy());
        assertThat(startAuth().authenticator().authenticate(forged)).isEmpty();
    }

    @Test
    void proxyHeadersWithACertificateFromAnotherCaAreIgnored() throws Exception {
        Pki.Issued foreignCa = Pki.newCa("front-proxy-ca", DAY); // same name, other key
        Pki.Issued impostor = Pki.newClient(foreignCa, "front-proxy-client", List.of(), DAY);
        assertThat(startAuth().authenticator().authenticate(proxied(impostor, aliceViaProxy())))
                .isEmpty();
    }

    @Test
    void proxyHeadersFromTheRequestHeaderCaWithANameNotAllowedAreIgnored() throws Exception {
        Pki.Issued otherClient = Pki.newClient(frontProxyCa, "some-other-client", List.of(), DAY);
        Optional<UserInfo> user = startAuth().authenticator().authenticate(proxied(otherClient, aliceViaProxy()));
        assertThat(user).isEmpty();
    }

    @Test
    void proxyHeadersWithAnExpiredOrNonClientCertificateAreIgnored() throws Exception {
        Pki.Issued expired = Pki.newClient(frontProxyCa, "front-proxy-client", List.of(), Duration.ofMinutes(-5));
        Pki.Issued serving = Pki.newServing(frontProxyCa, "front-proxy-client", List.of("localhost"), List.of(), DAY);
        DelegatedAuth started = startAuth();
        assertThat(started.authenticator().authenticate(proxied(expired, aliceViaProxy())))
                .isEmpty();
        assertThat(started.authenticator().authenticate(proxied(serving, aliceViaProxy())))
                .isEmpty();
    }

    @Test
    void aClusterUserSendingProxyHeadersIsThemselvesNotTheHeaders() throws Exception {
        Pki.Issued bob = Pki.newClient(clusterCa, "bob", List.of("qa"), DAY);
        Map<String, List<String>> headers =
                Map.of("x-remote-user", List.of("system:admin"), "x-remote-group", List.of("system:masters"));

        Optional<UserInfo> user = startAuth().authenticator().authenticate(proxied(bob, headers));

        assertThat(user).hasValueSatisfying(u -> {
            assertThat(u.name()).isEqualTo("bob");
            assertThat(u.groups()).containsExactly("qa", "system:authenticated");
        });
    }

    @Test
    void emptyAllowedNamesTrustAnyCertificateFromTheRequestHeaderCa() throws Exception {
        cluster.putConfigMap(
                FakeKubeApiServer.configMapData(Optional.of(clusterCa), Optional.of(frontProxyCa), List.of()));
        Pki.Issued otherClient = Pki.newClient(frontProxyCa, "some-other-client", List.of(), DAY);
        assertThat(startAuth().authenticator().authenticate(proxied(otherClient, aliceViaProxy())))
                .isPresent();
    }

    // --- client certificates and tokens ------------------------------------------------------------------------

    @Test
    void aClientCertificateFromTheClusterCaIsItsCnAndOs() throws Exception {
        Pki.Issued carol = Pki.newClient(clusterCa, "carol", List.of("ops", "oncall"), DAY);
        Optional<UserInfo> user = startAuth().authenticator().authenticate(proxied(carol, Map.of()));
        assertThat(user.map(UserInfo::name)).hasValue("carol");
        assertThat(user.get().groups()).containsExactly("ops", "oncall", "system:authenticated");
    }

    @Test
    void aBearerTokenIsReviewed() throws Exception {
        Optional<UserInfo> user =
                startAuth().authenticator().authenticate(new Credentials(List.of(), Optional.of("alice-token")));
        assertThat(user.map(UserInfo::name)).hasValue("alice");
        assertThat(cluster.tokenReviews).hasValue(1);
    }

    @Test
    void theAcceptedIssuersAreTheClientAndRequestHeaderCas() throws Exception {
        List<X509Certificate> issuers = startAuth().acceptedClientIssuers();
        assertThat(issuers).containsExactlyInAnyOrder(clusterCa.certificate(), frontProxyCa.certificate());
        assertThat(auth.requestHeaderNamesAndPrefixes())
                .containsExactly("x-remote-user", "x-remote-group", "x-remote-extra-");
    }

    // --- the ConfigMap, followed -------------------------------------------------------------------------------

    @Test
    void aNewRequestHeaderCaAndAllowedNamesTakeEffectWithoutRestart() throws Exception {
        DelegatedAuth started = startAuth();
        assertThat(started.authenticator().authenticate(proxied(frontProxy, aliceViaProxy())))
                .isPresent();

        Pki.Issued rotatedCa = Pki.newCa("front-proxy-ca-2", DAY);
        Pki.Issued rotatedProxy = Pki.newClient(rotatedCa, "aggregator", List.of(), DAY);
        cluster.putConfigMap(
                FakeKubeApiServer.configMapData(Optional.of(clusterCa), Optional.of(rotatedCa), List.of("aggregator")));

        Await.until(
                "the new front-proxy CA is trusted",
                () -> started.authenticator()
                        .authenticate(proxied(rotatedProxy, aliceViaProxy()))
                        .isPresent());
        assertThat(started.authenticator().authenticate(proxied(frontProxy, aliceViaProxy())))
                .as("the old CA is no longer trusted")
                .isEmpty();
        assertThat(cluster.configMapWatches.get()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aNewClientCaTakesEffectWithoutRestart() throws Exception {
        DelegatedAuth started = startAuth();
        Pki.Issued newCa = Pki.newCa("cluster-client-ca-2", DAY);
        Pki.Issued dave = Pki.newClient(newCa, "dave", List.of(), DAY);
        assertThat(started.authenticator().authenticate(proxied(dave, Map.of())))
                .isEmpty();

        cluster.putConfigMap(FakeKubeApiServer.configMapData(
                Optional.of(newCa), Optional.of(frontProxyCa), List.of("front-proxy-client")));

        Await.until(
                "the new client CA is trusted",
                () -> started.authenticator()
                        .authenticate(proxied(dave, Map.of()))
                        .isPresent());
        assertThat(started.acceptedClientIssuers()).contains(newCa.certificate());
    }

    @Test
    void aDeletedConfigMapTrustsNoProxyAnyMore() throws Exception {
        DelegatedAuth started = startAuth();
        assertThat(started.authenticator().authenticate(proxied(frontProxy, aliceViaProxy())))
                .isPresent();
        cluster.deleteConfigMap();
        Await.until(
                "nothing trusted once deleted",
                () -> started.authenticator()
                        .authenticate(proxied(frontProxy, aliceViaProxy()))
                        .isEmpty());
        assertThat(started.acceptedClientIssuers()).isEmpty();
    }

    @Test
    void aMissingConfigMapAtStartMeansTokensOnlyUntilItAppears() throws Exception {
        cluster.deleteConfigMap();
        DelegatedAuth started = startAuth();
        assertThat(started.authenticator().authenticate(proxied(frontProxy, aliceViaProxy())))
                .isEmpty();
        cluster.putConfigMap(FakeKubeApiServer.configMapData(
                Optional.of(clusterCa), Optional.of(frontProxyCa), List.of("front-proxy-client")));
        Await.until(
                "the ConfigMap is picked up",
                () -> started.authenticator()
                        .authenticate(proxied(frontProxy, aliceViaProxy()))
                        .isPresent());
    }

    @Test
    void theWatchResumesAfterTheKubeApiServerFailed() throws Exception {
        DelegatedAuth started = startAuth();
        Await.until("the watch is open", () -> cluster.configMapWatches.get() >= 1);
        cluster.failWith(503); // ends the open watch; watching again fails
        Await.until("the watcher met the failure", () -> cluster.failedCalls.get() >= 1);
        cluster.failWith(0);
        Pki.Issued rotatedCa = Pki.newCa("front-proxy-ca-3", DAY);
        Pki.Issued rotatedProxy = Pki.newClient(rotatedCa, "front-proxy-client", List.of(), DAY);
        cluster.putConfigMap(FakeKubeApiServer.configMapData(
                Optional.of(clusterCa), Optional.of(rotatedCa), List.of("front-proxy-client")));
        Await.until(
                "the change after the outage is followed",
                () -> started.authenticator()
                        .authenticate(proxied(rotatedProxy, aliceViaProxy()))
                        .isPresent());
    }

    // --- authorization -----------------------------------------------------------------------------------------

    @Test
    void systemMastersAndHealthPathsAreAllowedWithoutAReview() throws Exception {
        cluster.answerSubjectAccessReviews(spec -> SarAnswer.deny("no"));
        DelegatedAuth started = startAuth();
        UserInfo aggregator = new UserInfo("system:kube-aggregator", "", List.of("system:masters"), Map.of());
        UserInfo nobody = new UserInfo("system:anonymous", "", List.of("system:unauthenticated"), Map.of());

        assertThat(started.authorizer()
                        .authorize(Request.resource(
                                aggregator,
                                "delete",
                                "dbops.dbprovision.io",
                                "v1alpha1",
                                "databases",
                                "team-a",
                                "orders"))
                        .allowed())
                .isTrue();
        for (String path : List.of("/healthz", "/readyz", "/livez")) {
            assertThat(started.authorizer()
                            .authorize(Request.nonResource(nobody, "get", path))
                            .allowed())
                    .as(path)
                    .isTrue();
        }
        assertThat(cluster.subjectAccessReviews).hasValue(0);

        Decision other = started.authorizer().authorize(Request.nonResource(nobody, "get", "/healthz/../apis"));
        assertThat(other.verdict()).isEqualTo(Verdict.DENY);
        assertThat(started.authorizer()
                        .authorize(Request.nonResource(nobody, "get", "/healthzx"))
                        .allowed())
                .isFalse();
        assertThat(cluster.subjectAccessReviews).hasValue(2);
    }

    @Test
    void alwaysAllowPathsEndingInAStarArePrefixes() throws Exception {
        cluster.answerSubjectAccessReviews(spec -> SarAnswer.deny("no"));
        DelegatedAuth started = startAuth(DelegatedOptions.builder()
                .kubeconfig(cluster.writeKubeconfig(dir, SA_TOKEN))
                .authorizationAlwaysAllowPaths(List.of("/healthz", "/metrics/*")));
        UserInfo nobody = new UserInfo("someone", "", List.of(), Map.of());
        assertThat(started.authorizer()
                        .authorize(Request.nonResource(nobody, "get", "/metrics/x"))
                        .allowed())
                .isTrue();
        assertThat(started.authorizer()
                        .authorize(Request.nonResource(nobody, "get", "/readyz"))
                        .allowed())
                .isFalse();
        Request resourceNamedLikeAPath =
                new Request(nobody, true, "get", "", "v1", "metrics", "", "", "", "/metrics/x");
        assertThat(started.authorizer().authorize(resourceNamedLikeAPath).allowed())
                .isFalse();
    }

    @Test
    void aReviewThatHasNoOpinionIsDenied() throws Exception {
        DelegatedAuth started = startAuth();
        UserInfo alice = new UserInfo("alice", "", List.of(), Map.of());
        Decision decision = started.authorizer()
                .authorize(Request.resource(alice, "get", "dbops.dbprovision.io", "v1alpha1", "databases", "a", "b"));
        assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
        assertThat(decision.reason()).isEqualTo("no RBAC rule matched");
    }

    // --- outages and start-up ----------------------------------------------------------------------------------

    @Test
    void whenTheKubeApiServerIsDownTokensAreRefusedAndRequestsDeniedWithoutExceptions() throws Exception {
        DelegatedAuth started = startAuth();
        cluster.close();
        assertThat(started.authenticator().authenticate(new Credentials(List.of(), Optional.of("alice-token"))))
                .isEmpty();
        UserInfo alice = new UserInfo("alice", "", List.of(), Map.of());
        Decision decision = started.authorizer()
                .authorize(Request.resource(alice, "get", "dbops.dbprovision.io", "v1alpha1", "databases", "a", "b"));
        assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
        assertThat(decision.reason()).isEqualTo(SubjectAccessReviewAuthorizer.UNAVAILABLE);
        // what was already read keeps working
        assertThat(started.authenticator().authenticate(proxied(frontProxy, aliceViaProxy())))
                .isPresent();
    }

    @Test
    void anUnreadableConfigMapStopsTheStartUnlessTolerated() throws Exception {
        cluster.answerSubjectAccessReviews(spec -> SarAnswer.allow(""));
        cluster.rotateCallerToken("not-our-token");
        Path kubeconfig = cluster.writeKubeconfig(dir, SA_TOKEN);

        assertThatThrownBy(() -> startAuth(DelegatedOptions.builder().kubeconfig(kubeconfig)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("kube-system/extension-apiserver-authentication")
                .hasMessageContaining("HTTP 401")
                .hasMessageNotContaining(SA_TOKEN);

        DelegatedAuth tolerant =
                startAuth(DelegatedOptions.builder().kubeconfig(kubeconfig).authenticationTolerateLookupFailure(true));
        assertThat(tolerant.authenticator().authenticate(proxied(frontProxy, aliceViaProxy())))
                .isEmpty();
    }

    @Test
    void noKubeconfigAndNotInAClusterIsAClearError() {
        ClusterConnection.InCluster outside = ClusterConnection.InCluster.fromEnvironment(Map.of());
        assertThatThrownBy(() -> startAuth(DelegatedOptions.builder().inCluster(outside)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("--authentication-kubeconfig");
    }

    @Test
    void inClusterTheServiceAccountTokenIsUsedAndReReadWhenRotated() throws Exception {
        Path account = dir.resolve("serviceaccount");
        ClusterConnection.InCluster inCluster = cluster.writeServiceAccount(account, SA_TOKEN, Duration.ofMillis(200));
        DelegatedAuth started = startAuth(DelegatedOptions.builder().inCluster(inCluster));
        Credentials alice = new Credentials(List.of(), Optional.of("alice-token"));
        assertThat(started.authenticator().authenticate(alice)).isPresent();

        cluster.rotateCallerToken("rotated-token");
        Files.writeString(account.resolve("token"), "rotated-token");
        cluster.acceptToken("alice-token-2", FakeUser.of("alice"));
        Await.until(
                "the rotated token is used",
                () -> started.authenticator()
                        .authenticate(new Credentials(List.of(), Optional.of("alice-token-2")))
                        .isPresent());
    }

    @Test
    void flagsInsteadOfTheConfigMap() throws Exception {
        Path clientCaFile = dir.resolve("client-ca.crt");
        Path proxyCaFile = dir.resolve("front-proxy-ca.crt");
        Pki.Issued flagClientCa = Pki.newCa("flag-client-ca", DAY);
        Files.writeString(clientCaFile, flagClientCa.certificatePem());
        Files.writeString(proxyCaFile, frontProxyCa.certificatePem());
        int readsBefore = cluster.configMapReads.get();

        DelegatedAuth started = startAuth(DelegatedOptions.builder()
                .kubeconfig(cluster.writeKubeconfig(dir, SA_TOKEN))
                .clientCaFile(Optional.of(clientCaFile))
                .requestheaderClientCaFile(Optional.of(proxyCaFile))
                .requestheaderAllowedNames(List.of("front-proxy-client"))
                .requestheaderUsernameHeaders(List.of("X-Proxy-User"))
                .requestheaderGroupHeaders(List.of("X-Proxy-Group"))
                .requestheaderExtraHeadersPrefix(List.of("X-Proxy-Extra-")));

        assertThat(cluster.configMapReads.get()).as("the ConfigMap is not read").isEqualTo(readsBefore);
        Optional<UserInfo> user = started.authenticator()
                .authenticate(proxied(
                        frontProxy,
                        Map.of(
                                "x-proxy-user",
                                List.of("erin"),
                                "x-proxy-group",
                                List.of("g"),
                                "x-proxy-extra-k",
                                List.of("v"),
                                "x-remote-user",
                                List.of("mallory"))));
        assertThat(user.map(UserInfo::name)).hasValue("erin");
        assertThat(user.get().extra()).containsOnlyKeys("k");
        Pki.Issued frank = Pki.newClient(flagClientCa, "frank", List.of(), DAY);
        assertThat(started.authenticator()
                        .authenticate(proxied(frank, Map.of()))
                        .map(UserInfo::name))
                .hasValue("frank");
        Pki.Issued fromClusterCa = Pki.newClient(clusterCa, "grace", List.of(), DAY);
        assertThat(started.authenticator().authenticate(proxied(fromClusterCa, Map.of())))
                .isEmpty();
    }
}
