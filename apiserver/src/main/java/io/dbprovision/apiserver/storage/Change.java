package io.dbprovision.apiserver.storage;

/**
 * One committed write, as the log and the cache record it: the new version (for a deletion, the last value with the
 * deleting resourceVersion) and the attributes of the version it replaced, so that selector-filtered watches can
 * tell an object entering their view from one leaving it.
 *
 * @param previousResourceVersion the version this write replaced, 0 when it created the object
 * @param previousAttributes null when the write created the object
 */
public record Change(
        StoredObject object, boolean deleted, long previousResourceVersion, Attributes previousAttributes) {
    public long resourceVersion() {
        return object.resourceVersion();
    }

    public ObjectKey key() {
        return object.key();
    }

    /** The event a watcher with {@code selector} sees for this change, or null if the change is outside its view. */
    public WatchEvent eventFor(Selector selector) {
        boolean now = !deleted && selector.matches(object.attributes());
        boolean before = previousAttributes != null && selector.matches(previousAttributes);
        if (deleted) {
            return before ? new WatchEvent(WatchEvent.Type.DELETED, object, object.resourceVersion()) : null;
        }
        if (now && before) {
            return new WatchEvent(WatchEvent.Type.MODIFIED, object, object.resourceVersion());
        }
        if (now) {
            return new WatchEvent(WatchEvent.Type.ADDED, object, object.resourceVersion());
        }
        if (before) {
            // It no longer matches: to this watcher it is gone (as Kubernetes' watch cache reports it).
            return new WatchEvent(WatchEvent.Type.DELETED, object, object.resourceVersion());
        }
        return null;
    }
}
