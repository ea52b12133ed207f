package io.dbprovision.apiserver.auth;

/**
 * Decides whether a user may do something, as Kubernetes' authorizers do: allow, deny, or no opinion (the next
 * authorizer of an {@link AuthorizerChain} decides). The REST layer answers 403 with the reason unless allowed.
 */
public interface Authorizer {

    /**
     * What a request does, as a SubjectAccessReview describes it: for resource requests the verb, group, resource,
     * subresource, namespace and name; for others the path and the lower-case HTTP verb.
     */
    record Request(
            UserInfo user,
            boolean resourceRequest,
            String verb,
            String group,
            String version,
            String resource,
            String subresource,
            String namespace,
            String name,
            String path) {

        /** A resource request, as admission asks "may this user get that object?". */
        public static Request resource(
                UserInfo user,
                String verb,
                String group,
                String version,
                String resource,
                String namespace,
                String name) {
            return new Request(user, true, verb, group, version, resource, "", namespace, name, "");
        }

        /** A request for a path that names no resource (discovery, OpenAPI, health). */
        public static Request nonResource(UserInfo user, String verb, String path) {
            return new Request(user, false, verb, "", "", "", "", "", "", path);
        }
    }

    enum Verdict {
        ALLOW,
        DENY,
        NO_OPINION
    }

    record Decision(Verdict verdict, String reason) {
        public static Decision allow() {
            return new Decision(Verdict.ALLOW, "");
        }

        public static Decision allow(String reason) {
            return new Decision(Verdict.ALLOW, reason);
        }

        public static Decision deny(String reason) {
            return new Decision(Verdict.DENY, reason);
        }

        public static Decision noOpinion(String reason) {
            return new Decision(Verdict.NO_OPINION, reason);
        }

        public boolean allowed() {
            return verdict == Verdict.ALLOW;
        }
    }

    Decision authorize(Request request);
}
