package io.dbprovision.apiserver.storage;

/** How many watches a store feeds now, for tests outside this package (a test class, not product API). */
public final class WatcherCount {
    private WatcherCount() {}

    public static int of(CachingStorage storage) {
        return storage.watcherCount();
    }
}
