package io.dbprovision.apiserver.auth.delegated;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.Credentials;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer.FakeUser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer tokens through TokenReview against a fake kube-apiserver: answers, the cache, audiences and outages. */
class TokenReviewAuthenticatorTest {
    private static final String SA_TOKEN = "service-account-token-of-dbprovision";

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
        cluster.acceptToken(
                "alice-token",
                new FakeUser(
                        "alice",
                        "uid-alice",
                        List.of("developers"),
                        Map.of("scopes.example.com", List.of("a", "b")),
                        List.of()));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private TokenReviewAuthenticator authenticator(List<String> audiences, Duration ttl) {
        return new TokenReviewAuthenticator(connection.client(), audiences, ttl, 100, clock::get, refresher);
    }

    private static Credentials bearer(String token) {
        return new Credentials(List.of(), Optional.of(token));
    }

    @Test
    void anAcceptedTokenIsTheUserTheReviewNames() {
        Optional<UserInfo> user =
                authenticator(List.of(), Duration.ofSeconds(10)).authenticate(bearer("alice-token"));

        assertThat(user).hasValueSatisfying(u -> {
            assertThat(u.name()).isEqualTo("alice");
            assertThat(u.uid()).isEqualTo("uid-alice");
            assertThat(u.groups()).containsExactly("developers");
            assertThat(u.extra()).containsEntry("scopes.example.com", List.of("a", "b"));
        });
        assertThat(cluster.tokenReviewSpecs.getFirst().path("token").asText()).isEqualTo("alice-token");
    }

    @Test
    void aRejectedTokenAuthenticatesNobody() {
        assertThat(authenticator(List.of(), Duration.ofSeconds(10)).authenticate(bearer("forged")))
                .isEmpty();
        assertThat(cluster.tokenReviews).hasValue(1);
    }

    @Test
    void noTokenAsksNothing() {
        TokenReviewAuthenticator authenticator = authenticator(List.of(), Duration.ofSeconds(10));
        assertThat(authenticator.authenticate(new Credentials(List.of(), Optional.empty())))
                .isEmpty();
        assertThat(authenticator.authenticate(bearer(""))).isEmpty();
        assertThat(authenticator.authenticate(bearer("x".repeat(TokenReviewAuthenticator.MAX_TOKEN_LENGTH + 1))))
                .isEmpty();
        assertThat(cluster.tokenReviews).hasValue(0);
    }

    @Test
    void answersAreCachedForTheTtlBothWays() {
        TokenReviewAuthenticator authenticator = authenticator(List.of(), Duration.ofSeconds(10));
        for (int i = 0; i < 5; i++) {
            assertThat(authenticator.authenticate(bearer("alice-token"))).isPresent();
            assertThat(authenticator.authenticate(bearer("forged"))).isEmpty();
        }
        assertThat(cluster.tokenReviews).as("one review per token").hasValue(2);

        clock.addAndGet(Duration.ofSeconds(9).toNanos());
        authenticator.authenticate(bearer("alice-token"));
        assertThat(cluster.tokenReviews).as("still cached at 9s").hasValue(2);

        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        authenticator.authenticate(bearer("alice-token"));
        authenticator.authenticate(bearer("forged"));
        assertThat(cluster.tokenReviews).as("reviewed again after the TTL").hasValue(4);
    }

    @Test
    void aZeroTtlCachesNothing() {
        TokenReviewAuthenticator authenticator = authenticator(List.of(), Duration.ZERO);
        authenticator.authenticate(bearer("alice-token"));
        authenticator.authenticate(bearer("alice-token"));
        assertThat(cluster.tokenReviews).hasValue(2);
    }

