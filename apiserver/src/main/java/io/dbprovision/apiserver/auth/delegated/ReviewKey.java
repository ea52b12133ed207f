package io.dbprovision.apiserver.auth.delegated;

import io.dbprovision.apiserver.auth.Authorizer.Request;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a SubjectAccessReview asks, and nothing else, as the key of its cached answer: the user (name, uid, groups,
 * extra) and, for a resource request, verb, group, version, resource, subresource, namespace and name, for any other
 * request its path and verb. The answer depends on these only, so two requests that agree on them share it; the
 * path of a resource request is not sent and so not compared (it would only split one review's answer in two).
 *
 * <p>Looked up on every request: the hash is computed once when the key is made (every request builds a new key),
 * and equality compares it first, then the fields most likely to differ. Any field may be null (a
 * SelfSubjectAccessReview passes on what its client sent).
 */
final class ReviewKey {
    private final String user;
    private final String uid;
    private final List<String> groups;
    private final Map<String, List<String>> extra;
    private final boolean resourceRequest;
    private final String verb;
    private final String group;
    private final String version;
    private final String resource;
    private final String subresource;
    private final String namespace;
    private final String objectName;
    private final String path;
    private final int hash;

    private ReviewKey(Request request) {
        this.user = request.user().name();
        this.uid = request.user().uid();
        this.groups = request.user().groups();
        this.extra = request.user().extra();
        this.resourceRequest = request.resourceRequest();
        this.verb = request.verb();
        if (resourceRequest) {
            this.group = request.group();
            this.version = request.version();
            this.resource = request.resource();
            this.subresource = request.subresource();
            this.namespace = request.namespace();
            this.objectName = request.name();
            this.path = "";
        } else {
            this.group = "";
            this.version = "";
            this.resource = "";
            this.subresource = "";
            this.namespace = "";
            this.objectName = "";
            this.path = request.path();
        }
        int h = Objects.hashCode(user);
        h = 31 * h + Objects.hashCode(uid);
        h = 31 * h + Objects.hashCode(groups);
        h = 31 * h + extra.hashCode();
        h = 31 * h + Boolean.hashCode(resourceRequest);
        h = 31 * h + Objects.hashCode(verb);
        h = 31 * h + Objects.hashCode(group);
        h = 31 * h + Objects.hashCode(version);
        h = 31 * h + Objects.hashCode(resource);
        h = 31 * h + Objects.hashCode(subresource);
        h = 31 * h + Objects.hashCode(namespace);
        h = 31 * h + Objects.hashCode(objectName);
        this.hash = 31 * h + Objects.hashCode(path);
    }

    static ReviewKey of(Request request) {
        return new ReviewKey(request);
    }

    String user() {
        return user;
    }

    String uid() {
        return uid;
    }

    List<String> groups() {
        return groups;
    }

    Map<String, List<String>> extra() {
        return extra;
    }

    boolean resourceRequest() {
        return resourceRequest;
    }

    String verb() {
        return verb;
    }

    String group() {
        return group;
    }

    String version() {
        return version;
    }

    String resource() {
        return resource;
    }

    String subresource() {
        return subresource;
    }

    String namespace() {
        return namespace;
    }

    String objectName() {
        return objectName;
    }

    String path() {
        return path;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReviewKey other
                && hash == other.hash
                && resourceRequest == other.resourceRequest
                && Objects.equals(objectName, other.objectName)
                && Objects.equals(namespace, other.namespace)
                && Objects.equals(verb, other.verb)
                && Objects.equals(resource, other.resource)
                && Objects.equals(subresource, other.subresource)
                && Objects.equals(group, other.group)
                && Objects.equals(version, other.version)
                && Objects.equals(path, other.path)
                && Objects.equals(user, other.user)
                && Objects.equals(uid, other.uid)
                && Objects.equals(groups, other.groups)
                && Objects.equals(extra, other.extra);
    }
}
