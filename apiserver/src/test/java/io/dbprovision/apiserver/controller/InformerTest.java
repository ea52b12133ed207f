package io.dbprovision.apiserver.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.registry.ListQuery;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.proto.v1alpha1.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The informer on a real registry and embedded store: list, watch, resume, relist, indexes, handlers. */
class InformerTest {
    private static final Duration SYNC = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private RegistryFixture fixture;
    private Informer<Database> informer;

    private void open(StorageSettings settings) {
        fixture = new RegistryFixture(dir, settings);
        informer = fixture.databaseInformer();
    }

    @AfterEach
    void close() {
        if (informer != null) {
            informer.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void itListsThenWatchesAndTellsItsHandlersOfEveryChange() throws Exception {
        open(StorageSettings.defaults());
        fixture.create("team-a", "orders", "pg");
        fixture.create("team-b", "billing", "pg");
        RecordingHandler handler = new RecordingHandler();
        informer.addHandler(handler);
        informer.start();
        assertThat(informer.awaitSynced(SYNC)).isTrue();
        assertThat(informer.keys())
                .containsExactlyInAnyOrder(
                        new NamespacedName("team-a", "orders"), new NamespacedName("team-b", "billing"));

        fixture.create("team-a", "users", "pg");
        fixture.update("team-a", "orders", db -> fixture.withLabel(db, "tier", "gold"));
        fixture.delete("team-b", "billing");
        Await.until("the informer saw the delete", () -> handler.events.contains("DELETED team-b/billing"));

        assertThat(handler.events)
                .containsExactly(
                        "ADDED team-a/orders",
                        "ADDED team-b/billing",
                        "ADDED team-a/users",
                        "UPDATED team-a/orders",
                        "DELETED team-b/billing");
        assertThat(informer.get(new NamespacedName("team-a", "orders"))
                        .orElseThrow()
                        .getMetadata()
                        .getLabelsMap())
                .containsEntry("tier", "gold");
        assertThat(informer.get(new NamespacedName("team-b", "billing"))).isEmpty();
        assertThat(informer.resourceVersion()).isEqualTo(fixture.storage.currentResourceVersion());
    }

    @Test
    void aHandlerAddedLateHearsOfEveryCachedObjectFirst() throws Exception {
        open(StorageSettings.defaults());
        fixture.create("team-a", "orders", "pg");
        informer.start();
        assertThat(informer.awaitSynced(SYNC)).isTrue();
        RecordingHandler late = new RecordingHandler();
        informer.addHandler(late);
        fixture.create("team-a", "users", "pg");
        Await.until("the late handler hears of the new one", () -> late.events.size() == 2);
        assertThat(late.events).containsExactly("ADDED team-a/orders", "ADDED team-a/users");
    }

    @Test
    void anEmptyStoreIsSyncedAndItsFirstObjectsAreSeen() throws Exception {
        open(StorageSettings.defaults());
        RecordingHandler handler = new RecordingHandler();
        informer.addHandler(handler);
        informer.start();
        assertThat(informer.awaitSynced(SYNC)).isTrue();
        fixture.create("team-a", "orders", "pg");
        Await.until("the first object is seen", () -> handler.events.contains("ADDED team-a/orders"));
        assertThat(handler.events).containsExactly("ADDED team-a/orders");
    }

    @Test
    void anIndexFindsTheDependantsOfAnInstanceAndFollowsChanges() throws Exception {
        open(StorageSettings.defaults());
        fixture.create("team-a", "orders", "pg");
        fixture.create("team-a", "users", "pg");
        fixture.create("team-a", "metrics", "mysql");
        informer.addIndex(
                "instance",
                db -> List.of(db.getMetadata().getNamespace() + "/"
                        + db.getSpec().getInstanceRef().getName()));
        informer.start();
        assertThat(informer.awaitSynced(SYNC)).isTrue();
        assertThat(names(informer.byIndex("instance", "team-a/pg"))).containsExactlyInAnyOrder("orders", "users");

        fixture.update(
                "team-a",
                "users",
                db -> db.toBuilder()
                        .setSpec(db.getSpec().toBuilder()
                                .setInstanceRef(db.getSpec().getInstanceRef().toBuilder()
                                        .setName("mysql")))
                        .build());
        fixture.delete("team-a", "orders");
        Await.until(
                "the index follows",
                () -> informer.byIndex("instance", "team-a/pg").isEmpty());
        assertThat(names(informer.byIndex("instance", "team-a/mysql"))).containsExactlyInAnyOrder("metrics", "users");
        assertThat(informer.byIndex("instance", "team-b/pg")).isEmpty();
    }

    /** An index added to a running informer covers what it has cached already. */
    @Test
    void anIndexAddedLateIndexesTheCachedObjects() throws Exception {
        open(StorageSettings.defaults());
        fixture.create("team-a", "orders", "pg");
        informer.start();
        assertThat(informer.awaitSynced(SYNC)).isTrue();
        informer.addIndex(
                "instance", db -> List.of(db.getSpec().getInstanceRef().getName()));
        assertThat(names(informer.byIndex("instance", "pg"))).containsExactly("orders");
    }

    @Test
    void aWatchCutOffForFallingBehindResumesWhereItStoppedWithoutLosingOrRepeatingEvents() throws Exception {
        open(StorageSettings.defaults().withWatcherQueue(2));
        RecordingHandler handler = new RecordingHandler();
        informer.addHandler(handler);
        informer.start();
        assertThat(informer.awaitSynced(SYNC)).isTrue();

        handler.holdOnAddOf("db-0"); // a stuck handler: the store cuts the watch off
        fixture.create("team-a", "db-0", "pg");
        handler.awaitHeld();
        for (int i = 1; i < 30; i++) {
            fixture.create("team-a", "db-" + i, "pg");
        }
        fixture.update("team-a", "db-1", db -> fixture.withLabel(db, "tier", "gold"));
        handler.release();

        Await.until(
                "the informer caught up",
                () -> informer.keys().size() == 30
                        && informer.resourceVersion() == fixture.storage.currentResourceVersion());
        assertThat(informer.watches()).as("watched again after the cut-off").isGreaterThan(1);
        assertThat(informer.lists())
                .as("no relist: the version was still in the window")
                .isEqualTo(1);
        for (int i = 0; i < 30; i++) {
            assertThat(handler.count("ADDED team-a/db-" + i)).as("db-" + i).isEqualTo(1);
        }
        assertThat(handler.count("UPDATED team-a/db-1")).isEqualTo(1);
        assertThat(handler.events).hasSize(31);
    }

    @Test
    void aResumeFromACompactedVersionListsAgainAndReportsWhatWasDeletedMeanwhile() throws Exception {
        open(StorageSettings.defaults().withWatcherQueue(2));
        fixture.create("team-a", "gone", "pg");
        fixture.create("team-a", "kept", "pg");
        RecordingHandler handler = new RecordingHandler();
        informer.addHandler(handler);
        informer.start();
        assertThat(informer.awaitSynced(SYNC)).isTrue();

        handler.holdOnAddOf("db-0");
        fixture.create("team-a", "db-0", "pg");
        handler.awaitHeld();
        for (int i = 1; i < 10; i++) {
            fixture.create("team-a", "db-" + i, "pg");
        }
        fixture.delete("team-a", "gone");
        fixture.update("team-a", "kept", db -> fixture.withLabel(db, "tier", "gold"));
        fixture.storage.compactTo(fixture.storage.currentResourceVersion()); // the history the resume needs is gone
        handler.release();

        Await.until(
                "the informer listed again",
                () -> informer.lists() == 2 && informer.resourceVersion() == fixture.storage.currentResourceVersion());
        Set<String> stored = fixture.databases.list(RegistryFixture.CTX, "", ListQuery.ALL).items().stream()
                .map(db -> NamespacedName.of(db).toString())
                .collect(Collectors.toSet());
        assertThat(informer.keys().stream().map(NamespacedName::toString)).containsExactlyInAnyOrderElementsOf(stored);
        assertThat(handler.events).contains("DELETED team-a/gone", "UPDATED team-a/kept");
        for (int i = 0; i < 10; i++) {
            assertThat(handler.count("ADDED team-a/db-" + i)).as("db-" + i).isEqualTo(1);
        }
    }

    @Test
    void aClosedInformerHearsOfNothingMore() throws Exception {
        open(StorageSettings.defaults());
        RecordingHandler handler = new RecordingHandler();
        informer.addHandler(handler);
        informer.start();
        assertThat(informer.awaitSynced(SYNC)).isTrue();
        informer.close();
        fixture.create("team-a", "late", "pg");
        RecordingHandler witness = new RecordingHandler();
        Informer<Database> another = fixture.databaseInformer();
        another.addHandler(witness);
        another.start();
        Await.until("another informer sees it", () -> witness.events.contains("ADDED team-a/late"));
        another.close();
        assertThat(handler.events).isEmpty();
    }

    private static List<String> names(List<Database> databases) {
        return databases.stream().map(db -> db.getMetadata().getName()).toList();
    }
}
