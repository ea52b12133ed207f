package io.dbprovision.apiserver.auth.rbac;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.admission.AdmissionPlugin;
import io.dbprovision.apiserver.registry.admission.AdmissionRequest;
import io.dbprovision.apiserver.registry.admission.Operation;
import io.dbprovision.proto.k8s.rbac.v1.ClusterRole;
import io.dbprovision.proto.k8s.rbac.v1.ClusterRoleBinding;
import io.dbprovision.proto.k8s.rbac.v1.PolicyRule;
import io.dbprovision.proto.k8s.rbac.v1.Role;
import io.dbprovision.proto.k8s.rbac.v1.RoleBinding;
import io.dbprovision.proto.k8s.rbac.v1.RoleRef;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * RBAC's privilege-escalation prevention, as Kubernetes enforces it in its RBAC storage: a user may write a Role or
 * ClusterRole only with rules they hold themselves (or the {@code escalate} verb on it), and may bind a role only if
 * they hold its rules themselves (or the {@code bind} verb on it). Without it, anyone who may create RoleBindings in
 * a namespace — a namespace admin — could bind {@code cluster-admin} there and own the namespace's Secrets and more.
 */
public final class RbacEscalationCheck implements AdmissionPlugin {
    private static final String RBAC = "rbac.authorization.k8s.io";

    private final Authorizer authorizer;
    private final RbacAuthorizer rbac;

    public RbacEscalationCheck(Authorizer authorizer, RbacAuthorizer rbac) {
        this.authorizer = authorizer;
        this.rbac = rbac;
    }

    @Override
    public String name() {
        return "RBACEscalation";
    }

    @Override
    public void admit(AdmissionRequest request) {
        if (request.operation() == Operation.DELETE
                || !request.kind().group().equals(RBAC)
                || request.object().isEmpty()) {
            return;
        }
        UserInfo user = request.context().user();
        Message object = request.object().get();
        String namespace = request.namespace();
        switch (object) {
            case Role role -> checkRules(request, user, role.getRulesList(), "roles", namespace);
            case ClusterRole role -> checkRules(request, user, role.getRulesList(), "clusterroles", "");
            case RoleBinding binding -> checkBind(request, user, binding.getRoleRef(), namespace);
            case ClusterRoleBinding binding -> checkBind(request, user, binding.getRoleRef(), "");
            default -> {}
        }
    }

    private void checkRules(
            AdmissionRequest request, UserInfo user, List<PolicyRule> rules, String resource, String namespace) {
        if (may(user, "escalate", resource, namespace, request.name())) {
            return;
        }
        List<PolicyRule> missing =
                RuleCoverage.uncovered(rbac.rulesFor(user, namespace).rules(), rules);
        if (!missing.isEmpty()) {
            throw forbidden(
                    request, user, "is attempting to grant RBAC permissions not currently held: " + describe(missing));
        }
    }

    private void checkBind(AdmissionRequest request, UserInfo user, RoleRef ref, String namespace) {
        String resource = ref.getKind().equals("Role") ? "roles" : "clusterroles";
        String roleNamespace = ref.getKind().equals("Role") ? namespace : "";
        if (may(user, "bind", resource, namespace, ref.getName())) {
            return;
        }
        Optional<List<PolicyRule>> rules = rbac.rulesOf(ref, namespace);
        if (rules.isEmpty()) {
            throw forbidden(
                    request,
                    user,
                    "cannot bind " + resource + " \"" + ref.getName() + "\", which does not exist"
                            + (roleNamespace.isEmpty() ? "" : " in the namespace \"" + roleNamespace + "\""));
        }
        List<PolicyRule> missing =
                RuleCoverage.uncovered(rbac.rulesFor(user, namespace).rules(), rules.get());
        if (!missing.isEmpty()) {
            throw forbidden(
                    request, user, "is attempting to grant RBAC permissions not currently held: " + describe(missing));
        }
    }

    private boolean may(UserInfo user, String verb, String resource, String namespace, String name) {
        return authorizer
                .authorize(Authorizer.Request.resource(user, verb, RBAC, "v1", resource, namespace, name))
                .allowed();
    }

    private static ApiException forbidden(AdmissionRequest request, UserInfo user, String what) {
        return new ApiException.Forbidden(request.kind().qualifiedResource() + " \"" + request.name()
                + "\" is forbidden: user \"" + user.name() + "\" (groups=" + user.groups() + ") " + what);
    }

    private static String describe(List<PolicyRule> rules) {
        return rules.stream()
                .limit(20)
                .map(rule -> rule.getNonResourceUrlsCount() > 0
                        ? "{NonResourceURLs:" + rule.getNonResourceUrlsList() + ", Verbs:" + rule.getVerbsList() + "}"
                        : "{APIGroups:" + rule.getApiGroupsList() + ", Resources:" + rule.getResourcesList()
                                + (rule.getResourceNamesCount() > 0
                                        ? ", ResourceNames:" + rule.getResourceNamesList()
                                        : "")
                                + ", Verbs:" + rule.getVerbsList() + "}")
                .collect(Collectors.joining(", ", "[", rules.size() > 20 ? ", …]" : "]"));
    }
}
