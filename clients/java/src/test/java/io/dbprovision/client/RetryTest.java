package io.dbprovision.client;

import static io.dbprovision.client.RunningPortal.database;
import static io.dbprovision.client.RunningPortal.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.client.errors.DeadlineExceededException;
import io.dbprovision.client.errors.UnavailableException;
import io.dbprovision.proto.v1alpha1.Database;
import io.grpc.ClientStreamTracer;
import io.grpc.Metadata;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls that change nothing are retried when the server is UNAVAILABLE, as the retry policy says; writes never are.
 * Attempts are counted by a stream tracer, which sees each attempt of a call (retries included).
 */
class RetryTest {
    @TempDir
    Path work;

    /** Counts attempts: gRPC makes one client stream per attempt. */
    private static final class Attempts extends ClientStreamTracer.Factory {
        final AtomicInteger count = new AtomicInteger();

        @Override
        public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
            count.incrementAndGet();
            return new ClientStreamTracer() {};
        }
    }

    private static DbProvisionClient toClosedPort(RetryPolicy policy, Attempts attempts) {
        return DbProvisionClient.builder()
                .endpoint("https://127.0.0.1:" + RunningPortal.freePort())
                .token("jsdk-token")
                .retryPolicy(policy)
                .streamTracer(attempts)
                .build();
    }

    @Test
    void aReadOfAClosedPortIsTriedAsOftenAsThePolicySaysThenUnavailable() {
        Attempts attempts = new Attempts();
        RetryPolicy threeQuick = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50), 2);
        try (DbProvisionClient client = toClosedPort(threeQuick, attempts)) {
            assertThatThrownBy(() -> client.databases().get("default", "orders"))
                    .isInstanceOf(UnavailableException.class);
            assertThat(attempts.count).hasValue(3);

            attempts.count.set(0);
            assertThatThrownBy(() -> client.databases().list("default")).isInstanceOf(UnavailableException.class);
            assertThat(attempts.count).hasValue(3);

            attempts.count.set(0);
            assertThatThrownBy(() -> client.connection("default", "orders-app", false))
                    .isInstanceOf(UnavailableException.class);
            assertThat(attempts.count).hasValue(3);
        }
    }

    @Test
    void writesAreNeverRetried() {
        Attempts attempts = new Attempts();
        RetryPolicy threeQuick = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50), 2);
        try (DbProvisionClient client = toClosedPort(threeQuick, attempts)) {
            assertThatThrownBy(() -> client.databases().create(database("default", "orders")))
                    .isInstanceOf(UnavailableException.class);
            assertThat(attempts.count).hasValue(1);

            attempts.count.set(0);
            assertThatThrownBy(() -> client.databases().delete("default", "orders"))
                    .isInstanceOf(UnavailableException.class);
            assertThat(attempts.count).hasValue(1);
        }
    }

    @Test
    void withoutAPolicyAReadIsTriedOnce() {
        Attempts attempts = new Attempts();
        try (DbProvisionClient client = toClosedPort(RetryPolicy.none(), attempts)) {
            assertThatThrownBy(() -> client.databases().get("default", "orders"))
                    .isInstanceOf(UnavailableException.class);
            assertThat(attempts.count).hasValue(1);
        }
    }

    @Test
    void retriesEndAtTheCallsDeadline() {
        RetryPolicy patient = new RetryPolicy(5, Duration.ofSeconds(5), Duration.ofSeconds(5), 1);
        try (DbProvisionClient client = DbProvisionClient.builder()
                .endpoint("https://127.0.0.1:" + RunningPortal.freePort())
                .retryPolicy(patient)
                .timeout(Duration.ofMillis(300))
                .build()) {
            assertThatThrownBy(() -> client.databases().get("default", "orders"))
                    .isInstanceOfAny(DeadlineExceededException.class, UnavailableException.class);
        }
    }

    @Test
    void aReadSpanningAServerRestartSucceeds() throws Exception {
        try (RunningPortal portal = RunningPortal.apiOnly(work)) {
            Attempts attempts = new Attempts();
            String name = unique("restart");
            try (DbProvisionClient client = DbProvisionClient.builder()
                    .config(io.dbprovision.client.config.KubeconfigReader.read(
                            portal.kubeconfig(), java.util.Optional.empty()))
                    .retryPolicy(new RetryPolicy(10, Duration.ofSeconds(1), Duration.ofSeconds(3), 1.5))
                    .timeout(Duration.ofSeconds(60))
                    .streamTracer(attempts)
                    .build()) {
                client.databases().create(database("default", name));
                portal.stop();

                attempts.count.set(0);
                CompletableFuture<Database> read =
                        CompletableFuture.supplyAsync(() -> client.databases().get("default", name));
                // The first attempt fails on the stopped server; then the server comes back on the same port.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (attempts.count.get() == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                portal.restart();

                assertThat(read.get(60, TimeUnit.SECONDS).getMetadata().getName())
                        .isEqualTo(name);
                assertThat(attempts.count.get()).isGreaterThan(1);
            }
        }
    }
}
