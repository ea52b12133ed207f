package io.dbprovision.apiserver.audit;

import java.util.Objects;

/**
 * What the audit policy looks at to choose a request's level: the user who made it (the authenticated caller, before
 * impersonation, as Kubernetes' audit filter sees it), its verb, and either the object it acts on or, for a
 * non-resource request, its path.
 *
 * @param objectRef what a resource request acts on; {@code null} for a non-resource request
 * @param path the request's path without its query (matched by {@code nonResourceURLs})
 */
public record AuditAttributes(AuditUser user, String verb, AuditObjectRef objectRef, String path) {
    public AuditAttributes {
        Objects.requireNonNull(user, "user");
        verb = verb == null ? "" : verb;
        path = path == null ? "" : path;
    }

    public static AuditAttributes resource(AuditUser user, String verb, AuditObjectRef objectRef, String path) {
        return new AuditAttributes(user, verb, Objects.requireNonNull(objectRef, "objectRef"), path);
    }

    public static AuditAttributes nonResource(AuditUser user, String verb, String path) {
        return new AuditAttributes(user, verb, null, path);
    }

    public boolean resourceRequest() {
        return objectRef != null;
    }
}
