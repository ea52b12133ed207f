package io.dbprovision.apiserver.storage;

import static io.dbprovision.apiserver.storage.PostgresReplicasTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.dbprovision.apiserver.storage.PostgresReplicasTest.Recorder;
import io.dbprovision.apiserver.storage.sql.PostgresBackend;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PostgreSQL going away and coming back under a running store (issue 3, outcome 6), on a private server this test
 * can stop ({@link TemporaryPostgres}): while it is down every operation fails with Unavailable within a second, the
 * store reports itself unhealthy and running watches end with Unavailable; once it is back the same store serves
 * again, nothing acknowledged is lost, and a watch resumes from the last version seen.
 */
class PostgresOutageTest {
    private static final String RESOURCE = "databases.dbops.dbprovision.io";
    private static final Duration FAIL_FAST = Duration.ofSeconds(1);

    private static TemporaryPostgres postgres;

    @BeforeAll
    static void startPrivatePostgres() throws Exception {
        Assumptions.assumeTrue(
                TemporaryPostgres.binaries().isPresent(),
                "no PostgreSQL binaries (initdb, pg_ctl, postgres) under /usr/lib/postgresql/<version>/bin: "
                        + "the outage test needs a private server it can stop");
        postgres = TemporaryPostgres.start();
    }

    @AfterAll
    static void stopPrivatePostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    /** {@code immediate}: PostgreSQL crashes (no shutdown checkpoint, WAL recovery at start); otherwise a fast stop. */
    @ParameterizedTest(name = "immediate stop: {0}")
    @ValueSource(booleans = {false, true})
    void whilePostgresIsDownEverythingFailsFastAndOnceBackTheSameStoreServesWithNothingLost(boolean immediate)
            throws Exception {
        String database = "outage_" + (immediate ? "immediate" : "fast");
        postgres.createDatabase(database);
        try (CachingStorage store = CachingStorage.open(
                new PostgresBackend(postgres.jdbcUrl(database), "postgres", ""), StorageSettings.defaults())) {
            StoredObject existing = store.create(key("existing"), bytes("v1"), Attributes.EMPTY);
            Recorder watch = new Recorder();
            store.watch(WatchOptions.from(RESOURCE, existing.resourceVersion()), watch);
            Writer writer = new Writer(store);
            writer.start();
            try {
                await(() -> writer.acknowledged.size() >= 20, "the writer to get going");

                postgres.stop(immediate);
                long stoppedAt = System.nanoTime();
                writer.outageStartedAt.set(stoppedAt);

                Map<String, Supplier<?>> operations = new LinkedHashMap<>();
                operations.put("watch", () -> store.watch(WatchOptions.from(RESOURCE, 0), new Recorder()));
                operations.put("get", () -> store.get(existing.key()));
                operations.put("list", () -> store.list(ListOptions.all(RESOURCE)));
                operations.put("create", () -> store.create(key("new"), bytes("new"), Attributes.EMPTY));
                operations.put(
                        "update",
                        () -> store.update(existing.key(), existing.resourceVersion(), bytes("v2"), Attributes.EMPTY));
                operations.put("delete", () -> store.delete(existing.key(), existing.resourceVersion()));
                operations.put(
                        "list from the cache",
                        () -> store.list(ListOptions.all(RESOURCE).at(0, ListOptions.Match.NOT_OLDER_THAN)));
                operations.put("currentResourceVersion", store::currentResourceVersion);
                operations.put(
                        "watch from a version",
                        () -> store.watch(WatchOptions.from(RESOURCE, existing.resourceVersion()), new Recorder()));
                Map<String, Long> millis = new LinkedHashMap<>();
                for (Map.Entry<String, Supplier<?>> operation : operations.entrySet()) {
                    Duration elapsed = assertFailsFastWithUnavailable(operation.getKey(), operation.getValue());
                    millis.put(operation.getKey(), elapsed.toMillis());
                }
                System.out.printf(
                        "outage (%s stop): ms for each operation to fail: %s%n",
                        immediate ? "immediate" : "fast", millis);
                assertThat(store.isHealthy())
                        .as("healthy while PostgreSQL is down")
                        .isFalse();
                await(() -> !watch.closed.isEmpty(), "the running watch to end");
                assertThat(watch.closed.getFirst())
                        .as("why the running watch ended")
                        .hasValueSatisfying(
                                cause -> assertThat(cause).isInstanceOf(StorageException.Unavailable.class));
                await(() -> writer.failuresDuringOutage.size() >= 3, "the writer to see the outage");

                postgres.startAgain();
                await(store::isHealthy, "the store to be healthy again");
                await(() -> writer.acknowledgedSinceRestart.get() >= 20, "the writer to write again");
            } finally {
                writer.stop();
            }

            assertThat(writer.unexpected).as("errors other than Unavailable").isEmpty();
            System.out.printf(
                    "outage (%s stop): %d writes acknowledged, %d failed during the outage, the slowest in %d ms%n",
                    immediate ? "immediate" : "fast",
                    writer.acknowledged.size(),
                    writer.failuresDuringOutage.size(),
                    writer.failuresDuringOutage.stream()
                            .mapToLong(Duration::toMillis)
                            .max()
                            .orElse(0));
            assertThat(writer.failuresDuringOutage)
                    .as("how long each write started during the outage took to fail")
                    .allSatisfy(elapsed -> assertThat(elapsed).isLessThan(FAIL_FAST));
            for (StoredObject written : writer.acknowledged.values()) {
                assertThat(store.get(written.key()).map(PostgresReplicasTest.View::of))
                        .as("acknowledged write of %s", written.key())
                        .contains(PostgresReplicasTest.View.of(written));
            }
            assertThat(store.list(ListOptions.all(RESOURCE)).items())
                    .extracting(PostgresReplicasTest.View::of)
                    .as("a list after the outage")
                    .containsAll(writer.acknowledged.values().stream()
                            .map(PostgresReplicasTest.View::of)
                            .toList());
            assertThat(store.get(existing.key()).map(PostgresReplicasTest.View::of))
                    .as("the object the failed update and delete were aimed at")
                    .contains(PostgresReplicasTest.View.of(existing));

            // A new watch from the last version the ended one saw delivers the rest, each change once, in order.
            long lastSeen = watch.lastRv();
            long now = store.currentResourceVersion();
            Recorder resumed = new Recorder();
            try (AutoCloseable handle = store.watch(WatchOptions.from(RESOURCE, lastSeen), resumed)) {
                await(() -> resumed.lastRv() >= now, "the resumed watch to reach resourceVersion " + now);
            }
            List<WatchEvent> all = new ArrayList<>(watch.events);
            all.addAll(resumed.events);
            assertThat(all)
                    .extracting(WatchEvent::resourceVersion)
                    .as("resourceVersions seen by the watch and its resumption")
                    .isSorted()
                    .doesNotHaveDuplicates();
            Set<Long> seen = new HashSet<>();
            all.forEach(event -> seen.add(event.resourceVersion()));
            assertThat(seen).containsAll(writer.acknowledged.keySet());
            for (WatchEvent event : all) {
                StoredObject written = writer.acknowledged.get(event.resourceVersion());
                if (written == null) {
                    // A write whose commit outcome the outage hid: it may be in the store, but it was never lost.
                    assertThat(writer.attempted).contains(event.object().key().name());
                } else {
                    assertThat(PostgresReplicasTest.View.of(event.object()))
                            .isEqualTo(PostgresReplicasTest.View.of(written));
                }
            }
        }
    }