    @Test
    void aBurstOfTheSameTokenCostsOneReview() throws Exception {
        cluster.delayAnswers(Duration.ofMillis(300));
        TokenReviewAuthenticator authenticator = authenticator(List.of(), Duration.ofSeconds(10));
        List<Callable<Optional<UserInfo>>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(() -> authenticator.authenticate(bearer("alice-token")));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Optional<UserInfo>> result : pool.invokeAll(calls)) {
                assertThat(result.get()).isPresent();
            }
        }
        assertThat(cluster.tokenReviews).hasValue(1);
    }

    @Test
    void audiencesAreAskedForAndATokenForOtherAudiencesIsRefused() {
        cluster.acceptToken(
                "other-audience",
                new FakeUser("bob", "uid-bob", List.of(), Map.of(), List.of("https://vault.example.com")));
        TokenReviewAuthenticator authenticator =
                authenticator(List.of("https://dbprovision.example.com"), Duration.ofSeconds(10));

        assertThat(authenticator.authenticate(bearer("alice-token"))).isPresent();
        assertThat(cluster.tokenReviewSpecs.getFirst().path("audiences").get(0).asText())
                .isEqualTo("https://dbprovision.example.com");
        assertThat(authenticator.authenticate(bearer("other-audience"))).isEmpty();
    }

    @Test
    void aFailingKubeApiServerAuthenticatesNobodyAndIsNotCached() {
        TokenReviewAuthenticator authenticator = authenticator(List.of(), Duration.ofSeconds(10));
        cluster.failWith(503);
        assertThat(authenticator.authenticate(bearer("alice-token"))).isEmpty();
        assertThat(cluster.tokenReviews).as("the review was not reached").hasValue(0);

        cluster.failWith(0);
        assertThat(authenticator.authenticate(bearer("alice-token")))
                .as("failure not cached")
                .isPresent();
    }

    @Test
    void aStoppedKubeApiServerAuthenticatesNobodyWithoutThrowing() {
        TokenReviewAuthenticator authenticator = authenticator(List.of(), Duration.ofSeconds(10));
        cluster.close();
        long start = System.nanoTime();
        assertThat(authenticator.authenticate(bearer("alice-token"))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void ourOwnCredentialsRefusedIsNotAuthenticated() {
        cluster.rotateCallerToken("a-token-we-do-not-have");
        assertThat(authenticator(List.of(), Duration.ofSeconds(10)).authenticate(bearer("alice-token")))
                .isEmpty();
        assertThat(cluster.unauthorizedCalls).as("401 is not retried").hasValue(1);
    }

    @Test
    void theTokenNeverAppearsInTheLog() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            TokenReviewAuthenticator authenticator = authenticator(List.of(), Duration.ofSeconds(10));
            authenticator.authenticate(bearer("secret-token-value-1"));
            cluster.failWith(500);
            authenticator.authenticate(bearer("secret-token-value-2"));
            cluster.close();
            authenticator.authenticate(bearer("secret-token-value-3"));
        } finally {
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("TokenReview failed").doesNotContain("secret-token-value");
    }

    @Test
    void aBusyTokenIsRefreshedAheadAndARevokedOneStopsAtTheTtl() {
        TokenReviewAuthenticator authenticator = authenticator(List.of(), Duration.ofSeconds(10));
        assertThat(authenticator.authenticate(bearer("alice-token"))).isPresent();
        for (int second = 1; second <= 30; second++) {
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
            int before = cluster.tokenReviews.get();
            assertThat(authenticator.authenticate(bearer("alice-token"))).isPresent();
            assertThat(cluster.tokenReviews)
                    .as("at %d s answered from the cache", second)
                    .hasValue(before);
            refresher.runAll();
        }
        assertThat(cluster.tokenReviews).as("refreshed every 8 s").hasValue(1 + 30 / 8);

        // revoked; the refresh queued near the expiry does not run in time: the token stops at the TTL
        cluster.revokeToken("alice-token");
        clock.addAndGet(Duration.ofSeconds(3).toNanos()); // t = 33 s: last reviewed at 24 s, refresh due from 32 s
        assertThat(authenticator.authenticate(bearer("alice-token"))).isPresent();
        assertThat(refresher.pending()).isEqualTo(1);
        clock.addAndGet(Duration.ofSeconds(1).toNanos()); // t = 34 s: the answer of 24 s is 10 s old
        assertThat(authenticator.authenticate(bearer("alice-token"))).isEmpty();
    }
}
