package io.dbprovision.api.kinds;

import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.api.validation.ObjectMetaValidator;
import io.dbprovision.proto.k8s.rbac.v1.ClusterRole;
import io.dbprovision.proto.k8s.rbac.v1.ClusterRoleBinding;
import io.dbprovision.proto.k8s.rbac.v1.LabelSelector;
import io.dbprovision.proto.k8s.rbac.v1.LabelSelectorRequirement;
import io.dbprovision.proto.k8s.rbac.v1.PolicyRule;
import io.dbprovision.proto.k8s.rbac.v1.Role;
import io.dbprovision.proto.k8s.rbac.v1.RoleBinding;
import io.dbprovision.proto.k8s.rbac.v1.RoleRef;
import io.dbprovision.proto.k8s.rbac.v1.Subject;
import java.util.List;

/**
 * Role, ClusterRole, RoleBinding and ClusterRoleBinding, checked as Kubernetes' RBAC validation checks them, with its
 * messages: every rule names verbs, and either API groups and resources or (in cluster roles only) non-resource URLs;
 * a binding's roleRef is required and can never change (a binding's meaning must not shift under its subjects);
 * subjects are Users, Groups or ServiceAccounts. Names are URL path segments, so {@code system:basic-user} is one.
 */
public final class RbacRules {
    /** The API group of RBAC, the only one a roleRef or a User or Group subject may name. */
    public static final String GROUP = "rbac.authorization.k8s.io";

    private RbacRules() {}

    static KindRules<Role> roles() {
        return new RbacKindRules<>(Role.class) {
            @Override
            public void validate(Role role, Findings findings) {
                validateRules(role.getRulesList(), true, findings);
            }
        };
    }

    static KindRules<ClusterRole> clusterRoles() {
        return new RbacKindRules<>(ClusterRole.class) {
            @Override
            public void validate(ClusterRole role, Findings findings) {
                validateRules(role.getRulesList(), false, findings);
                if (role.hasAggregationRule()) {
                    FieldPath path = FieldPath.of("aggregationRule.clusterRoleSelectors");
                    List<LabelSelector> selectors = role.getAggregationRule().getClusterRoleSelectorsList();
                    if (selectors.isEmpty()) {
                        findings.error(FieldError.required(
                                path, "at least one clusterRoleSelector required if aggregationRule is non-nil"));
                    }
                    for (int i = 0; i < selectors.size(); i++) {
                        validateSelector(selectors.get(i), path.index(i), findings);
                    }
                }
            }
        };
    }

    static KindRules<RoleBinding> roleBindings() {
        return new RbacKindRules<>(RoleBinding.class) {
            @Override
            public RoleBinding defaults(RoleBinding binding) {
                RoleBinding.Builder builder = binding.toBuilder();
                for (int i = 0; i < builder.getSubjectsCount(); i++) {
                    builder.setSubjects(i, defaultSubject(builder.getSubjects(i)));
                }
                return builder.build();
            }

            @Override
            public void validate(RoleBinding binding, Findings findings) {
                validateRoleRef(binding.hasRoleRef(), binding.getRoleRef(), List.of("Role", "ClusterRole"), findings);
                validateSubjects(binding.getSubjectsList(), true, findings);
            }

            @Override
            public void validateUpdate(RoleBinding old, RoleBinding updated, Findings findings) {
                validateRoleRefUnchanged(old.getRoleRef(), updated.getRoleRef(), findings);
            }
        };
    }

    static KindRules<ClusterRoleBinding> clusterRoleBindings() {
        return new RbacKindRules<>(ClusterRoleBinding.class) {
            @Override
            public ClusterRoleBinding defaults(ClusterRoleBinding binding) {
                ClusterRoleBinding.Builder builder = binding.toBuilder();
                for (int i = 0; i < builder.getSubjectsCount(); i++) {
                    builder.setSubjects(i, defaultSubject(builder.getSubjects(i)));
                }
                return builder.build();
            }

            @Override
            public void validate(ClusterRoleBinding binding, Findings findings) {
                validateRoleRef(binding.hasRoleRef(), binding.getRoleRef(), List.of("ClusterRole"), findings);
                validateSubjects(binding.getSubjectsList(), false, findings);
            }

            @Override
            public void validateUpdate(ClusterRoleBinding old, ClusterRoleBinding updated, Findings findings) {
                validateRoleRefUnchanged(old.getRoleRef(), updated.getRoleRef(), findings);
            }
        };
    }

    /** The kind's message type, and RBAC's naming rule. */
    private abstract static class RbacKindRules<T extends com.google.protobuf.Message> implements KindRules<T> {
        private final Class<T> type;

        RbacKindRules(Class<T> type) {
            this.type = type;
        }

        @Override
        public Class<T> type() {
            return type;
        }

        @Override
        public ObjectMetaValidator.Names names() {
            return ObjectMetaValidator.Names.PATH_SEGMENT;
        }
    }

    /** As Kubernetes defaults a subject's apiGroup: RBAC's for users and groups, the core group for service accounts. */
    static Subject defaultSubject(Subject subject) {
        if (!subject.getApiGroup().isEmpty()) {
            return subject;
        }
        return switch (subject.getKind()) {
            case "User", "Group" -> subject.toBuilder().setApiGroup(GROUP).build();
            default -> subject;
        };
    }

    private static void validateRules(List<PolicyRule> rules, boolean namespaced, Findings findings) {
        for (int i = 0; i < rules.size(); i++) {
            validateRule(rules.get(i), namespaced, FieldPath.of("rules").index(i), findings);
        }
    }

