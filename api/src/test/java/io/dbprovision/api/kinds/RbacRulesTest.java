package io.dbprovision.api.kinds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.codec.Limits;
import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.proto.k8s.rbac.v1.RoleBinding;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RBAC objects are checked as Kubernetes checks them, with its messages. */
class RbacRulesTest {
    private final KubeCodec codec = new KubeCodec(Schema.rbac(), Limits.defaults());
    private final ObjectRules rules = ObjectRules.rbac();

    private Message decode(String yaml) {
        return rules.applyDefaults(codec.decodeYaml(yaml).getFirst().object());
    }

    private List<String> errors(String yaml) {
        return rules.validateCreate(decode(yaml)).errors().stream()
                .map(FieldError::toString)
                .toList();
    }

    private static final String ROLE = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: r, namespace: ns}
            """;
    private static final String CLUSTER_ROLE = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: "system:r"}
            """;

    @Test
    void aRuleNeedsVerbsAndEitherGroupsAndResourcesOrUrls() {
        assertThat(errors(ROLE + "rules: [{apiGroups: [''], resources: [secrets]}]"))
                .containsExactly("rules[0].verbs: Required value: verbs must contain at least one value");
        assertThat(errors(ROLE + "rules: [{verbs: [get]}]"))
                .containsExactly(
                        "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
                        "rules[0].resources: Required value: resource rules must supply at least one resource");
        assertThat(errors(ROLE + "rules: [{verbs: [get], apiGroups: [''], resources: [secrets]}]"))
                .isEmpty();
    }

    @Test
    void nonResourceUrlsOnlyInClusterRolesAndNeverWithResources() {
        assertThat(errors(ROLE + "rules: [{verbs: [get], nonResourceURLs: [/healthz]}]"))
                .containsExactly("rules[0].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules"
                        + " cannot apply to non-resource URLs");
        assertThat(errors(CLUSTER_ROLE + "rules: [{verbs: [get], nonResourceURLs: [/healthz]}]"))
                .isEmpty();
        assertThat(errors(CLUSTER_ROLE + "rules: [{verbs: [get], resources: [x], nonResourceURLs: ['/a/*']}]"))
                .containsExactly("rules[0].nonResourceURLs: Invalid value: []string{\"/a/*\"}: rules cannot apply to"
                        + " both regular resources and non-resource URLs");
    }

    @Test
    void rbacNamesArePathSegmentsSoColonsAreFine() {
        assertThat(errors(CLUSTER_ROLE)).isEmpty();
        assertThat(errors("""
                        apiVersion: rbac.authorization.k8s.io/v1
                        kind: ClusterRole
                        metadata: {name: "a/b"}
                        """)).containsExactly("metadata.name: Invalid value: \"a/b\": may not contain '/'");
    }

    @Test
    void anAggregationRuleNeedsASelector() {
        assertThat(errors(CLUSTER_ROLE + "aggregationRule: {}"))
                .containsExactly("aggregationRule.clusterRoleSelectors: Required value: at least one"
                        + " clusterRoleSelector required if aggregationRule is non-nil");
        assertThat(errors(CLUSTER_ROLE + "aggregationRule: {clusterRoleSelectors: [{matchLabels: {a: 'true'}}]}"))
                .isEmpty();
    }

    private static final String BINDING = """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: b, namespace: ns}
            """;

    @Test
    void aBindingNeedsARoleRef() {
        assertThat(errors(BINDING + "subjects: [{kind: User, name: alice}]"))
                .containsExactly("roleRef: Required value: a binding must name the role it grants");
        assertThat(errors(BINDING + "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Secret, name: x}"))
                .containsExactly("roleRef.kind: Unsupported value: \"Secret\": supported values: \"Role\","
                        + " \"ClusterRole\"");
        assertThat(errors("""
                        apiVersion: rbac.authorization.k8s.io/v1
                        kind: ClusterRoleBinding
                        metadata: {name: b}
                        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}
                        """))
                .containsExactly("roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"");
    }

    @Test
    void subjectsAreUsersGroupsOrServiceAccountsAndUsersGetTheRbacGroup() {
        String valid = BINDING + "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}\n";
        RoleBinding defaulted =
                (RoleBinding) decode(valid + "subjects: [{kind: User, name: alice}, {kind: ServiceAccount, name: d}]");
        assertThat(defaulted.getSubjects(0).getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
        assertThat(defaulted.getSubjects(1).getApiGroup()).isEmpty();
        assertThat(rules.validateCreate(defaulted).errors()).isEmpty();

        assertThat(errors(valid + "subjects: [{kind: Robot, name: r2}]"))
                .containsExactly("subjects[0].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\","
                        + " \"User\", \"Group\"");
        assertThat(errors(valid + "subjects: [{kind: Group}]")).containsExactly("subjects[0].name: Required value");
        assertThat(errors("""
                        apiVersion: rbac.authorization.k8s.io/v1
                        kind: ClusterRoleBinding
                        metadata: {name: b}
                        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: x}
                        subjects: [{kind: ServiceAccount, name: default}]
                        """)).containsExactly("subjects[0].namespace: Required value");
    }

    @Test
    void aBindingsRoleRefNeverChanges() {
        String yaml = BINDING + "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}\n";
        RoleBinding old = (RoleBinding) decode(yaml);
        RoleBinding changed = old.toBuilder()
                .setRoleRef(old.getRoleRef().toBuilder().setName("y"))
                .build();
        assertThat(rules.validateUpdate(old, changed).errors().stream().map(FieldError::toString))
                .containsExactly("roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\","
                        + " Kind:\"Role\", Name:\"y\"}: cannot change roleRef");
        assertThat(rules.validateUpdate(
                                old,
                                old.toBuilder()
                                        .addSubjects(
                                                old.getSubjectsCount(),
                                                io.dbprovision.proto.k8s.rbac.v1.Subject.newBuilder()
                                                        .setKind("Group")
                                                        .setApiGroup("rbac.authorization.k8s.io")
                                                        .setName("g")
                                                        .build())
                                        .build())
                        .errors())
                .isEmpty();
    }
}
