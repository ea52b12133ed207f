package io.dbprovision.apiserver.auth.delegated;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbprovision.apiserver.auth.Authorizer.Decision;
import io.dbprovision.apiserver.auth.Authorizer.Request;
import io.dbprovision.apiserver.auth.Authorizer.Verdict;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer.SarAnswer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authorization through SubjectAccessReview against a fake kube-apiserver: the review sent, answers, the cache. */
class SubjectAccessReviewAuthorizerTest {
    private static final String SA_TOKEN = "service-account-token-of-dbprovision";
    private static final UserInfo ALICE = new UserInfo(
            "alice",
            "uid-alice",
            List.of("developers", "system:authenticated"),
            Map.of("scopes.example.com", List.of("db")));

    @TempDir
    Path dir;

    private FakeKubeApiServer cluster;
    private ClusterConnection connection;
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    @BeforeEach
    void start() throws Exception {
        cluster = FakeKubeApiServer.start(SA_TOKEN);
        connection = ClusterConnection.fromKubeconfig(cluster.writeKubeconfig(dir, SA_TOKEN), Duration.ofSeconds(5));
        // alice may get and list databases in team-a; deleting anything is explicitly denied
        cluster.answerSubjectAccessReviews(spec -> {
            JsonNode attributes = spec.path("resourceAttributes");
            if (attributes.path("verb").asText().equals("delete")) {
                return SarAnswer.deny("deleting is forbidden by policy");
            }
            if (spec.path("user").asText().equals("alice")
                    && attributes.path("namespace").asText().equals("team-a")
                    && List.of("get", "list").contains(attributes.path("verb").asText())) {
                return SarAnswer.allow("RBAC: allowed by RoleBinding \"dev/team-a\"");
            }
            return SarAnswer.noOpinion("");
        });
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private SubjectAccessReviewAuthorizer authorizer(Duration allowedTtl, Duration deniedTtl, int max) {
        return new SubjectAccessReviewAuthorizer(connection.client(), allowedTtl, deniedTtl, max, clock::get);
    }

    private static Request get(String namespace, String name, String subresource) {
        return new Request(
                ALICE,
                true,
                "get",
                "dbops.dbprovision.io",
                "v1alpha1",
                "databases",
                subresource,
                namespace,
                name,
                "/apis/dbops.dbprovision.io/v1alpha1/namespaces/" + namespace + "/databases/" + name);
    }

    @Test
    void aResourceRequestIsReviewedWithAllItsAttributes() {
        Decision decision = authorizer(Duration.ofSeconds(10), Duration.ofSeconds(10), 100)
                .authorize(get("team-a", "orders", "status"));

        assertThat(decision.verdict()).isEqualTo(Verdict.ALLOW);
        JsonNode spec = cluster.subjectAccessReviewSpecs.getFirst();
        assertThat(spec.path("user").asText()).isEqualTo("alice");
        assertThat(spec.path("uid").asText()).isEqualTo("uid-alice");
        assertThat(spec.path("groups").toString()).isEqualTo("[\"developers\",\"system:authenticated\"]");
        assertThat(spec.path("extra").path("scopes.example.com").toString()).isEqualTo("[\"db\"]");
        JsonNode attributes = spec.path("resourceAttributes");
        assertThat(attributes.path("verb").asText()).isEqualTo("get");
        assertThat(attributes.path("group").asText()).isEqualTo("dbops.dbprovision.io");
        assertThat(attributes.path("version").asText()).isEqualTo("v1alpha1");
        assertThat(attributes.path("resource").asText()).isEqualTo("databases");
        assertThat(attributes.path("subresource").asText()).isEqualTo("status");
        assertThat(attributes.path("namespace").asText()).isEqualTo("team-a");
        assertThat(attributes.path("name").asText()).isEqualTo("orders");
        assertThat(spec.has("nonResourceAttributes")).isFalse();
    }

    @Test
    void aNonResourceRequestIsReviewedByPathAndVerb() {
        cluster.answerSubjectAccessReviews(spec -> SarAnswer.allow(""));
        Decision decision = authorizer(Duration.ofSeconds(10), Duration.ofSeconds(10), 100)
                .authorize(Request.nonResource(ALICE, "get", "/openapi/v3"));

        assertThat(decision.allowed()).isTrue();
        JsonNode spec = cluster.subjectAccessReviewSpecs.getFirst();
        assertThat(spec.path("nonResourceAttributes").path("path").asText()).isEqualTo("/openapi/v3");
        assertThat(spec.path("nonResourceAttributes").path("verb").asText()).isEqualTo("get");
        assertThat(spec.has("resourceAttributes")).isFalse();
    }

    @Test
    void aDeniedReviewDeniesWithItsReason() {
        Decision decision = authorizer(Duration.ofSeconds(10), Duration.ofSeconds(10), 100)
                .authorize(new Request(
                        ALICE,
                        true,
                        "delete",
                        "dbops.dbprovision.io",
                        "v1alpha1",
                        "databases",
                        "",
                        "team-a",
                        "orders",
                        ""));
        assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
        assertThat(decision.reason()).isEqualTo("deleting is forbidden by policy");
    }

    @Test
    void aReviewWithoutVerdictIsNoOpinion() {
        Decision decision =
                authorizer(Duration.ofSeconds(10), Duration.ofSeconds(10), 100).authorize(get("team-b", "orders", ""));
        assertThat(decision.verdict()).isEqualTo(Verdict.NO_OPINION);
    }

    @Test
    void allowedAndDeniedAnswersAreCachedForTheirOwnTtl() {
        SubjectAccessReviewAuthorizer authorizer = authorizer(Duration.ofSeconds(60), Duration.ofSeconds(5), 100);
        Request allowed = get("team-a", "orders", "");
        Request refused = get("team-b", "orders", "");
        for (int i = 0; i < 5; i++) {
            assertThat(authorizer.authorize(allowed).allowed()).isTrue();
            assertThat(authorizer.authorize(refused).allowed()).isFalse();
        }
        assertThat(cluster.subjectAccessReviews).hasValue(2);

        clock.addAndGet(Duration.ofSeconds(6).toNanos());
        authorizer.authorize(allowed);
        authorizer.authorize(refused);
        assertThat(cluster.subjectAccessReviews).as("only the refusal expired").hasValue(3);

        clock.addAndGet(Duration.ofSeconds(60).toNanos());
        authorizer.authorize(allowed);
        assertThat(cluster.subjectAccessReviews).hasValue(4);
    }

    @Test
    void anyDifferenceInTheRequestIsAnotherReview() {
        SubjectAccessReviewAuthorizer authorizer = authorizer(Duration.ofSeconds(60), Duration.ofSeconds(60), 100);
        authorizer.authorize(get("team-a", "orders", ""));
        authorizer.authorize(get("team-a", "orders", "status"));
        authorizer.authorize(get("team-a", "invoices", ""));
        UserInfo otherGroups = new UserInfo("alice", "uid-alice", List.of("admins"), ALICE.extra());
        Request r = get("team-a", "orders", "");
        authorizer.authorize(new Request(
                otherGroups,
                true,
                r.verb(),
                r.group(),
                r.version(),
                r.resource(),
                r.subresource(),
                r.namespace(),
                r.name(),
                r.path()));
        assertThat(cluster.subjectAccessReviews).hasValue(4);
    }

    @Test
    void theCacheIsBounded() {
        SubjectAccessReviewAuthorizer authorizer = authorizer(Duration.ofMinutes(10), Duration.ofMinutes(10), 50);
        for (int i = 0; i < 500; i++) {
            authorizer.authorize(get("team-a", "db-" + i, ""));
        }
        assertThat(cluster.subjectAccessReviews).hasValue(500);
        // a recent answer is still served from the cache, an old one was dropped
        authorizer.authorize(get("team-a", "db-499", ""));
        assertThat(cluster.subjectAccessReviews).hasValue(500);
    }

    @Test
    void aFailingKubeApiServerDeniesWithAPlainReasonAndIsNotCached() {
        SubjectAccessReviewAuthorizer authorizer = authorizer(Duration.ofSeconds(60), Duration.ofSeconds(60), 100);
        cluster.failWith(500);
        Decision decision = authorizer.authorize(get("team-a", "orders", ""));
        assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
        assertThat(decision.reason())
                .isEqualTo(SubjectAccessReviewAuthorizer.UNAVAILABLE)
                .doesNotContain("500", "Exception", "127.0.0.1");

        cluster.failWith(0);
        assertThat(authorizer.authorize(get("team-a", "orders", "")).allowed()).isTrue();
    }

    @Test
    void aStoppedKubeApiServerDenies() {
        SubjectAccessReviewAuthorizer authorizer = authorizer(Duration.ofSeconds(60), Duration.ofSeconds(60), 100);
        cluster.close();
        Decision decision = authorizer.authorize(get("team-a", "orders", ""));
        assertThat(decision.verdict()).isEqualTo(Verdict.DENY);
        assertThat(decision.reason()).isEqualTo(SubjectAccessReviewAuthorizer.UNAVAILABLE);
    }
}
