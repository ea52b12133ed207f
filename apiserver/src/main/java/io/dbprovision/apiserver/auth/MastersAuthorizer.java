package io.dbprovision.apiserver.auth;

/**
 * Standalone mode's authorizer until local RBAC exists: members of {@code system:masters} may do everything, every
 * other user may only read discovery and OpenAPI.
 */
public final class MastersAuthorizer implements Authorizer {
    @Override
    public Decision authorize(Request request) {
        if (request.user().inGroup("system:masters")) {
            return Decision.allow();
        }
        if (!request.resourceRequest() && request.verb().equals("get")) {
            return Decision.allow();
        }
        return Decision.deny("only members of system:masters may use this server in standalone mode");
    }
}
