package io.dbprovision.apiserver.registry;

/**
 * The watch parameters of a request.
 *
 * @param sinceResourceVersion changes after this version; 0 starts now
 * @param initialEvents send every matching object as ADDED first, then a bookmark
 */
public record WatchQuery(
        String labelSelector,
        String fieldSelector,
        long sinceResourceVersion,
        boolean initialEvents,
        boolean bookmarks) {}
