package io.dbprovision.apiserver.auth;

import java.util.List;

/**
 * Members of these groups ({@code system:masters} by default) may do everything without a SubjectAccessReview, as
 * k8s.io/apiserver's delegated authorization does: the aggregator's discovery and OpenAPI fetches come as
 * {@code system:masters}, and must work even while the cluster's authorizer is slow. Others get no opinion.
 */
public final class AlwaysAllowGroupsAuthorizer implements Authorizer {
    private final List<String> groups;

    public AlwaysAllowGroupsAuthorizer(List<String> groups) {
        this.groups = List.copyOf(groups);
    }

    @Override
    public Decision authorize(Request request) {
        for (String group : groups) {
            if (request.user().inGroup(group)) {
                return Decision.allow();
            }
        }
        return Decision.noOpinion("");
    }
}
