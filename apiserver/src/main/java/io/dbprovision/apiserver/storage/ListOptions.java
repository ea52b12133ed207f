package io.dbprovision.apiserver.storage;

/**
 * What to list, with the Kubernetes {@code resourceVersion} semantics (API concepts, "Semantics for get and list"):
 * {@code resourceVersion} 0 with {@link Match#NOT_OLDER_THAN} reads the latest state storage has ("any"); a positive
 * version with NOT_OLDER_THAN reads state at least that new; with {@link Match#EXACT} the state at exactly that
 * version (or Expired); {@link Match#LATEST} is a consistent read of the newest state. A continue token pins the
 * page to the version of the first page.
 *
 * @param namespace the namespace, or empty for every namespace (and for cluster-scoped resources)
 * @param limit most items to return; 0 means all
 * @param continueToken token of the previous page, or empty
 */
public record ListOptions(
        String resource,
        String namespace,
        Selector selector,
        int limit,
        String continueToken,
        long resourceVersion,
        Match match) {

    public enum Match {
        LATEST,
        NOT_OLDER_THAN,
        EXACT
    }

    public static ListOptions all(String resource) {
        return new ListOptions(resource, "", Selector.EVERYTHING, 0, "", 0, Match.LATEST);
    }

    public ListOptions inNamespace(String namespace) {
        return new ListOptions(resource, namespace, selector, limit, continueToken, resourceVersion, match);
    }

    public ListOptions withSelector(Selector selector) {
        return new ListOptions(resource, namespace, selector, limit, continueToken, resourceVersion, match);
    }

    public ListOptions withLimit(int limit, String continueToken) {
        return new ListOptions(resource, namespace, selector, limit, continueToken, resourceVersion, match);
    }

    public ListOptions at(long resourceVersion, Match match) {
        return new ListOptions(resource, namespace, selector, limit, continueToken, resourceVersion, match);
    }
}
