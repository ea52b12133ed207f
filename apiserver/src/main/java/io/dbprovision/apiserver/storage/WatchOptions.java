package io.dbprovision.apiserver.storage;

/**
 * Where a watch starts and what it sees.
 *
 * @param namespace the namespace, or empty for every namespace
 * @param sinceResourceVersion deliver changes after this version; 0 starts from the newest state
 * @param initialEvents first deliver every matching object as ADDED (at the start version), then a bookmark
 *     marking the end of the initial state, then changes
 * @param bookmarks deliver periodic BOOKMARK events, so the watcher can resume from recent versions
 */
public record WatchOptions(
        String resource,
        String namespace,
        Selector selector,
        long sinceResourceVersion,
        boolean initialEvents,
        boolean bookmarks) {

    public static WatchOptions from(String resource, long sinceResourceVersion) {
        return new WatchOptions(resource, "", Selector.EVERYTHING, sinceResourceVersion, false, false);
    }

    public WatchOptions inNamespace(String namespace) {
        return new WatchOptions(resource, namespace, selector, sinceResourceVersion, initialEvents, bookmarks);
    }

    public WatchOptions withSelector(Selector selector) {
        return new WatchOptions(resource, namespace, selector, sinceResourceVersion, initialEvents, bookmarks);
    }

    public WatchOptions withInitialEvents() {
        return new WatchOptions(resource, namespace, selector, sinceResourceVersion, true, bookmarks);
    }

    public WatchOptions withBookmarks() {
        return new WatchOptions(resource, namespace, selector, sinceResourceVersion, initialEvents, true);
    }
}
