package io.dbprovision.apiserver.storage;

/**
 * One change seen by a watch. ADDED, MODIFIED and DELETED carry the object (for DELETED, its last version, with
 * the deleting resourceVersion); BOOKMARK carries only a resourceVersion: everything up to it has been sent.
 */
public record WatchEvent(Type type, StoredObject object, long resourceVersion) {
    public enum Type {
        ADDED,
        MODIFIED,
        DELETED,
        BOOKMARK
    }

    public static WatchEvent bookmark(long resourceVersion) {
        return new WatchEvent(Type.BOOKMARK, null, resourceVersion);
    }
}
