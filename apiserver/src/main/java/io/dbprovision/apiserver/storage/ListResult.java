package io.dbprovision.apiserver.storage;

import java.util.List;

/**
 * One page of a list.
 *
 * @param resourceVersion the version of the state the page was read at; a watch from it misses nothing
 * @param continueToken token for the next page, or empty on the last page
 * @param remainingItemCount items after this page (counting only those the selector matches), or -1 if unknown
 */
public record ListResult(
        List<StoredObject> items, long resourceVersion, String continueToken, long remainingItemCount) {}
