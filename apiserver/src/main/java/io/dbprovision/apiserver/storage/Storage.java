package io.dbprovision.apiserver.storage;

import java.util.Optional;

/**
 * Versioned object storage with watch, for every kind. Objects are opaque bytes with attributes; every write gets
 * the next resourceVersion of a single counter. An acknowledged write is durable and visible to every later read
 * and watch. Errors are the {@link StorageException} subclasses only.
 */
public interface Storage extends AutoCloseable {

    /** Stores a new object. @throws StorageException.AlreadyExists if a live object has the key */
    StoredObject create(ObjectKey key, byte[] value, Attributes attributes);

    /** The current version of an object. */
    Optional<StoredObject> get(ObjectKey key);

    /**
     * Replaces an object if its current resourceVersion is {@code expectedResourceVersion} (0: whatever it is).
     *
     * @throws StorageException.NotFound if there is no such object
     * @throws StorageException.Conflict if the object has another version
     */
    StoredObject update(ObjectKey key, long expectedResourceVersion, byte[] value, Attributes attributes);

    /**
     * Deletes an object if its current resourceVersion is {@code expectedResourceVersion} (0: whatever it is).
     *
     * @return the deleted object's last value, with the resourceVersion of the deletion
     */
    StoredObject delete(ObjectKey key, long expectedResourceVersion);

    ListResult list(ListOptions options);

    /** Starts a watch; events go to {@code watcher} until the returned handle is closed or the watch ends. */
    AutoCloseable watch(WatchOptions options, Watcher watcher);

    /** The newest resourceVersion written. */
    long currentResourceVersion();

    /** True when storage can serve requests (the API server's readiness). */
    boolean isHealthy();

    /** Stops accepting requests, ends every watch, releases the database. */
    @Override
    void close();
}
