package io.dbprovision.apiserver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageSmokeTest {
    @TempDir
    Path dir;

    @Test
    void createGetUpdateDeleteListAndWatch() throws Exception {
        try (CachingStorage storage = CachingStorage.open(new EmbeddedBackend(dir, true), StorageSettings.defaults())) {
            ObjectKey key = new ObjectKey("databases.dbops.dbprovision.io", "team-a", "app");
            Attributes attributes = new Attributes(Map.of("app", "x"), Map.of("metadata.name", "app"));
            List<WatchEvent> events = new CopyOnWriteArrayList<>();
            AutoCloseable watch = storage.watch(WatchOptions.from(key.resource(), 0), new Watcher() {
                @Override
                public void onEvent(WatchEvent event) {
                    events.add(event);
                }

                @Override
                public void onClose(StorageException cause) {}
            });

            StoredObject created = storage.create(key, bytes("v1"), attributes);
            assertThatThrownBy(() -> storage.create(key, bytes("v1"), attributes))
                    .isInstanceOf(StorageException.AlreadyExists.class);
            StoredObject updated = storage.update(key, created.resourceVersion(), bytes("v2"), attributes);
            assertThatThrownBy(() -> storage.update(key, created.resourceVersion(), bytes("v3"), attributes))
                    .isInstanceOf(StorageException.Conflict.class);
            assertThat(new String(storage.get(key).orElseThrow().value(), StandardCharsets.UTF_8))
                    .isEqualTo("v2");
            assertThat(storage.list(ListOptions.all(key.resource())).items()).hasSize(1);
            storage.delete(key, updated.resourceVersion());
            assertThat(storage.get(key)).isEmpty();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (events.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(events)
                    .extracting(WatchEvent::type)
                    .containsExactly(WatchEvent.Type.ADDED, WatchEvent.Type.MODIFIED, WatchEvent.Type.DELETED);
            watch.close();
        }
        try (CachingStorage reopened =
                CachingStorage.open(new EmbeddedBackend(dir, true), StorageSettings.defaults())) {
            assertThat(reopened.currentResourceVersion()).isEqualTo(3);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
