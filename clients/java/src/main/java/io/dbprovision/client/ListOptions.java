package io.dbprovision.client;

/**
 * What to list or watch: a namespace (empty: all namespaces, which needs a cluster-wide list permission; always empty
 * for cluster-scoped kinds), Kubernetes label and field selectors, a page size (0: the server's default, 500) and, for
 * a watch, the resource version to start after (empty: first an ADDED event per object). Immutable; start from
 * {@link #all()} or {@link #in(String)}.
 */
public record ListOptions(
        String namespace, String labelSelector, String fieldSelector, int pageSize, String resourceVersion) {

    public ListOptions {
        namespace = namespace == null ? "" : namespace;
        labelSelector = labelSelector == null ? "" : labelSelector;
        fieldSelector = fieldSelector == null ? "" : fieldSelector;
        resourceVersion = resourceVersion == null ? "" : resourceVersion;
        if (pageSize < 0) {
            throw new IllegalArgumentException("pageSize must not be negative");
        }
    }

    public static ListOptions all() {
        return new ListOptions("", "", "", 0, "");
    }

    public static ListOptions in(String namespace) {
        return all().namespace(namespace);
    }

    public ListOptions namespace(String value) {
        return new ListOptions(value, labelSelector, fieldSelector, pageSize, resourceVersion);
    }

    public ListOptions labelSelector(String value) {
        return new ListOptions(namespace, value, fieldSelector, pageSize, resourceVersion);
    }

    public ListOptions fieldSelector(String value) {
        return new ListOptions(namespace, labelSelector, value, pageSize, resourceVersion);
    }

    public ListOptions pageSize(int value) {
        return new ListOptions(namespace, labelSelector, fieldSelector, value, resourceVersion);
    }

    public ListOptions resourceVersion(String value) {
        return new ListOptions(namespace, labelSelector, fieldSelector, pageSize, value);
    }
}
