package io.dbprovision.apiserver.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.Lease;
import io.dbprovision.apiserver.storage.LeaseStore;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.PostgresBackend;
import io.dbprovision.proto.v1alpha1.Database;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leader election among replicas sharing one PostgreSQL database (a fresh one per test on the machine's server,
 * 127.0.0.1:5432, or {@code -Ddbprovision.test.postgres}, dropped afterwards): one leads, a leader whose renewals stop
 * is followed by another only after it stopped leading, a leader that shuts down hands over at once, and a lost lease
 * stops the controllers.
 */
class LeaseLeaderElectionTest {
    private static final String SERVER = System.getProperty("dbprovision.test.postgres", "//127.0.0.1:5432/");
    private static final String USER = "postgres";
    private static final LeaderElection.Timing QUICK =
            new LeaderElection.Timing(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(100));

    private String database;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void freshDatabase() {
        database = "dbpruntime_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        admin("CREATE DATABASE " + database);
    }

    @AfterEach
    void closeAndDrop() throws Exception {
        for (AutoCloseable each : toClose.reversed()) {
            each.close();
        }
        admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    private CachingStorage replica() {
        CachingStorage storage = CachingStorage.open(
                new PostgresBackend("jdbc:postgresql:" + SERVER + database, USER, ""), StorageSettings.defaults());
        toClose.add(storage);
        return storage;
    }

    private LeaderElection election(CachingStorage storage, String identity, LeaderElection.Timing timing) {
        LeaderElection election = LeaderElection.forStorage(storage, "controllers", identity, timing);
        toClose.add(election);
        return election;
    }

    /** What one replica hears, each entry stamped with System.nanoTime(), shared by the replicas of a test. */
    private static final class Timeline {
        record Entry(String what, long at) {}

        final List<Entry> entries = new CopyOnWriteArrayList<>();

        Leadership of(String replica) {
            return new Leadership() {
                @Override
                public void startedLeading() {
                    entries.add(new Entry(replica + " started", System.nanoTime()));
                }

                @Override
                public void stoppedLeading() {
                    entries.add(new Entry(replica + " stopped", System.nanoTime()));
                }
            };
        }

        boolean has(String what) {
            return entries.stream().anyMatch(entry -> entry.what().equals(what));
        }

        long at(String what) {
            return entries.stream()
                    .filter(entry -> entry.what().equals(what))
                    .findFirst()
                    .orElseThrow()
                    .at();
        }

        List<String> order() {
            return entries.stream().map(Entry::what).toList();
        }
    }

    @Test
    void theLeaseRowHasOneHolderAtATimeInTheDatabasesClock() {
        LeaseStore leases = replica().leases().orElseThrow();
        Lease first = leases.tryAcquireOrRenew("l", "a", Duration.ofMinutes(1));
        assertThat(first.heldBy("a")).isTrue();
        assertThat(first.transitions()).isZero();
        assertThat(leases.tryAcquireOrRenew("l", "b", Duration.ofMinutes(1)).holder())
                .isEqualTo("a");

        Lease renewed = leases.tryAcquireOrRenew("l", "a", Duration.ofMinutes(1));
        assertThat(renewed.heldBy("a")).isTrue();
        assertThat(renewed.acquireTime()).isEqualTo(first.acquireTime());
        assertThat(renewed.renewTime()).isAfter(first.renewTime());
        assertThat(renewed.transitions()).isZero();

        leases.release("l", "b"); // not b's to release
        assertThat(leases.get("l").orElseThrow().holder()).isEqualTo("a");
        leases.release("l", "a");
        Lease taken = leases.tryAcquireOrRenew("l", "b", Duration.ofMillis(300));
        assertThat(taken.heldBy("b")).isTrue();
        assertThat(taken.transitions()).isEqualTo(1);

        // b does not renew: once 300 ms have passed in the database's clock, a may take it
        Await.until(
                "the expired lease is taken",
                () -> leases.tryAcquireOrRenew("l", "a", Duration.ofMinutes(1)).heldBy("a"));
        assertThat(leases.get("l").orElseThrow().transitions()).isEqualTo(2);
    }

    @Test
    void exactlyOneOfTwoReplicasLeads() {
        Timeline timeline = new Timeline();
        LeaderElection a = election(replica(), "a", QUICK);
        LeaderElection b = election(replica(), "b", QUICK);
        a.start(timeline.of("a"));
        b.start(timeline.of("b"));
        Await.until("one leads", () -> a.isLeader() || b.isLeader());
        // Over many renewals: always the same one, never both.
        long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (System.nanoTime() < until) {
            assertThat(a.isLeader() && b.isLeader()).isFalse();
        }
        assertThat(a.isLeader() ^ b.isLeader()).isTrue();
        assertThat(timeline.order()).hasSize(1);
        String leader = a.isLeader() ? "a" : "b";
        assertThat(timeline.order()).containsExactly(leader + " started");
        LeaseStore leases = replica().leases().orElseThrow();
        assertThat(leases.get("controllers").orElseThrow().holder()).isEqualTo(leader);
    }

    @Test
    void whenTheLeadersRenewalsStopTheOtherTakesOverOnlyAfterItStoppedLeading() {
        Timeline timeline = new Timeline();
        CachingStorage first = replica();
        LeaderElection a = election(first, "a", QUICK);
        a.start(timeline.of("a"));
        Await.until("a leads", a::isLeader);
        LeaderElection b = election(replica(), "b", QUICK);
        b.start(timeline.of("b"));

        long killed = System.nanoTime();
        first.close(); // a's database connections are gone: every renewal fails from now on
        Await.until("b takes over", () -> timeline.has("b started"));

        assertThat(a.isLeader()).isFalse();
        assertThat(timeline.order()).containsExactly("a started", "a stopped", "b started");
        assertThat(timeline.at("a stopped")).isLessThan(timeline.at("b started"));
        System.out.printf(
                "a stopped leading %d ms after its renewals were cut, b took over %d ms after%n",
                (timeline.at("a stopped") - killed) / 1_000_000, (timeline.at("b started") - killed) / 1_000_000);
    }

    @Test
    void aLeaderThatShutsDownHandsTheLeaseOverWithoutWaitingForItToExpire() throws Exception {
        LeaderElection.Timing slow =
                new LeaderElection.Timing(Duration.ofMinutes(5), Duration.ofMinutes(4), Duration.ofMillis(100));
        Timeline timeline = new Timeline();
        LeaderElection a = election(replica(), "a", slow);
        a.start(timeline.of("a"));
        Await.until("a leads", a::isLeader);
        LeaderElection b = election(replica(), "b", slow);
        b.start(timeline.of("b"));

        a.close();
        assertThat(timeline.order()).containsExactly("a started", "a stopped"); // stopped before it returned
        Await.until("b takes over long before the 5 minutes of the lease", () -> timeline.has("b started"));
        assertThat(timeline.order()).containsExactly("a started", "a stopped", "b started");
    }

    @Test
    void aLostLeaseStopsTheControllersAndTheNewLeaderReconcilesInstead() {
        Map<String, List<String>> reconciledBy = new ConcurrentHashMap<>();
        CachingStorage first = replica();
        ControllerManager a = manager(first, "a", reconciledBy);
        Await.until("a leads", a::isLeading);
        ControllerManager b = manager(replica(), "b", reconciledBy);
        ResourceStore databases = registry(first).byPlural("databases").orElseThrow();
        databases.create(
                RegistryFixture.CTX,
                "team-a",
                RegistryFixture.database("team-a", "orders", "pg"),
                WriteOptions.DEFAULT);
        Await.until("a reconciles it", () -> reconciledBy.containsKey("a"));

        first.close();
        Await.until("b reconciles it", () -> reconciledBy.containsKey("b"));
        assertThat(a.isLeading()).isFalse();
        assertThat(reconciledBy.get("b")).contains("team-a/orders");
        assertThat(b.isLeading()).isTrue();
    }

    private ControllerManager manager(CachingStorage storage, String identity, Map<String, List<String>> reconciledBy) {
        Registry registry = registry(storage);
        ControllerManager manager = new ControllerManager(
                election(storage, identity, QUICK), RequestContext.internal("system:dbprovision:test"));
        toClose.addFirst(manager); // closed after the elections it owns would be: before them
        Informer<Database> informer =
                manager.informer(registry.byPlural("databases").orElseThrow(), Database.class);
        manager.add(Controller.builder("databases-" + identity, informer, key -> {
                    reconciledBy
                            .computeIfAbsent(identity, k -> new CopyOnWriteArrayList<>())
                            .add(key.toString());
                    return Result.done();
                })
                .build());
        manager.start();
        return manager;
    }

    private static Registry registry(CachingStorage storage) {
        return new Registry(
                List.of(
                        new Registry.Served(Schema.get(), ObjectRules.standard()),
                        new Registry.Served(Schema.core(), ObjectRules.core())),
                storage,
                Clock.systemUTC());
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
}