    private static void validateRule(PolicyRule rule, boolean namespaced, FieldPath path, Findings findings) {
        if (rule.getVerbsCount() == 0) {
            findings.error(FieldError.required(path.child("verbs"), "verbs must contain at least one value"));
        }
        if (rule.getNonResourceUrlsCount() > 0) {
            Printed urls = goList(rule.getNonResourceUrlsList());
            if (namespaced) {
                findings.error(FieldError.invalid(
                        path.child("nonResourceURLs"), urls, "namespaced rules cannot apply to non-resource URLs"));
            }
            if (rule.getApiGroupsCount() > 0 || rule.getResourcesCount() > 0) {
                findings.error(FieldError.invalid(
                        path.child("nonResourceURLs"),
                        urls,
                        "rules cannot apply to both regular resources and non-resource URLs"));
            }
            return;
        }
        if (rule.getApiGroupsCount() == 0) {
            findings.error(
                    FieldError.required(path.child("apiGroups"), "resource rules must supply at least one api group"));
        }
        if (rule.getResourcesCount() == 0) {
            findings.error(
                    FieldError.required(path.child("resources"), "resource rules must supply at least one resource"));
        }
    }

    private static void validateRoleRef(boolean present, RoleRef ref, List<String> kinds, Findings findings) {
        FieldPath path = FieldPath.of("roleRef");
        if (!present) {
            findings.error(FieldError.required(path, "a binding must name the role it grants"));
            return;
        }
        if (!ref.getApiGroup().equals(GROUP)) {
            findings.error(FieldError.notSupported(path.child("apiGroup"), ref.getApiGroup(), List.of(GROUP)));
        }
        if (!kinds.contains(ref.getKind())) {
            findings.error(FieldError.notSupported(path.child("kind"), ref.getKind(), kinds));
        }
        if (ref.getName().isEmpty()) {
            findings.error(FieldError.required(path.child("name"), ""));
        } else {
            for (String problem : ObjectMetaValidator.pathSegmentProblems(ref.getName(), false)) {
                findings.error(FieldError.invalid(path.child("name"), ref.getName(), problem));
            }
        }
    }

    private static void validateRoleRefUnchanged(RoleRef old, RoleRef updated, Findings findings) {
        if (!old.equals(updated)) {
            findings.error(FieldError.invalid(
                    FieldPath.of("roleRef"),
                    new Printed("rbac.RoleRef{APIGroup:\"" + updated.getApiGroup() + "\", Kind:\"" + updated.getKind()
                            + "\", Name:\"" + updated.getName() + "\"}"),
                    "cannot change roleRef"));
        }
    }

    private static void validateSubjects(List<Subject> subjects, boolean namespaced, Findings findings) {
        for (int i = 0; i < subjects.size(); i++) {
            validateSubject(
                    subjects.get(i), namespaced, FieldPath.of("subjects").index(i), findings);
        }
    }

    private static void validateSubject(Subject subject, boolean namespaced, FieldPath path, Findings findings) {
        if (subject.getName().isEmpty()) {
            findings.error(FieldError.required(path.child("name"), ""));
        }
        switch (subject.getKind()) {
            case "ServiceAccount" -> {
                if (!subject.getName().isEmpty() && !isServiceAccountName(subject.getName())) {
                    findings.error(FieldError.invalid(
                            path.child("name"),
                            subject.getName(),
                            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-'"
                                    + " or '.', and must start and end with an alphanumeric character"));
                }
                if (!subject.getApiGroup().isEmpty()) {
                    findings.error(FieldError.notSupported(path.child("apiGroup"), subject.getApiGroup(), List.of("")));
                }
                if (!namespaced && subject.getNamespace().isEmpty()) {
                    findings.error(FieldError.required(path.child("namespace"), ""));
                }
            }
            case "User", "Group" -> {
                if (!subject.getApiGroup().equals(GROUP)) {
                    findings.error(
                            FieldError.notSupported(path.child("apiGroup"), subject.getApiGroup(), List.of(GROUP)));
                }
            }
            default ->
                findings.error(FieldError.notSupported(
                        path.child("kind"), subject.getKind(), List.of("ServiceAccount", "User", "Group")));
        }
    }

    private static boolean isServiceAccountName(String name) {
        return name.length() <= 253 && name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    }

    private static void validateSelector(LabelSelector selector, FieldPath path, Findings findings) {
        List<LabelSelectorRequirement> expressions = selector.getMatchExpressionsList();
        for (int i = 0; i < expressions.size(); i++) {
            LabelSelectorRequirement requirement = expressions.get(i);
            FieldPath at = path.child("matchExpressions").index(i);
            switch (requirement.getOperator()) {
                case "In", "NotIn" -> {
                    if (requirement.getValuesCount() == 0) {
                        findings.error(FieldError.required(
                                at.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
                    }
                }
                case "Exists", "DoesNotExist" -> {
                    if (requirement.getValuesCount() > 0) {
                        findings.error(FieldError.forbidden(
                                at.child("values"),
                                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    }
                }
                default ->
                    findings.error(FieldError.invalid(
                            at.child("operator"), requirement.getOperator(), "not a valid selector operator"));
            }
        }
    }

    /** A value already printed as Go prints it in field errors (not quoted again). */
    private record Printed(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** A list as Go prints a []string in field errors: {@code []string{"/healthz"}}. */
    private static Printed goList(List<String> values) {
        StringBuilder out = new StringBuilder("[]string{");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append('"').append(values.get(i)).append('"');
        }
        return new Printed(out.append('}').toString());
    }
}