    private static Duration assertFailsFastWithUnavailable(String operation, Supplier<?> call) {
        long start = System.nanoTime();
        try {
            Object result = call.get();
            if (result instanceof AutoCloseable watch) {
                try {
                    watch.close();
                } catch (Exception ignored) {
                    // it should not have started anyway
                }
            }
            return fail("%s succeeded while PostgreSQL is down: %s", operation, result);
        } catch (StorageException.Unavailable expected) {
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            assertThat(elapsed)
                    .as("time for %s to fail with Unavailable", operation)
                    .isLessThan(FAIL_FAST);
            return elapsed;
        }
    }

    /** Creates objects one after another for as long as it runs, keeping what was acknowledged and what failed. */
    private static final class Writer {
        final CachingStorage store;
        final Map<Long, StoredObject> acknowledged = new ConcurrentHashMap<>();
        final Set<String> attempted = ConcurrentHashMap.newKeySet();
        final List<Duration> failuresDuringOutage = new CopyOnWriteArrayList<>();
        final List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        final AtomicLong outageStartedAt = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong acknowledgedSinceRestart = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        Thread thread;

        Writer(CachingStorage store) {
            this.store = store;
        }

        void start() {
            thread = Thread.ofPlatform().name("outage-writer").start(() -> {
                for (int i = 0; running.get(); i++) {
                    String name = "w-" + i;
                    attempted.add(name);
                    long start = System.nanoTime();
                    try {
                        StoredObject created = store.create(key(name), bytes(name), Attributes.EMPTY);
                        acknowledged.put(created.resourceVersion(), created);
                        if (!failuresDuringOutage.isEmpty()) {
                            acknowledgedSinceRestart.incrementAndGet();
                        }
                    } catch (StorageException.Unavailable e) {
                        if (start > outageStartedAt.get()) {
                            failuresDuringOutage.add(Duration.ofNanos(System.nanoTime() - start));
                        }
                    } catch (RuntimeException e) {
                        unexpected.add(e);
                    }
                }
            });
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }

    private static ObjectKey key(String name) {
        return new ObjectKey(RESOURCE, "team-a", name);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
