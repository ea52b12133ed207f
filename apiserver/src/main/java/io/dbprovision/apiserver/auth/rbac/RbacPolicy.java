package io.dbprovision.apiserver.auth.rbac;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.proto.k8s.rbac.v1.ClusterRole;
import io.dbprovision.proto.k8s.rbac.v1.ClusterRoleBinding;
import io.dbprovision.proto.k8s.rbac.v1.LabelSelector;
import io.dbprovision.proto.k8s.rbac.v1.LabelSelectorRequirement;
import io.dbprovision.proto.k8s.rbac.v1.PolicyRule;
import io.dbprovision.proto.k8s.rbac.v1.Role;
import io.dbprovision.proto.k8s.rbac.v1.RoleBinding;
import io.dbprovision.proto.k8s.rbac.v1.RoleRef;
import io.dbprovision.proto.k8s.rbac.v1.Subject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One immutable state of the RBAC objects, indexed for authorization: bindings by the subject they name (a user, a
 * group, or a service account as the user name it authenticates with), roles by name with aggregated ClusterRoles'
 * rules resolved. A request then costs a few map look-ups for the user and each of its groups, never a scan of every
 * binding. Built again whenever the objects change ({@link StoreRbacSource}).
 */
public final class RbacPolicy {
    /** The policy of no objects at all: grants nothing. */
    public static final RbacPolicy EMPTY = of(List.of(), List.of(), List.of(), List.of());

    private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

    /** Roles by {@code namespace/name}. */
    private final Map<String, List<PolicyRule>> roles = new HashMap<>();
    /** ClusterRoles by name, aggregated ones with the rules of the roles they select. */
    private final Map<String, List<PolicyRule>> clusterRoles = new HashMap<>();
    /** ClusterRoleBindings by subject key ({@code u:name} or {@code g:name}). */
    private final Map<String, List<BoundSubject>> clusterBindings = new HashMap<>();
    /** RoleBindings by namespace, then subject key. */
    private final Map<String, Map<String, List<BoundSubject>>> roleBindings = new HashMap<>();

    /**
     * A binding as a request meets it: which binding, and what it grants — the role's rules with where they come from,
     * or the error that its role does not exist. Resolved once when the policy is built (the policy never changes), so
     * that a request does not put the same strings together again.
     */
    private record BoundSubject(String binding, Grant grant, String error) {}

    /**
     * A role granted to a user: where from, in Kubernetes' words ({@code ClusterRoleBinding "x" of ClusterRole "y" to
     * Group "z"}), and its rules.
     */
    public record Grant(String source, List<PolicyRule> rules) {}

    /**
     * The roles granted to a user in a namespace, and what could not be resolved (a binding to a role that does not
     * exist), as Kubernetes reports it.
     */
    public record Grants(List<Grant> grants, List<String> errors) {}

    private RbacPolicy(
            Collection<Role> roleList,
            Collection<ClusterRole> clusterRoleList,
            Collection<RoleBinding> roleBindingList,
            Collection<ClusterRoleBinding> clusterRoleBindingList) {
        for (Role role : roleList) {
            roles.put(
                    role.getMetadata().getNamespace() + "/" + role.getMetadata().getName(),
                    List.copyOf(role.getRulesList()));
        }
        Map<String, ClusterRole> byName = new HashMap<>();
        for (ClusterRole role : clusterRoleList) {
            byName.put(role.getMetadata().getName(), role);
        }
        for (ClusterRole role : clusterRoleList) {
            clusterRoles.put(role.getMetadata().getName(), List.copyOf(effectiveRules(role, byName, new HashSet<>())));
        }
        for (ClusterRoleBinding binding :
                sortedByName(clusterRoleBindingList, b -> b.getMetadata().getName())) {
            String name = "ClusterRoleBinding \"" + binding.getMetadata().getName() + "\"";
            for (Subject subject : binding.getSubjectsList()) {
                String key = subjectKey(subject, "");
                if (key != null) {
                    clusterBindings
                            .computeIfAbsent(key, k -> new ArrayList<>())
                            .add(resolve(name, "", describe(subject), binding.getRoleRef()));
                }
            }
        }
        for (RoleBinding binding :
                sortedByName(roleBindingList, b -> b.getMetadata().getName())) {
            String namespace = binding.getMetadata().getNamespace();
            String name = "RoleBinding \"" + binding.getMetadata().getName() + "/" + namespace + "\"";
            for (Subject subject : binding.getSubjectsList()) {
                String key = subjectKey(subject, namespace);
                if (key != null) {
                    roleBindings
                            .computeIfAbsent(namespace, n -> new HashMap<>())
                            .computeIfAbsent(key, k -> new ArrayList<>())
                            .add(resolve(name, namespace, describe(subject), binding.getRoleRef()));
                }
            }
        }
    }

