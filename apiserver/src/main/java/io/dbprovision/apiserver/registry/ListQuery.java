package io.dbprovision.apiserver.registry;

import io.dbprovision.apiserver.storage.ListOptions;

/** The list parameters of a request, already checked for valid combinations. */
public record ListQuery(
        String labelSelector,
        String fieldSelector,
        int limit,
        String continueToken,
        long resourceVersion,
        ListOptions.Match match) {

    public static final ListQuery ALL = new ListQuery("", "", 0, "", 0, ListOptions.Match.LATEST);

    public ListQuery withoutPaging() {
        return new ListQuery(labelSelector, fieldSelector, 0, "", resourceVersion, match);
    }
}
