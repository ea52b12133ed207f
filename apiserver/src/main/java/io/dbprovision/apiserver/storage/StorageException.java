package io.dbprovision.apiserver.storage;

/**
 * The errors of the storage contract. The REST layer maps each, in one place, to its Kubernetes status: NotFound
 * 404, AlreadyExists 409, Conflict 409, Expired 410, TooLargeResourceVersion 504, Unavailable 503, Unreadable 500.
 */
public abstract sealed class StorageException extends RuntimeException {
    protected StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    /** No object has the key. */
    public static final class NotFound extends StorageException {
        public NotFound(ObjectKey key) {
            super(key + " not found", null);
        }
    }

    /** Create found a live object with the key. */
    public static final class AlreadyExists extends StorageException {
        public AlreadyExists(ObjectKey key) {
            super(key + " already exists", null);
        }
    }

    /** A precondition on the resourceVersion failed: the object changed since the caller read it. */
    public static final class Conflict extends StorageException {
        private final long actual;

        public Conflict(ObjectKey key, long expected, long actual) {
            super(key + " has resourceVersion " + actual + ", not " + expected, null);
            this.actual = actual;
        }

        public long actualResourceVersion() {
            return actual;
        }
    }

    /** The requested resourceVersion is older than the history kept ("too old resource version"). */
    public static final class Expired extends StorageException {
        private final long requested;
        private final long oldest;

        public Expired(long requested, long oldest) {
            super("too old resource version: " + requested + " (" + oldest + ")", null);
            this.requested = requested;
            this.oldest = oldest;
        }

        public long requested() {
            return requested;
        }

        public long oldest() {
            return oldest;
        }
    }

    /**
     * The requested resourceVersion is newer than any the store has reached: it was never written here (or, with a
     * shared database, not yet seen). Serving the current state as if it were that version would make a later watch
     * from it skip the changes in between, so the read is refused; the registry waits a little first.
     */
    public static final class TooLargeResourceVersion extends StorageException {
        private final long requested;
        private final long current;

        public TooLargeResourceVersion(long requested, long current) {
            super("too large resource version: " + requested + " (current " + current + ")", null);
            this.requested = requested;
            this.current = current;
        }

        public long requested() {
            return requested;
        }

        public long current() {
            return current;
        }
    }

    /**
     * A watcher fell too far behind the changes and was cut off: events it had not taken were dropped, so its view
     * has a gap. It must start over from a fresh state (the API answers 410 Expired, as Kubernetes' watch cache ends
     * a watcher that does not keep up, and clients re-list).
     */
    public static final class FellBehind extends StorageException {
        public FellBehind(String message) {
            super(message, null);
        }
    }

    /** Storage cannot answer now (database down, shutting down); retry later. */
    public static final class Unavailable extends StorageException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A stored value cannot be turned back into what was written: it fails to decrypt (tampered with, copied from
     * another object, or under an encryption key no longer configured). Not transient: the configuration or the
     * data must change. The message names the object and the reason, never key material.
     */
    public static final class Unreadable extends StorageException {
        private final ObjectKey key;

        public Unreadable(ObjectKey key, String reason) {
            super("stored value of " + key + " cannot be read: " + reason, null);
            this.key = key;
        }

        public ObjectKey key() {
            return key;
        }
    }
}
