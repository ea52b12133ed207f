package io.dbprovision.apiserver.auth.rbac;

import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.DeleteOptions;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.k8s.rbac.v1.AggregationRule;
import io.dbprovision.proto.k8s.rbac.v1.ClusterRole;
import io.dbprovision.proto.k8s.rbac.v1.ClusterRoleBinding;
import io.dbprovision.proto.k8s.rbac.v1.LabelSelector;
import io.dbprovision.proto.k8s.rbac.v1.PolicyRule;
import io.dbprovision.proto.k8s.rbac.v1.RoleRef;
import io.dbprovision.proto.k8s.rbac.v1.Subject;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default ClusterRoles and ClusterRoleBindings of standalone mode, those of Kubernetes' bootstrap policy that
 * matter here: {@code cluster-admin} (bound to {@code system:masters}), the user-facing {@code admin}, {@code edit}
 * and {@code view} (aggregated from {@code system:aggregate-to-*}, so a ClusterRole labelled
 * {@code rbac.authorization.k8s.io/aggregate-to-view: "true"} extends view, as in a cluster) covering the
 * dbops.dbprovision.io kinds and the core kinds served, {@code system:discovery}, {@code system:basic-user} (may ask
 * SelfSubjectAccessReviews and SelfSubjectRulesReviews) and {@code system:public-info-viewer}.
 *
 * <p>{@link #ensure} reconciles them on every start as the kube-apiserver does: a missing object is created; an existing
 * one gets what it lacks (rules, subjects, labels, annotations, aggregation selectors) added, never removed, so edits
 * that widen it survive; an object annotated {@code rbac.authorization.kubernetes.io/autoupdate: "false"} is left
 * exactly as it is; a binding whose roleRef differs is recreated (a roleRef cannot change).
 */
public final class BootstrapPolicy {
    private static final RequestContext BOOTSTRAP = RequestContext.internal("system:dbprovision:rbac-bootstrap");
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapPolicy.class);

    public static final String AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate";
    public static final String BOOTSTRAPPING = "kubernetes.io/bootstrapping";
    public static final String AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-";

    private static final String RBAC = "rbac.authorization.k8s.io";
    private static final String API_VERSION = RBAC + "/v1";
    private static final WriteOptions AS_BOOTSTRAP = new WriteOptions(false, "rbac-bootstrap");
    private static final List<String> READ = List.of("get", "list", "watch");
    private static final List<String> WRITE = List.of("create", "delete", "deletecollection", "patch", "update");
    private static final List<String> ALL =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    private BootstrapPolicy() {}

    /** The default ClusterRoles; the aggregated ones carry the rules their aggregation yields, for display. */
    public static List<ClusterRole> clusterRoles() {
        ClusterRole toView = clusterRole(
                "system:aggregate-to-view",
                viewRules(),
                Map.of(AGGREGATE_TO + "admin", "true", AGGREGATE_TO + "edit", "true", AGGREGATE_TO + "view", "true"));
        ClusterRole toEdit = clusterRole(
                "system:aggregate-to-edit",
                editRules(),
                Map.of(AGGREGATE_TO + "admin", "true", AGGREGATE_TO + "edit", "true"));
        ClusterRole toAdmin =
                clusterRole("system:aggregate-to-admin", adminRules(), Map.of(AGGREGATE_TO + "admin", "true"));
        return List.of(
                clusterRole(
                        "cluster-admin",
                        List.of(
                                rule(List.of("*"), List.of("*"), List.of("*")),
                                nonResource(List.of("*"), List.of("*"))),
                        Map.of()),
                aggregated("admin", "admin", union(toAdmin, toEdit, toView)),
                aggregated("edit", "edit", union(toEdit, toView)),
                aggregated("view", "view", union(toView)),
                toAdmin,
                toEdit,
                toView,
                clusterRole(
                        "system:discovery",
                        List.of(nonResource(
                                List.of("get"),
                                List.of(
                                        "/api",
                                        "/api/*",
                                        "/apis",
                                        "/apis/*",
                                        "/healthz",
                                        "/livez",
                                        "/openapi",
                                        "/openapi/*",
                                        "/readyz",
                                        "/version",
                                        "/version/"))),
                        Map.of()),
                clusterRole(
                        "system:basic-user",
                        List.of(rule(
                                List.of("create"),
                                List.of("authorization.k8s.io"),
                                List.of("selfsubjectaccessreviews", "selfsubjectrulesreviews"))),
                        Map.of()),
                clusterRole(
                        "system:public-info-viewer",
                        List.of(nonResource(
                                List.of("get"), List.of("/healthz", "/livez", "/readyz", "/version", "/version/"))),
                        Map.of()));
    }

    /** The default ClusterRoleBindings. */
    public static List<ClusterRoleBinding> clusterRoleBindings() {
        return List.of(
                binding("cluster-admin", "system:masters"),
                binding("system:discovery", "system:authenticated"),
                binding("system:basic-user", "system:authenticated"),
                binding("system:public-info-viewer", "system:authenticated", "system:unauthenticated"));
    }

    /** Creates or reconciles every default object in the registry's RBAC stores (see the class comment). */
    public static void ensure(Registry registry) {
        ResourceStore roles = registry.lookup(API_VERSION, "clusterroles").orElseThrow();
        ResourceStore bindings =
                registry.lookup(API_VERSION, "clusterrolebindings").orElseThrow();
        for (ClusterRole wanted : clusterRoles()) {
            String name = wanted.getMetadata().getName();
            try {
                ClusterRole existing = (ClusterRole) roles.get(BOOTSTRAP, "", name);
                reconcile(existing, wanted).ifPresent(updated -> {
                    roles.update(BOOTSTRAP, "", name, updated, AS_BOOTSTRAP, false);
                    LOG.info("RBAC bootstrap: ClusterRole {} reconciled", name);
                });
            } catch (ApiException.NotFound missing) {
                createQuietly(roles, wanted, name);
            }
        }
        for (ClusterRoleBinding wanted : clusterRoleBindings()) {
            String name = wanted.getMetadata().getName();
            try {
                ClusterRoleBinding existing = (ClusterRoleBinding) bindings.get(BOOTSTRAP, "", name);
                if (!isAutoupdated(existing.getMetadata())) {
                    continue;
                }
                if (!existing.getRoleRef().equals(wanted.getRoleRef())) {
                    bindings.delete(BOOTSTRAP, "", name, DeleteOptions.DEFAULT);
                    createQuietly(bindings, reconcile(wanted, existing).orElse(wanted), name);
                    continue;
                }
                reconcile(existing, wanted).ifPresent(updated -> {
                    bindings.update(BOOTSTRAP, "", name, updated, AS_BOOTSTRAP, false);
                    LOG.info("RBAC bootstrap: ClusterRoleBinding {} reconciled", name);
                });
            } catch (ApiException.NotFound missing) {
                createQuietly(bindings, wanted, name);
            }
        }
    }

    private static void createQuietly(ResourceStore store, com.google.protobuf.Message object, String name) {
        try {
            store.create(BOOTSTRAP, "", object, AS_BOOTSTRAP);
            LOG.info("RBAC bootstrap: {} {} created", store.kind().kind(), name);
        } catch (ApiException.AlreadyExists raced) {
            // another replica created it meanwhile
        }
    }

    /**
     * What an existing ClusterRole lacks of a default one, added; empty when it lacks nothing or must not be
     * touched.
     */
    public static Optional<ClusterRole> reconcile(ClusterRole existing, ClusterRole wanted) {
        if (!isAutoupdated(existing.getMetadata())) {
            return Optional.empty();
        }
        ClusterRole.Builder updated =
                existing.toBuilder().setMetadata(withMissingMeta(existing.getMetadata(), wanted.getMetadata()));
        Set<PolicyRule> rules = new LinkedHashSet<>(existing.getRulesList());
        rules.addAll(wanted.getRulesList());
        updated.clearRules().addAllRules(rules);
        if (wanted.hasAggregationRule()) {
            Set<LabelSelector> selectors =
                    new LinkedHashSet<>(existing.getAggregationRule().getClusterRoleSelectorsList());
            selectors.addAll(wanted.getAggregationRule().getClusterRoleSelectorsList());
            updated.setAggregationRule(AggregationRule.newBuilder().addAllClusterRoleSelectors(selectors));
        }
        ClusterRole result = updated.build();
        return result.equals(existing) ? Optional.empty() : Optional.of(result);
    }

    /** What an existing ClusterRoleBinding lacks of a default one (subjects, labels, annotations), added. */
    public static Optional<ClusterRoleBinding> reconcile(ClusterRoleBinding existing, ClusterRoleBinding wanted) {
        if (!isAutoupdated(existing.getMetadata())) {
            return Optional.empty();
        }
        Set<Subject> subjects = new LinkedHashSet<>(existing.getSubjectsList());
        subjects.addAll(wanted.getSubjectsList());
        ClusterRoleBinding result = existing.toBuilder()
                .setMetadata(withMissingMeta(existing.getMetadata(), wanted.getMetadata()))
                .clearSubjects()
                .addAllSubjects(subjects)
                .build();
        return result.equals(existing) ? Optional.empty() : Optional.of(result);
    }

    private static boolean isAutoupdated(ObjectMeta meta) {
        return !"false".equals(meta.getAnnotationsMap().get(AUTOUPDATE));
    }

    private static ObjectMeta withMissingMeta(ObjectMeta existing, ObjectMeta wanted) {
        ObjectMeta.Builder meta = existing.toBuilder();
        wanted.getLabelsMap().forEach((key, value) -> {
            if (!existing.containsLabels(key)) {
                meta.putLabels(key, value);
            }
        });
        wanted.getAnnotationsMap().forEach((key, value) -> {
            if (!existing.containsAnnotations(key)) {
                meta.putAnnotations(key, value);
            }
        });
        return meta.build();
    }

    // ---- the rules

    /**
     * Reading every dbops kind and its status, a database's live drift, namespaces and events; not Secrets (as
     * Kubernetes' view), nor credentials.
     */
    private static List<PolicyRule> viewRules() {
        return List.of(
                rule(READ, List.of(Schema.GROUP), dbopsResources(true)),
                rule(List.of("get"), List.of(Schema.GROUP), List.of("databases/drift")),
                rule(READ, List.of(""), List.of("configmaps", "events", "namespaces", "namespaces/status")));
    }

    /**
     * Writing every dbops kind (not its status, which the reconcilers own), Secrets and ConfigMaps, and reading
     * database users' credentials (whoever may read the Secrets that hold them).
     */
    private static List<PolicyRule> editRules() {
        return List.of(
                rule(WRITE, List.of(Schema.GROUP), dbopsResources(false)),
                rule(List.of("get"), List.of(Schema.GROUP), List.of("databaseusers/credentials")),
                rule(concat(READ, WRITE), List.of(""), List.of("configmaps", "secrets")));
    }

    /** Managing Roles and RoleBindings, so a namespace's admin can grant access in it. */
    private static List<PolicyRule> adminRules() {
        return List.of(rule(ALL, List.of(RBAC), List.of("rolebindings", "roles")));
    }

    private static List<String> dbopsResources(boolean withStatus) {
        List<String> resources = new ArrayList<>();
        for (Kind kind : Schema.get().kinds()) {
            resources.add(kind.plural());
            if (withStatus && kind.descriptor().findFieldByName("status") != null) {
                resources.add(kind.plural() + "/status");
            }
        }
        return resources;
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static List<PolicyRule> union(ClusterRole... roles) {
        Set<PolicyRule> rules = new LinkedHashSet<>();
        for (ClusterRole role : roles) {
            rules.addAll(role.getRulesList());
        }
        return List.copyOf(rules);
    }

    // ---- builders

    private static ObjectMeta.Builder meta(String name) {
        return ObjectMeta.newBuilder()
                .setName(name)
                .putAnnotations(AUTOUPDATE, "true")
                .putLabels(BOOTSTRAPPING, "rbac-defaults");
    }

    private static ClusterRole clusterRole(String name, List<PolicyRule> rules, Map<String, String> labels) {
        return ClusterRole.newBuilder()
                .setApiVersion(API_VERSION)
                .setKind("ClusterRole")
                .setMetadata(meta(name).putAllLabels(labels))
                .addAllRules(rules)
                .build();
    }

    private static ClusterRole aggregated(String name, String aggregateTo, List<PolicyRule> rules) {
        return clusterRole(name, rules, Map.of()).toBuilder()
                .setAggregationRule(AggregationRule.newBuilder()
                        .addClusterRoleSelectors(
                                LabelSelector.newBuilder().putMatchLabels(AGGREGATE_TO + aggregateTo, "true")))
                .build();
    }

    private static ClusterRoleBinding binding(String role, String... groups) {
        ClusterRoleBinding.Builder binding = ClusterRoleBinding.newBuilder()
                .setApiVersion(API_VERSION)
                .setKind("ClusterRoleBinding")
                .setMetadata(meta(role))
                .setRoleRef(RoleRef.newBuilder()
                        .setApiGroup(RBAC)
                        .setKind("ClusterRole")
                        .setName(role));
        for (String group : groups) {
            binding.addSubjects(
                    Subject.newBuilder().setKind("Group").setApiGroup(RBAC).setName(group));
        }
        return binding.build();
    }

    private static PolicyRule rule(List<String> verbs, List<String> groups, List<String> resources) {
        return PolicyRule.newBuilder()
                .addAllVerbs(verbs)
                .addAllApiGroups(groups)
                .addAllResources(resources)
                .build();
    }

    private static PolicyRule nonResource(List<String> verbs, List<String> urls) {
        return PolicyRule.newBuilder()
                .addAllVerbs(verbs)
                .addAllNonResourceUrls(urls)
                .build();
    }
}
