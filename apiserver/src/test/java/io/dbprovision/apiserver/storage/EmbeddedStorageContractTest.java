package io.dbprovision.apiserver.storage;

import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on the embedded H2 store, with fsync on as in production. */
class EmbeddedStorageContractTest extends StorageContractTest {
    @TempDir
    Path dir;

    private Path last;
    private int stores;

    @Override
    protected CachingStorage openFresh(StorageSettings settings) {
        last = dir.resolve("store-" + ++stores);
        return CachingStorage.open(new EmbeddedBackend(last, settings.fsync()), settings);
    }

    @Override
    protected CachingStorage reopenLast(StorageSettings settings) {
        return CachingStorage.open(new EmbeddedBackend(last, settings.fsync()), settings);
    }

    @Override
    protected StorageSettings settings() {
        return StorageSettings.defaults().withFsync(true);
    }
}
