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
    private final ManualExecutor refresher = new ManualExecutor();

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
        return new SubjectAccessReviewAuthorizer(
                connection.client(), allowedTtl, deniedTtl, max, clock::get, refresher);
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

    // Refresh ahead: an entry used in the last fifth of its TTL is reviewed again in the background (the manual
    // executor runs those reviews when the test says, so a review counted while authorize() runs is one it waited for)

    @Test
    void aBusyKeyWaitsForNoReviewAfterTheFirst() {
        SubjectAccessReviewAuthorizer authorizer = authorizer(Duration.ofSeconds(10), Duration.ofSeconds(10), 100);
        Request create = get("team-a", "orders", "");
        assertThat(authorizer.authorize(create).allowed()).isTrue();
        assertThat(cluster.subjectAccessReviews).hasValue(1);

        for (int second = 1; second <= 100; second++) {
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
            int before = cluster.subjectAccessReviews.get();
            assertThat(authorizer.authorize(create).allowed()).isTrue();
            assertThat(cluster.subjectAccessReviews)
                    .as("at %d s the caller was answered from the cache", second)
                    .hasValue(before);
            refresher.runAll();
        }
        // one review per 8 s (refreshed at 80 % of the TTL), none of them waited for
        assertThat(cluster.subjectAccessReviews).hasValue(1 + 100 / 8);
    }

    @Test
    void oneRefreshPerEntryHowEverManyRequestsCome() {
        SubjectAccessReviewAuthorizer authorizer = authorizer(Duration.ofSeconds(10), Duration.ofSeconds(10), 100);
        Request create = get("team-a", "orders", "");
        authorizer.authorize(create);
        clock.addAndGet(Duration.ofSeconds(9).toNanos());
        for (int i = 0; i < 50; i++) {
            authorizer.authorize(create);
        }
        assertThat(refresher.pending()).isEqualTo(1);
        assertThat(refresher.runAll()).isEqualTo(1);
        assertThat(cluster.subjectAccessReviews).hasValue(2);
    }

    @Test
    void anEntryUsedEarlyInItsTtlIsNotRefreshed() {
        SubjectAccessReviewAuthorizer authorizer = authorizer(Duration.ofSeconds(10), Duration.ofSeconds(10), 100);
        Request create = get("team-a", "orders", "");
        authorizer.authorize(create);
        clock.addAndGet(Duration.ofSeconds(7).toNanos());
        authorizer.authorize(create);
        assertThat(refresher.pending()).isZero();
    }

    @Test
    void aRevokedPermissionIsNotServedPastItsTtlWhenTheRefreshIsLate() {
        SubjectAccessReviewAuthorizer authorizer = authorizer(Duration.ofSeconds(10), Duration.ofSeconds(10), 100);
        Request create = get("team-a", "orders", "");
        assertThat(authorizer.authorize(create).allowed()).isTrue();
        cluster.answerSubjectAccessReviews(spec -> SarAnswer.deny("revoked"));

        clock.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(authorizer.authorize(create).allowed())
                .as("within the TTL the cached answer is served, as without refresh")
                .isTrue();
        assertThat(refresher.pending())
                .as("a refresh is queued but has not run")
                .isEqualTo(1);

        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        Decision atTtl = authorizer.authorize(create);
        assertThat(atTtl.verdict()).as("at the TTL the caller asks again").isEqualTo(Verdict.DENY);
        assertThat(atTtl.reason()).isEqualTo("revoked");

        // the late refresh, when it comes, does not replace the newer entry
        cluster.answerSubjectAccessReviews(spec -> SarAnswer.allow(""));
        refresher.runAll();
        assertThat(authorizer.authorize(create).verdict()).isEqualTo(Verdict.DENY);
    }

    @Test
    void aRefreshBringsARevocationBeforeTheTtl() {
        SubjectAccessReviewAuthorizer authorizer = authorizer(Duration.ofSeconds(10), Duration.ofSeconds(10), 100);
        Request create = get("team-a", "orders", "");
        assertThat(authorizer.authorize(create).allowed()).isTrue();
        cluster.answerSubjectAccessReviews(spec -> SarAnswer.deny("revoked"));

        clock.addAndGet(Duration.ofSeconds(8).toNanos());
        authorizer.authorize(create);
        refresher.runAll();
        clock.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(authorizer.authorize(create).verdict()).isEqualTo(Verdict.DENY);
        assertThat(cluster.subjectAccessReviews).hasValue(2);
    }

    @Test
    void aFailedRefreshLetsTheEntryExpire() {
        SubjectAccessReviewAuthorizer authorizer = authorizer(Duration.ofSeconds(10), Duration.ofSeconds(10), 100);
        Request create = get("team-a", "orders", "");
        authorizer.authorize(create);

        clock.addAndGet(Duration.ofSeconds(9).toNanos());
        authorizer.authorize(create);
        cluster.failWith(403); // not retried: the review fails at once
        refresher.runAll();
        assertThat(cluster.failedCalls).hasValue(1);

        clock.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(authorizer.authorize(create).allowed())
                .as("the answer is still within its TTL")
                .isTrue();
        assertThat(refresher.pending()).as("no second refresh of that entry").isZero();

        clock.addAndGet(Duration.ofMillis(500).toNanos());
        Decision expired = authorizer.authorize(create);
        assertThat(expired.verdict())
                .as("no stale answer instead of the failure")
                .isEqualTo(Verdict.DENY);
        assertThat(expired.reason()).isEqualTo(SubjectAccessReviewAuthorizer.UNAVAILABLE);

        cluster.failWith(0);
        assertThat(authorizer.authorize(create).allowed()).isTrue();
    }

    @Test
    void anAnswerSlowerThanItsTtlIsNotServed() {
        SubjectAccessReviewAuthorizer authorizer = authorizer(Duration.ofSeconds(10), Duration.ofSeconds(10), 100);
        Request create = get("team-a", "orders", "");
        authorizer.authorize(create);

        clock.addAndGet(Duration.ofSeconds(9).toNanos());
        authorizer.authorize(create);
        // the refresh's review takes 11 s: its answer is older than its TTL when it arrives
        cluster.answerSubjectAccessReviews(spec -> {
            clock.addAndGet(Duration.ofSeconds(11).toNanos());
            return SarAnswer.allow("");
        });
        refresher.runAll();
        cluster.answerSubjectAccessReviews(spec -> SarAnswer.deny("revoked meanwhile"));

        assertThat(authorizer.authorize(create).verdict()).isEqualTo(Verdict.DENY);
    }

    @Test
    void theKeyIsWhatTheReviewAsks() {
        SubjectAccessReviewAuthorizer authorizer = authorizer(Duration.ofSeconds(60), Duration.ofSeconds(60), 100);
        Request create = get("team-a", "orders", "");
        authorizer.authorize(create);
        // the path of a resource request is not part of its review: the same answer
        authorizer.authorize(new Request(
                create.user(),
                true,
                create.verb(),
                create.group(),
                create.version(),
                create.resource(),
                create.subresource(),
                create.namespace(),
                create.name(),
                "/another/path"));
        assertThat(cluster.subjectAccessReviews).hasValue(1);
        // the path of a non-resource request is
        authorizer.authorize(Request.nonResource(ALICE, "get", "/openapi/v3"));
        authorizer.authorize(Request.nonResource(ALICE, "get", "/openapi/v2"));
        // as are the user's uid and extra
        authorizer.authorize(new Request(
                new UserInfo("alice", "uid-2", ALICE.groups(), ALICE.extra()),
                true,
                create.verb(),
                create.group(),
                create.version(),
                create.resource(),
                create.subresource(),
                create.namespace(),
                create.name(),
                create.path()));
        authorizer.authorize(new Request(
                new UserInfo("alice", ALICE.uid(), ALICE.groups(), Map.of("scopes.example.com", List.of("all"))),
                true,
                create.verb(),
                create.group(),
                create.version(),
                create.resource(),
                create.subresource(),
                create.namespace(),
                create.name(),
                create.path()));
        assertThat(cluster.subjectAccessReviews).hasValue(5);
    }
}
