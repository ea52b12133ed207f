package io.dbprovision.apiserver.auth;

/** Decides whether a user may do something. The REST layer answers 403 with the reason when not. */
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
            String path) {}

    record Decision(boolean allowed, String reason) {
        public static Decision allow() {
            return new Decision(true, "");
        }

        public static Decision deny(String reason) {
            return new Decision(false, reason);
        }
    }

    Decision authorize(Request request);
}