    public static RbacPolicy of(
            Collection<Role> roles,
            Collection<ClusterRole> clusterRoles,
            Collection<RoleBinding> roleBindings,
            Collection<ClusterRoleBinding> clusterRoleBindings) {
        return new RbacPolicy(roles, clusterRoles, roleBindings, clusterRoleBindings);
    }

    /** The policy of a mix of RBAC objects (other kinds are ignored), such as the documents of a manifest. */
    public static RbacPolicy of(Collection<? extends Message> objects) {
        List<Role> roles = new ArrayList<>();
        List<ClusterRole> clusterRoles = new ArrayList<>();
        List<RoleBinding> roleBindings = new ArrayList<>();
        List<ClusterRoleBinding> clusterRoleBindings = new ArrayList<>();
        for (Message object : objects) {
            switch (object) {
                case Role role -> roles.add(role);
                case ClusterRole role -> clusterRoles.add(role);
                case RoleBinding binding -> roleBindings.add(binding);
                case ClusterRoleBinding binding -> clusterRoleBindings.add(binding);
                default -> {}
            }
        }
        return of(roles, clusterRoles, roleBindings, clusterRoleBindings);
    }

    /**
     * Every role granted to {@code user} that applies in {@code namespace}: the ClusterRoleBindings first, then (for a
     * namespace) that namespace's RoleBindings. Each binding counts once, by the first of its subjects the user is.
     *
     * @param namespace the request's namespace; empty for cluster-scoped requests and non-resource paths
     */
    public Grants grantsFor(UserInfo user, String namespace) {
        List<String> keys = keysOf(user);
        List<Grant> grants = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        collect(clusterBindings, keys, grants, errors);
        if (!namespace.isEmpty()) {
            collect(roleBindings.getOrDefault(namespace, Map.of()), keys, grants, errors);
        }
        return new Grants(grants, errors);
    }

    private void collect(
            Map<String, List<BoundSubject>> index, List<String> keys, List<Grant> grants, List<String> errors) {
        Set<String> seen = new HashSet<>(); // each binding once, in the order first met
        for (String key : keys) {
            for (BoundSubject bound : index.getOrDefault(key, List.of())) {
                if (!seen.add(bound.binding())) {
                    continue;
                }
                if (bound.grant() == null) {
                    errors.add(bound.error());
                } else {
                    grants.add(bound.grant());
                }
            }
        }
    }

    /** What a binding in {@code namespace} of {@code subject} to {@code ref} grants; the roles are indexed already. */
    private BoundSubject resolve(String binding, String namespace, String subject, RoleRef ref) {
        Optional<List<PolicyRule>> rules = rulesOf(ref, namespace);
        if (rules.isEmpty()) {
            return new BoundSubject(
                    binding,
                    null,
                    ref.getKind().toLowerCase() + ".rbac.authorization.k8s.io \"" + ref.getName() + "\" not found");
        }
        return new BoundSubject(
                binding,
                new Grant(binding + " of " + ref.getKind() + " \"" + ref.getName() + "\" to " + subject, rules.get()),
                null);
    }

