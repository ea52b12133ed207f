package io.dbprovision.apiserver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;

import io.dbprovision.apiserver.storage.sql.PostgresBackend;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two API server replicas on one PostgreSQL database (a fresh one per test on the machine's server, 127.0.0.1:5432,
 * or {@code -Ddbprovision.test.postgres}): each sees the other's writes in its watches, in order and once, reads
 * are consistent across them, and preconditions hold across them.
 */
class PostgresReplicasTest {
    private static final String SERVER = System.getProperty("dbprovision.test.postgres", "//127.0.0.1:5432/");
    private static final String USER = "postgres";
    private static final String RESOURCE = "databases.dbops.dbprovision.io";

    private String database;
    private CachingStorage a;
    private CachingStorage b;

    @BeforeEach
    void openTwoReplicasOnAFreshDatabase() {
        database =
                "dbp_replicas_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        admin("CREATE DATABASE " + database);
        a = open();
        b = open();
    }

    @AfterEach
    void closeAndDrop() {
        for (CachingStorage replica : new CachingStorage[] {a, b}) {
            if (replica != null) {
                replica.close();
            }
        }
        admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    @Test
    void watchesOnBothReplicasSeeEveryWriteOfBothOnceAndInOrder() throws Exception {
        Recorder onA = new Recorder();
        Recorder onB = new Recorder();
        AutoCloseable watchA = a.watch(WatchOptions.from(RESOURCE, 0), onA);
        AutoCloseable watchB = b.watch(WatchOptions.from(RESOURCE, 0), onB);

        Map<Long, WatchEvent> acknowledged = new ConcurrentHashMap<>(); // rv -> the event the write must produce
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = List.of(
                    writers.submit(() -> writeMix(a, "a", acknowledged)),
                    writers.submit(() -> writeMix(b, "b", acknowledged)));
            for (Future<?> writer : done) {
                writer.get(60, TimeUnit.SECONDS);
            }
        } finally {
            writers.shutdownNow();
        }
        long last =
                acknowledged.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(acknowledged)
                .as("one resourceVersion per acknowledged write")
                .hasSize((int) last);

        for (Recorder recorder : List.of(onA, onB)) {
            await(() -> recorder.lastRv() >= last, "a watch reaching resourceVersion " + last);
            List<WatchEvent> events = List.copyOf(recorder.events);
            assertThat(events)
                    .extracting(WatchEvent::resourceVersion)
                    .as("resourceVersions of the events")
                    .isSorted()
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(acknowledged.keySet());
            for (WatchEvent event : events) {
                WatchEvent expected = acknowledged.get(event.resourceVersion());
                assertThat(event.type())
                        .as("event at %d", event.resourceVersion())
                        .isEqualTo(expected.type());
                assertThat(event.object().key()).isEqualTo(expected.object().key());
                assertThat(event.object().value()).isEqualTo(expected.object().value());
            }
            assertThat(recorder.closed).as("the watches are still running").isEmpty();
        }
        watchA.close();
        watchB.close();
    }

