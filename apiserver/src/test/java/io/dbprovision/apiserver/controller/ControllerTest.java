package io.dbprovision.apiserver.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Controllers on a real registry and embedded store, with reconcilers that count what they are asked to do. */
class ControllerTest {
    private static final Backoff FAST =
            new Backoff(Duration.ofMillis(5), Duration.ofMillis(50), 0.2, () -> Math.random());

    @TempDir
    Path dir;

    private RegistryFixture fixture;
    private Informer<Database> databases;
    private final List<Controller<?>> controllers = new ArrayList<>();
    private final Map<String, AtomicInteger> reconciles = new ConcurrentHashMap<>();

    @BeforeEach
    void open() {
        fixture = new RegistryFixture(dir);
        databases = fixture.databaseInformer();
    }

    @AfterEach
    void close() {
        controllers.forEach(Controller::stop);
        databases.close();
        fixture.close();
    }

    private Controller<Database> start(Controller.Builder<Database> builder) {
        Controller<Database> controller = builder.build();
        controllers.add(controller);
        controller.start();
        return controller;
    }

    private int count(String key) {
        return reconciles.computeIfAbsent(key, k -> new AtomicInteger()).get();
    }

    private void counted(NamespacedName key) {
        reconciles.computeIfAbsent(key.toString(), k -> new AtomicInteger()).incrementAndGet();
    }

    /** Reconciles as a real reconciler would: reads the object from the informer, writes its status. */
    private Result writeStatus(NamespacedName key) {
        counted(key);
        databases.get(key).ifPresent(db -> fixture.writeStatus(key.namespace(), key.name(), "reconciled"));
        return Result.done();
    }

    private int barriers;

    /**
     * With one worker and one partition keys are reconciled in the order they are queued, and events arrive in the
     * order of the writes. A barrier object created now and seen reconciled means every key queued before it was
     * reconciled; two of them cover a key that a reconcile still under way queues again when it is done (after the
     * first barrier was queued, but before the worker takes it).
     */
    private void everythingQueuedSoFarIsReconciled() {
        for (int i = 0; i < 2; i++) {
            String barrier = "barrier-" + barriers++;
            fixture.create("team-z", barrier, "pg");
            Await.until(barrier + " is reconciled", () -> count("team-z/" + barrier) == 1);
        }
    }

    @Test
    void aReconcilerThatWritesStatusDoesNotRunAgainForTheSameGeneration() {
        start(Controller.builder("status-writer", databases, this::writeStatus).workers(1));
        fixture.create("team-a", "orders", "pg");
        Await.until(
                "the status is written",
                () -> databases
                        .get(new NamespacedName("team-a", "orders"))
                        .map(db -> db.getStatus().getObservedGeneration() == 1)
                        .orElse(false));

        everythingQueuedSoFarIsReconciled();
        assertThat(count("team-a/orders")).isEqualTo(1);
    }

    @Test
    void aSpecChangeALabelChangeAndADeletionReconcileAgain() {
        start(Controller.builder("status-writer", databases, this::writeStatus).workers(1));
        fixture.create("team-a", "orders", "pg");
        Await.until("the first reconcile", () -> count("team-a/orders") == 1);

        fixture.update(
                "team-a",
                "orders",
                db -> db.toBuilder()
                        .setSpec(db.getSpec().toBuilder().setOwner("app"))
                        .build());
        Await.until("a new generation is reconciled", () -> count("team-a/orders") == 2);

        fixture.update("team-a", "orders", db -> fixture.withLabel(db, "tier", "gold"));
        Await.until("a label change is reconciled", () -> count("team-a/orders") == 3);

        fixture.delete("team-a", "orders");
        Await.until("the deletion is reconciled", () -> count("team-a/orders") == 4);
        everythingQueuedSoFarIsReconciled();
        assertThat(count("team-a/orders")).isEqualTo(4);
    }

    @Test
    void aFailingReconcileIsRetriedWithBackoffUntilItSucceeds() {
        AtomicInteger attempts = new AtomicInteger();
        start(Controller.builder("flaky", databases, key -> {
                    if (attempts.incrementAndGet() < 4) {
                        throw new IllegalStateException("the server is not there yet");
                    }
                    counted(key);
                    return Result.done();
                })
                .backoff(FAST));
        fixture.create("team-a", "orders", "pg");
        Await.until("it succeeds", () -> count("team-a/orders") == 1);
        assertThat(attempts.get()).isEqualTo(4);
    }

    @Test
    void aReconcilerAskingToBeRequeuedRunsAgain() {
        start(Controller.builder("poller", databases, key -> {
            counted(key);
            return count(key.toString()) < 3 ? Result.requeueAfter(Duration.ofMillis(10)) : Result.done();
        }));
        fixture.create("team-a", "orders", "pg");
        Await.until("three reconciles", () -> count("team-a/orders") == 3);
    }

    @Test
    void aResyncReconcilesEveryObjectAgain() {
        start(Controller.builder("resyncing", databases, key -> {
                    counted(key);
                    return Result.done();
                })
                .resyncEvery(Duration.ofMillis(50)));
        fixture.create("team-a", "orders", "pg");
        fixture.create("team-a", "users", "pg");
        Await.until("both resynced", () -> count("team-a/orders") >= 3 && count("team-a/users") >= 3);
    }