    /**
     * The rules a binding in {@code namespace} grants through {@code ref} (aggregated cluster roles with their
     * aggregated rules); empty when the role does not exist.
     */
    public Optional<List<PolicyRule>> rulesOf(RoleRef ref, String namespace) {
        List<PolicyRule> rules = ref.getKind().equals("Role")
                ? roles.get(namespace + "/" + ref.getName())
                : ref.getKind().equals("ClusterRole") ? clusterRoles.get(ref.getName()) : null;
        return Optional.ofNullable(rules);
    }

    /** The index keys a user is found under: its name (service accounts too) and each group. */
    private static List<String> keysOf(UserInfo user) {
        List<String> keys = new ArrayList<>(user.groups().size() + 1);
        keys.add("u:" + user.name());
        for (String group : user.groups()) {
            keys.add("g:" + group);
        }
        return keys;
    }

    /**
     * The key of a subject: users by name, groups by name, service accounts by the user name they authenticate as
     * ({@code system:serviceaccount:<namespace>:<name>}; in a RoleBinding the namespace defaults to the binding's).
     * Null for a subject that can match nobody (an unknown kind, a service account without a namespace).
     */
    private static String subjectKey(Subject subject, String bindingNamespace) {
        return switch (subject.getKind()) {
            case "User" -> "u:" + subject.getName();
            case "Group" -> "g:" + subject.getName();
            case "ServiceAccount" -> {
                String namespace = subject.getNamespace().isEmpty() ? bindingNamespace : subject.getNamespace();
                yield namespace.isEmpty() ? null : "u:" + SERVICE_ACCOUNT_PREFIX + namespace + ":" + subject.getName();
            }
            default -> null;
        };
    }

    private static String describe(Subject subject) {
        if (subject.getKind().equals("ServiceAccount")) {
            return "ServiceAccount \"" + subject.getName() + "/" + subject.getNamespace() + "\"";
        }
        return subject.getKind() + " \"" + subject.getName() + "\"";
    }

    /**
     * A ClusterRole's rules; for an aggregated one, as Kubernetes' aggregation controller computes them: the union of
     * the rules of every other ClusterRole a selector matches (its own rules are the controller's output, so they are
     * not added). Aggregated roles that select each other are followed once.
     */
    private static Set<PolicyRule> effectiveRules(
            ClusterRole role, Map<String, ClusterRole> byName, Set<String> visiting) {
        if (!role.hasAggregationRule()) {
            return new LinkedHashSet<>(role.getRulesList());
        }
        Set<PolicyRule> rules = new LinkedHashSet<>();
        if (!visiting.add(role.getMetadata().getName())) {
            return rules;
        }
        List<ClusterRole> candidates =
                sortedByName(byName.values(), r -> r.getMetadata().getName());
        for (LabelSelector selector : role.getAggregationRule().getClusterRoleSelectorsList()) {
            for (ClusterRole candidate : candidates) {
                if (!candidate.getMetadata().getName().equals(role.getMetadata().getName())
                        && selects(selector, candidate.getMetadata().getLabelsMap())) {
                    rules.addAll(effectiveRules(candidate, byName, visiting));
                }
            }
        }
        visiting.remove(role.getMetadata().getName());
        return rules;
    }

    /** Kubernetes' label selector semantics; a selector with no conditions matches everything. */
    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        for (Map.Entry<String, String> entry : selector.getMatchLabelsMap().entrySet()) {
            if (!entry.getValue().equals(labels.get(entry.getKey()))) {
                return false;
            }
        }
        for (LabelSelectorRequirement requirement : selector.getMatchExpressionsList()) {
            String value = labels.get(requirement.getKey());
            boolean holds = switch (requirement.getOperator()) {
                case "In" -> value != null && requirement.getValuesList().contains(value);
                case "NotIn" -> value == null || !requirement.getValuesList().contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> false;
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    private static <T> List<T> sortedByName(Collection<T> items, java.util.function.Function<T, String> name) {
        List<T> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(name));
        return sorted;
    }
}
