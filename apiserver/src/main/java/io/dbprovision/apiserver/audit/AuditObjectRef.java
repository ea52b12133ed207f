package io.dbprovision.apiserver.audit;

/**
 * The object a resource request acts on ({@code audit.k8s.io/v1} {@code ObjectReference}), as the request's path names
 * it: {@code /apis/{apiGroup}/{apiVersion}/namespaces/{namespace}/{resource}/{name}/{subresource}}. Empty strings for
 * what the path does not name (the core group is {@code ""}; a list has no name; a cluster-scoped resource no
 * namespace). Non-resource requests (discovery, OpenAPI, health) have no object reference.
 */
public record AuditObjectRef(
        String resource, String namespace, String name, String apiGroup, String apiVersion, String subresource) {
    public AuditObjectRef {
        resource = resource == null ? "" : resource;
        namespace = namespace == null ? "" : namespace;
        name = name == null ? "" : name;
        apiGroup = apiGroup == null ? "" : apiGroup;
        apiVersion = apiVersion == null ? "" : apiVersion;
        subresource = subresource == null ? "" : subresource;
    }
}
