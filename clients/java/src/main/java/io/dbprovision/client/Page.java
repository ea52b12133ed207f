package io.dbprovision.client;

import java.util.List;

/**
 * One page of a List: the objects, the token of the next page (empty on the last) and the store's resource version
 * the page was read at (watch from it to follow every later change).
 */
public record Page<T>(List<T> items, String nextPageToken, String resourceVersion) {
    public Page {
        items = List.copyOf(items);
    }

    public boolean last() {
        return nextPageToken.isEmpty();
    }
}