    /** Creates, updates and deletes objects of its own on one replica while the other replica does the same. */
    private static void writeMix(CachingStorage replica, String name, Map<Long, WatchEvent> acknowledged) {
        List<StoredObject> live = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            int kind = i % 5;
            if (kind < 2 || live.isEmpty()) {
                StoredObject created = replica.create(key(name + "-" + i), bytes(name + i), Attributes.EMPTY);
                live.add(created);
                acknowledged.put(created.resourceVersion(), event(WatchEvent.Type.ADDED, created));
            } else if (kind < 4) {
                StoredObject current = live.removeFirst();
                StoredObject updated =
                        replica.update(current.key(), current.resourceVersion(), bytes(name + i), Attributes.EMPTY);
                live.add(updated);
                acknowledged.put(updated.resourceVersion(), event(WatchEvent.Type.MODIFIED, updated));
            } else {
                StoredObject current = live.removeFirst();
                StoredObject deleted = replica.delete(current.key(), current.resourceVersion());
                acknowledged.put(deleted.resourceVersion(), event(WatchEvent.Type.DELETED, deleted));
            }
        }
    }

    @Test
    void aWriteOnOneReplicaIsVisibleToTheNextReadOnTheOther() {
        for (int i = 0; i < 30; i++) {
            ObjectKey key = key("read-" + i);
            StoredObject created = a.create(key, bytes("v1"), Attributes.EMPTY);
            assertThat(b.get(key).map(View::of))
                    .as("get on B right after a create on A")
                    .contains(View.of(created));
            assertThat(b.list(ListOptions.all(RESOURCE)).items())
                    .extracting(View::of)
                    .contains(View.of(created));
            assertThat(b.currentResourceVersion()).isGreaterThanOrEqualTo(created.resourceVersion());

            StoredObject updated = b.update(key, created.resourceVersion(), bytes("v2"), Attributes.EMPTY);
            assertThat(a.get(key).map(View::of))
                    .as("get on A right after an update on B")
                    .contains(View.of(updated));

            a.delete(key, updated.resourceVersion());
            assertThat(b.get(key).map(View::of))
                    .as("get on B right after a delete on A")
                    .isEmpty();
        }
    }

    /**
     * A client lists on one replica and watches on the other from the list's version, which that replica's cache may
     * not have reached yet: the watch must start after that version, not replay what the list already returned.
     */
    @Test
    void aWatchOnOneReplicaFromAVersionReadOnTheOtherStartsAfterThatVersion() throws Exception {
        for (int i = 0; i < 20; i++) {
            ObjectKey key = key("listed-" + i);
            StoredObject created = a.create(key, bytes("v1"), Attributes.EMPTY);
            long listedAt = a.list(ListOptions.all(RESOURCE)).resourceVersion();
            Recorder recorder = new Recorder();
            try (AutoCloseable watch = b.watch(WatchOptions.from(RESOURCE, listedAt), recorder)) {
                StoredObject updated = a.update(key, created.resourceVersion(), bytes("v2"), Attributes.EMPTY);
                await(() -> recorder.lastRv() >= updated.resourceVersion(), "the update on the watch");
                assertThat(recorder.events)
                        .extracting(WatchEvent::type, WatchEvent::resourceVersion)
                        .as("events of a watch on B from version %d, listed on A", listedAt)
                        .containsExactly(tuple(WatchEvent.Type.MODIFIED, updated.resourceVersion()));
            }
        }
    }

    @Test
    void preconditionsHoldAcrossReplicas() {
        ObjectKey key = key("contended");
        StoredObject created = a.create(key, bytes("v1"), Attributes.EMPTY);
        assertThat(b.get(key).map(View::of)).contains(View.of(created)); // B has seen the version it is about to use
        assertThatThrownBy(() -> b.create(key, bytes("again"), Attributes.EMPTY))
                .isInstanceOf(StorageException.AlreadyExists.class);

        StoredObject updated = a.update(key, created.resourceVersion(), bytes("v2"), Attributes.EMPTY);
        assertThatThrownBy(() -> b.update(key, created.resourceVersion(), bytes("stale"), Attributes.EMPTY))
                .isInstanceOfSatisfying(
                        StorageException.Conflict.class,
                        conflict -> assertThat(conflict.actualResourceVersion()).isEqualTo(updated.resourceVersion()));
        assertThatThrownBy(() -> b.delete(key, created.resourceVersion()))
                .isInstanceOf(StorageException.Conflict.class);
        assertThat(a.get(key).map(View::of)).contains(View.of(updated));

        a.delete(key, updated.resourceVersion());
        assertThatThrownBy(() -> b.update(key, updated.resourceVersion(), bytes("gone"), Attributes.EMPTY))
                .isInstanceOf(StorageException.NotFound.class);
        StoredObject recreated = b.create(key, bytes("v3"), Attributes.EMPTY);
        assertThat(a.get(key).map(View::of)).contains(View.of(recreated));
    }

    /** Read-modify-write loops on both replicas against one counter: exactly one update wins per version. */
    @Test
    void concurrentUpdatersOnBothReplicasLoseNoIncrement() throws Exception {
        ObjectKey key = key("counter");
        a.create(key, bytes("0"), Attributes.EMPTY);
        AtomicInteger wins = new AtomicInteger();
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> updaters = new ArrayList<>();
            for (CachingStorage replica : List.of(a, a, b, b)) {
                updaters.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        while (true) {
                            StoredObject current = replica.get(key).orElseThrow();
                            int next = Integer.parseInt(new String(current.value(), StandardCharsets.UTF_8)) + 1;
                            try {
                                replica.update(
                                        key,
                                        current.resourceVersion(),
                                        bytes(Integer.toString(next)),
                                        Attributes.EMPTY);
                                wins.incrementAndGet();
                                break;
                            } catch (StorageException.Conflict e) {
                                conflicts.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> updater : updaters) {
                updater.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(wins.get()).isEqualTo(160);
        for (CachingStorage replica : List.of(a, b)) {
            assertThat(replica.get(key).map(o -> new String(o.value(), StandardCharsets.UTF_8)))
                    .as("the counter after %d updates (%d conflicts retried)", wins.get(), conflicts.get())
                    .contains("160");
        }
    }

    private CachingStorage open() {
        return CachingStorage.open(
                new PostgresBackend("jdbc:postgresql:" + SERVER + database, USER, ""), StorageSettings.defaults());
    }

    private static void admin(String sql) {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql:" + SERVER + "postgres", USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "PostgreSQL at " + SERVER + " (set -Ddbprovision.test.postgres=//host:port/): " + sql, e);
        }
    }

    private static ObjectKey key(String name) {
        return new ObjectKey(RESOURCE, "team-a", name);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static WatchEvent event(WatchEvent.Type type, StoredObject object) {
        return new WatchEvent(type, object, object.resourceVersion());
    }

    /** What a stored object is, comparable (the record's byte array compares by identity). */
    record View(ObjectKey key, long resourceVersion, String value) {
        static View of(StoredObject object) {
            return new View(object.key(), object.resourceVersion(), new String(object.value(), StandardCharsets.UTF_8));
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Records a watch's events and how it ended. */
    static final class Recorder implements Watcher {
        final List<WatchEvent> events = new CopyOnWriteArrayList<>();
        final List<Optional<StorageException>> closed = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(WatchEvent event) {
            events.add(event);
        }

        @Override
        public void onClose(StorageException cause) {
            closed.add(Optional.ofNullable(cause));
        }

        long lastRv() {
            return events.isEmpty() ? 0 : events.getLast().resourceVersion();
        }
    }
}