    @Test
    void aSlowPartitionNeverTakesAllTheWorkers() throws Exception {
        CountDownLatch deadServerAnswers = new CountDownLatch(1);
        AtomicInteger onDeadServer = new AtomicInteger();
        AtomicInteger mostOnDeadServer = new AtomicInteger();
        Reconciler reconciler = key -> {
            Database db = databases.get(key).orElseThrow();
            if (db.getSpec().getInstanceRef().getName().equals("dead")) {
                mostOnDeadServer.accumulateAndGet(onDeadServer.incrementAndGet(), Math::max);
                try {
                    deadServerAnswers.await(); // a connection attempt that hangs
                } finally {
                    onDeadServer.decrementAndGet();
                }
            }
            counted(key);
            return Result.done();
        };
        start(Controller.builder("per-instance", databases, reconciler)
                .workers(3)
                .partitionedBy(
                        key -> databases
                                .get(key)
                                .map(db -> db.getSpec().getInstanceRef().getName())
                                .orElse(""),
                        1));
        for (int i = 0; i < 5; i++) {
            fixture.create("team-a", "stuck-" + i, "dead");
        }
        for (int i = 0; i < 5; i++) {
            fixture.create("team-a", "fine-" + i, "pg");
        }
        Await.until("every database of the live server is reconciled", () -> {
            for (int i = 0; i < 5; i++) {
                if (count("team-a/fine-" + i) != 1) {
                    return false;
                }
            }
            return true;
        });
        assertThat(mostOnDeadServer.get()).isEqualTo(1);
        assertThat(count("team-a/stuck-0") + count("team-a/stuck-1")).isZero();

        deadServerAnswers.countDown();
        Await.until("the dead server's databases follow", () -> {
            for (int i = 0; i < 5; i++) {
                if (count("team-a/stuck-" + i) != 1) {
                    return false;
                }
            }
            return true;
        });
        assertThat(mostOnDeadServer.get()).isEqualTo(1);
    }

    @Test
    void aChangeToAnInstanceQueuesTheDatabasesOnIt() throws Exception {
        ResourceStore instanceStore =
                fixture.registry.byPlural("databaseinstances").orElseThrow();
        Informer<DatabaseInstance> instances =
                new Informer<>(instanceStore, DatabaseInstance.class, RequestContext.internal("test"));
        databases.addIndex(
                "instance",
                db -> List.of(db.getMetadata().getNamespace() + "/"
                        + db.getSpec().getInstanceRef().getName()));
        try {
            start(Controller.builder("databases", databases, key -> {
                        counted(key);
                        return Result.done();
                    })
                    .workers(1)
                    .watches(
                            instances,
                            instance -> databases
                                    .byIndex(
                                            "instance",
                                            NamespacedName.of(instance).toString())
                                    .stream()
                                    .map(NamespacedName::of)
                                    .toList()));
            fixture.create("team-a", "orders", "pg");
            fixture.create("team-a", "users", "pg");
            fixture.create("team-a", "metrics", "other");
            Await.until(
                    "each reconciled once",
                    () -> count("team-a/orders") == 1 && count("team-a/users") == 1 && count("team-a/metrics") == 1);

            instanceStore.create(RegistryFixture.CTX, "team-a", instance("pg"), WriteOptions.DEFAULT);
            Await.until(
                    "the instance's databases are reconciled again",
                    () -> count("team-a/orders") == 2 && count("team-a/users") == 2);
            everythingQueuedSoFarIsReconciled();
            assertThat(count("team-a/metrics")).isEqualTo(1);
        } finally {
            instances.close();
        }
    }

    @Test
    void aStoppedControllerReconcilesNothingUntilStartedAgain() {
        Controller<Database> controller = start(Controller.builder("restartable", databases, key -> {
            counted(key);
            return Result.done();
        }));
        fixture.create("team-a", "orders", "pg");
        Await.until("reconciled", () -> count("team-a/orders") == 1);
        controller.stop();
        assertThat(controller.isRunning()).isFalse();
        fixture.update("team-a", "orders", db -> fixture.withLabel(db, "tier", "gold"));
        fixture.create("team-a", "users", "pg");
        controller.enqueue(new NamespacedName("team-a", "users")); // ignored while stopped

        controller.start(); // as a replica that wins the lease again: everything is reconciled once more
        Await.until(
                "both reconciled after the restart", () -> count("team-a/orders") == 2 && count("team-a/users") == 1);
    }

    @Test
    void aStopInterruptsReconcilesThatOutlastTheGrace() {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        Controller<Database> controller = start(Controller.builder("hanging", databases, key -> {
                    started.countDown();
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                        throw e;
                    }
                    return Result.done();
                })
                .shutdownGrace(Duration.ofMillis(50)));
        fixture.create("team-a", "orders", "pg");
        Await.until("the reconcile hangs", () -> started.getCount() == 0);
        controller.stop();
        assertThat(interrupted.get()).isEqualTo(1);
    }

    private Message instance(String name) {
        String json = """
                {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"DatabaseInstance","metadata":{"name":"%s"},
                 "spec":{"engine":"postgres","connection":{"host":"db.example.com","secretRef":{"name":"admin"}}}}
                """.formatted(name);
        ResourceStore store = fixture.registry.byPlural("databaseinstances").orElseThrow();
        return fixture.registry
                .codec()
                .decodeJson(json.getBytes(StandardCharsets.UTF_8), store.kind().object())
                .object();
    }
}
