package io.dbprovision.apiserver.auth.rbac;

import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.proto.k8s.rbac.v1.PolicyRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Kubernetes' RBAC authorizer over the Roles, ClusterRoles and bindings this server serves: a request is allowed when
 * a rule of a role bound to the user (by name, by one of its groups, or as a service account) matches it — any
 * ClusterRoleBinding, or a RoleBinding of the request's namespace. RBAC only grants: otherwise it has no opinion,
 * and the reason names the bindings it could not resolve, so an {@link io.dbprovision.apiserver.auth.AuthorizerChain}
 * may ask the next authorizer or deny.
 */
public final class RbacAuthorizer implements Authorizer {
    private final RbacSource source;

    public RbacAuthorizer(RbacSource source) {
        this.source = source;
    }

    @Override
    public Decision authorize(Request request) {
        RbacPolicy.Grants grants = source.policy().grantsFor(request.user(), request.namespace());
        for (RbacPolicy.Grant grant : grants.grants()) {
            for (PolicyRule rule : grant.rules()) {
                if (RuleMatcher.allows(request, rule)) {
                    return Decision.allow("RBAC: allowed by " + grant.source());
                }
            }
        }
        return Decision.noOpinion(grants.errors().isEmpty() ? "" : "RBAC: " + String.join(", ", grants.errors()));
    }

    /**
     * Every rule granted to {@code user} in {@code namespace} (cluster-wide ones included), for a
     * SelfSubjectRulesReview, with what could not be resolved.
     */
    public Rules rulesFor(UserInfo user, String namespace) {
        RbacPolicy.Grants grants = source.policy().grantsFor(user, namespace);
        List<PolicyRule> rules = new ArrayList<>();
        for (RbacPolicy.Grant grant : grants.grants()) {
            rules.addAll(grant.rules());
        }
        return new Rules(List.copyOf(rules), grants.errors());
    }

    /** The rules a binding in {@code namespace} to {@code ref} would grant; empty when the role does not exist. */
    public java.util.Optional<List<PolicyRule>> rulesOf(
            io.dbprovision.proto.k8s.rbac.v1.RoleRef ref, String namespace) {
        return source.policy().rulesOf(ref, namespace);
    }

    /** The rules of a user, and the errors met collecting them (the rules are complete but for those). */
    public record Rules(List<PolicyRule> rules, List<String> errors) {}
}
