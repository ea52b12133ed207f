package io.dbprovision.apiserver.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The audit policy chooses a request's level as Kubernetes' policy checker does: every rule feature, the first matching
 * rule winning, and no match meaning None; and a policy file that is not valid is refused with its fields named.
 */
class AuditPolicyTest {
    /** One rule per feature; the table below names, for each request, the rule that must match it. */
    private static final String POLICY = """
            apiVersion: audit.k8s.io/v1
            kind: Policy
            omitStages: [RequestReceived]
            rules:
              # 0: a user at None, whatever they do
              - level: None
                users: ["system:kube-proxy"]
              # 1: a group reading events
              - level: RequestResponse
                userGroups: ["system:nodes"]
                verbs: [get, list, watch]
              # 2: secrets and configmaps, anywhere, in the core group
              - level: Metadata
                resources:
                  - group: ""
                    resources: [secrets, configmaps]
                omitStages: [ResponseStarted]
              # 3: one named database only
              - level: Request
                resources:
                  - group: dbops.dbprovision.io
                    resources: [databases]
                    resourceNames: [payroll]
              # 4: any status subresource, any group listed
              - level: None
                resources:
                  - group: dbops.dbprovision.io
                    resources: ["*/status"]
              # 5: a resource with its subresources, by res/*
              - level: Metadata
                resources:
                  - group: dbops.dbprovision.io
                    resources: ["databaseusers/*"]
              # 6: a resource's one subresource, by res/sub
              - level: RequestResponse
                resources:
                  - group: dbops.dbprovision.io
                    resources: ["databasebackups/log"]
              # 7: everything in one namespace
              - level: None
                namespaces: [kube-system]
              # 8: a whole group (no resources listed)
              - level: Request
                resources:
                  - group: rbac.authorization.k8s.io
              # 9: health paths by prefix, and one exact path
              - level: None
                nonResourceURLs: ["/healthz*", "/version"]
              # 10: a verb alone
              - level: Request
                verbs: [deletecollection]
              # 11: every resource (and subresource) of a group by *
              - level: Metadata
                resources:
                  - group: dbops.dbprovision.io
                    resources: ["*"]
                omitStages: [ResponseComplete]
              # 12: cluster-scoped objects of the core group (namespace "")
              - level: RequestResponse
                namespaces: [""]
                resources:
                  - group: ""
              # 13: anything else that is not a resource
              - level: Metadata
                nonResourceURLs: ["*"]
            """;

    private static final AuditPolicy PARSED = AuditPolicy.parse(POLICY, "test policy");

    private static AuditUser alice() {
        return AuditUser.of("alice", List.of("developers", "system:authenticated"));
    }

    private static AuditAttributes resource(
            AuditUser user, String verb, String group, String namespace, String resource, String name, String sub) {
        return AuditAttributes.resource(
                user, verb, new AuditObjectRef(resource, namespace, name, group, "v1", sub), "/unused");
    }

    private static AuditAttributes db(String verb, String namespace, String resource, String name, String sub) {
        return resource(alice(), verb, "dbops.dbprovision.io", namespace, resource, name, sub);
    }

    /** request → index of the rule that must match, or -1 for none. */
    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of(
                        "a listed user matches whatever they do",
                        resource(
                                AuditUser.of("system:kube-proxy", List.of()),
                                "create",
                                "",
                                "default",
                                "secrets",
                                "",
                                ""),
                        0),
                Arguments.of(
                        "a user is matched by name, not by group",
                        resource(
                                AuditUser.of("bob", List.of("system:kube-proxy")),
                                "update",
                                "apps",
                                "x",
                                "deployments",
                                "d",
                                ""),
                        -1),
                Arguments.of(
                        "one of the user's groups listed, with a listed verb",
                        resource(
                                AuditUser.of("node-1", List.of("system:authenticated", "system:nodes")),
                                "watch",
                                "apps",
                                "x",
                                "deployments",
                                "",
                                ""),
                        1),
                Arguments.of(
                        "a listed group but a verb not listed falls through",
                        resource(
                                AuditUser.of("node-1", List.of("system:nodes")),
                                "update",
                                "apps",
                                "x",
                                "deployments",
                                "d",
                                ""),
                        -1),
                Arguments.of("a listed core resource", resource(alice(), "get", "", "team-a", "secrets", "s", ""), 2),
                Arguments.of(
                        "a listed resource in another group does not match",
                        resource(alice(), "get", "other.example.com", "team-a", "secrets", "s", ""),
                        -1),
                Arguments.of(
                        "a resource listed bare does not match its subresource",
                        resource(alice(), "get", "", "team-a", "configmaps", "c", "status"),
                        -1),
                Arguments.of("a listed name", db("delete", "team-a", "databases", "payroll", ""), 3),
                Arguments.of(
                        "a name not listed falls through to the group's *",
                        db("delete", "team-a", "databases", "orders", ""),
                        11),
                Arguments.of(
                        "a list has no name, so a rule with resourceNames does not match it",
                        db("list", "team-a", "databases", "", ""),
                        11),
                Arguments.of(
                        "*/status matches any resource's status",
                        db("update", "team-a", "databases", "orders", "status"),
                        4),
                Arguments.of("*/status needs a subresource", db("update", "team-a", "databasegrants", "g", ""), 11),
                Arguments.of("res/* matches the resource itself", db("get", "team-a", "databaseusers", "u", ""), 5),
                Arguments.of(
                        "res/* matches its subresources", db("get", "team-a", "databaseusers", "u", "password"), 5),
                Arguments.of("res/sub matches that subresource", db("get", "team-a", "databasebackups", "b", "log"), 6),
                Arguments.of(
                        "res/sub does not match the resource itself",
                        db("get", "team-a", "databasebackups", "b", ""),
                        11),
                Arguments.of(
                        "a listed namespace, any resource",
                        resource(alice(), "get", "apps", "kube-system", "deployments", "d", ""),
                        7),
                Arguments.of(
                        "a group with no resources listed matches all of them",
                        resource(alice(), "create", "rbac.authorization.k8s.io", "team-a", "rolebindings", "rb", ""),
                        8),
                Arguments.of(
                        "a non-resource prefix ending in *",
                        AuditAttributes.nonResource(alice(), "get", "/healthz/ready"),
                        9),
                Arguments.of("an exact non-resource path", AuditAttributes.nonResource(alice(), "get", "/version"), 9),
                Arguments.of(
                        "an exact non-resource path matches only itself",
                        AuditAttributes.nonResource(alice(), "get", "/version/extra"),
                        13),
                Arguments.of(
                        "a resource request never matches nonResourceURLs",
                        AuditAttributes.resource(
                                alice(),
                                "get",
                                new AuditObjectRef("widgets", "x", "w", "example.com", "v1", ""),
                                "/healthz"),
                        -1),
                Arguments.of(
                        "a verb alone matches any resource request with it",
                        resource(alice(), "deletecollection", "apps", "team-a", "deployments", "", ""),
                        10),
                Arguments.of(
                        "a verb alone matches a non-resource request too",
                        AuditAttributes.nonResource(alice(), "deletecollection", "/metrics"),
                        10),
                Arguments.of(
                        "the core group's cluster-scoped objects have namespace \"\"",
                        resource(alice(), "get", "", "", "namespaces", "team-a", ""),
                        12),
                Arguments.of(
                        "a namespaced core object is not in namespace \"\"",
                        resource(alice(), "get", "", "team-a", "pods", "p", ""),
                        -1),
                Arguments.of(
                        "namespaces or resources never match a non-resource request",
                        AuditAttributes.nonResource(alice(), "get", "/openapi/v2"),
                        13));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void theFirstMatchingRuleGivesTheLevel(String description, AuditAttributes request, int rule) {
        AuditDecision decision = PARSED.evaluate(request);
        if (rule < 0) {
            assertThat(decision.level()).as("no rule matches").isEqualTo(AuditLevel.NONE);
            assertThat(decision.records(AuditStage.RESPONSE_COMPLETE)).isFalse();
        } else {
            assertThat(matchingRule(request)).as("the first rule that matches").isEqualTo(rule);
            assertThat(decision.level()).isEqualTo(PARSED.rules().get(rule).level());
        }
    }

    /** Which rule matched, found independently of evaluate(): the first one whose own match is true. */
    private static int matchingRule(AuditAttributes request) {
        for (int i = 0; i < PARSED.rules().size(); i++) {
            if (PARSED.rules().get(i).matches(request)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void anEarlierRuleWinsOverALaterOneThatAlsoMatches() {
        AuditPolicy policy = AuditPolicy.parse("""
                {"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": [
                  {"level": "None", "resources": [{"group": "", "resources": ["secrets"]}]},
                  {"level": "Metadata"}
                ]}""", "json policy");
        AuditAttributes secret = resource(alice(), "get", "", "a", "secrets", "s", "");
        AuditAttributes pod = resource(alice(), "get", "", "a", "pods", "p", "");

        assertThat(policy.evaluate(secret).level()).isEqualTo(AuditLevel.NONE);
        assertThat(policy.evaluate(secret).records(AuditStage.RESPONSE_COMPLETE))
                .isFalse();
        assertThat(policy.evaluate(pod).level()).isEqualTo(AuditLevel.METADATA);
    }

    @Test
    void theLevelsMatchTheRulesOfTheTable() {
        assertThat(PARSED.rules())
                .extracting(AuditPolicy.Rule::level)
                .containsExactly(
                        AuditLevel.NONE,
                        AuditLevel.REQUEST_RESPONSE,
                        AuditLevel.METADATA,
                        AuditLevel.REQUEST,
                        AuditLevel.NONE,
                        AuditLevel.METADATA,
                        AuditLevel.REQUEST_RESPONSE,
                        AuditLevel.NONE,
                        AuditLevel.REQUEST,
                        AuditLevel.NONE,
                        AuditLevel.REQUEST,
                        AuditLevel.METADATA,
                        AuditLevel.REQUEST_RESPONSE,
                        AuditLevel.METADATA);
        assertThat(PARSED.rulesRecordedBelowTheirLevel()).containsExactly(1, 3, 6, 8, 10, 12);
    }

    @Test
    void omittedStagesAreThePolicysTogetherWithTheRules() {
        AuditDecision secrets = PARSED.evaluate(resource(alice(), "get", "", "a", "secrets", "s", ""));
        assertThat(secrets.omitStages())
                .containsExactlyInAnyOrder(AuditStage.REQUEST_RECEIVED, AuditStage.RESPONSE_STARTED);
        assertThat(secrets.records(AuditStage.RESPONSE_COMPLETE)).isTrue();
        assertThat(secrets.records(AuditStage.RESPONSE_STARTED)).isFalse();

        AuditDecision databases = PARSED.evaluate(db("get", "a", "databases", "orders", ""));
        assertThat(databases.records(AuditStage.RESPONSE_COMPLETE)).isFalse();
        assertThat(databases.records(AuditStage.RESPONSE_STARTED)).isTrue();

        AuditDecision noMatch = PARSED.evaluate(resource(alice(), "get", "", "a", "pods", "p", ""));
        assertThat(noMatch.omitStages()).containsExactly(AuditStage.REQUEST_RECEIVED);
    }

    @Test
    void withoutAPolicyFileEveryRequestIsRecordedAtMetadata() {
        AuditPolicy policy = AuditPolicy.metadataForEverything();
        for (AuditAttributes request : List.of(
                resource(alice(), "get", "", "a", "secrets", "s", ""),
                db("watch", "", "databaseinstances", "", ""),
                AuditAttributes.nonResource(AuditUser.of("system:anonymous", List.of()), "get", "/healthz"))) {
            AuditDecision decision = policy.evaluate(request);
            assertThat(decision.level()).isEqualTo(AuditLevel.METADATA);
            assertThat(decision.omitStages()).isEmpty();
        }
    }

    @Test
    void aPolicyIsReadFromAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, POLICY);
        AuditPolicy policy = AuditPolicy.load(file);
        assertThat(policy.rules()).hasSize(14);
        assertThat(policy.source()).isEqualTo(file.toString());
    }

    @Test
    void aFileThatIsNotUtf8IsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.write(file, new byte[] {'k', 'i', 'n', 'd', ':', ' ', (byte) 0xff});
        assertThatThrownBy(() -> AuditPolicy.load(file))
                .isInstanceOf(AuditConfigurationException.class)
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void aMissingFileIsRefusedWithItsName(@TempDir Path dir) {
        Path file = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> AuditPolicy.load(file))
                .isInstanceOf(AuditConfigurationException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("cannot read it");
    }

    static Stream<Arguments> invalidPolicies() {
        String head = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";
        return Stream.of(
                Arguments.of("", "an empty document"),
                Arguments.of("[1, 2]", "found a list"),
                Arguments.of(
                        "apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: None}]",
                        "apiVersion: Unsupported value \"audit.k8s.io/v1beta1\""),
                Arguments.of(
                        "apiVersion: audit.k8s.io/v1\nkind: AuditPolicy\nrules: [{level: None}]",
                        "kind: Unsupported value \"AuditPolicy\""),
                Arguments.of("kind: Policy\nrules: [{level: None}]", "apiVersion: Required value"),
                Arguments.of(head, "rules: Required value: a policy needs at least one rule"),
                Arguments.of(head + "rules: []", "rules: Required value"),
                Arguments.of(head + "rules: [{users: [a]}]", "rules[0].level: Required value"),
                Arguments.of(
                        head + "rules: [{level: Everything}]",
                        "rules[0].level: Unsupported value \"Everything\": supported values: None, Metadata, Request,"
                                + " RequestResponse"),
                Arguments.of(
                        head + "rules: [{level: None, namespace: [kube-system]}]", "rules[0].namespace: unknown field"),
                Arguments.of(head + "rulez: [{level: None}]", "rulez: unknown field"),
                Arguments.of(
                        head + "rules: [{level: None, resources: [{group: '', resource: [pods]}]}]",
                        "rules[0].resources[0].resource: unknown field"),
                Arguments.of(
                        head + "rules: [{level: None, users: alice}]",
                        "rules[0].users: must be a list, found the string \"alice\""),
                Arguments.of(
                        head + "rules: [{level: None, namespaces: [2024]}]",
                        "rules[0].namespaces[0]: must be a string, found integer 2024"),
                Arguments.of(
                        head + "rules: [{level: None, omitStages: [Done]}]",
                        "rules[0].omitStages[0]: Unsupported value \"Done\""),
                Arguments.of(
                        head + "omitStages: [Started]\nrules: [{level: None}]",
                        "omitStages[0]: Unsupported value \"Started\""),
                Arguments.of(
                        head + "rules: [{level: None, nonResourceURLs: [healthz]}]",
                        "rules[0].nonResourceURLs[0]: Invalid value \"healthz\": non-resource URL rules must begin"
                                + " with a '/' character"),
                Arguments.of(
                        head + "rules: [{level: None, nonResourceURLs: ['/a*/b']}]",
                        "non-resource URL wildcards '*' must be the final character of the rule"),
                Arguments.of(
                        head + "rules: [{level: None, nonResourceURLs: [/healthz], namespaces: [a]}]",
                        "rules cannot apply to both regular resources and non-resource URLs"),
                Arguments.of(
                        head + "rules: [{level: None, resources: [{group: rbac.authorization.k8s.io/v1}]}]",
                        "rules[0].resources[0].group: Invalid value \"rbac.authorization.k8s.io/v1\""),
                Arguments.of(
                        head + "rules: [{level: None, resources: [{group: '', resourceNames: [a]}]}]",
                        "using resourceNames requires at least one resource"),
                Arguments.of(
                        head + "rules: [{level: None, resources: [{group: '', resources: ['']}]}]",
                        "a resource may not be empty"),
                Arguments.of(head + "rules: [{level: None, level: Metadata}]", "not valid YAML or JSON"),
                Arguments.of(
                        head + "rules: [{level: None}]\n---\n" + head + "rules: [{level: None}]",
                        "not valid YAML or JSON"),
                Arguments.of(
                        head + "rules: [{level: None, omitManagedFields: maybe}]",
                        "rules[0].omitManagedFields: must be true or false"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidPolicies")
    void anInvalidPolicyIsRefusedWithTheFieldNamed(String text, String message) {
        assertThatThrownBy(() -> AuditPolicy.parse(text, "policy.yaml"))
                .isInstanceOf(AuditConfigurationException.class)
                .hasMessageStartingWith("audit policy policy.yaml")
                .hasMessageContaining(message);
    }

    @Test
    void everyErrorOfAPolicyIsReportedAtOnce() {
        assertThatThrownBy(() -> AuditPolicy.parse("""
                        apiVersion: audit.k8s.io/v1
                        kind: Policy
                        rules:
                          - level: Loud
                          - level: None
                            verb: [get]
                        """, "p"))
                .hasMessageContaining("rules[0].level: Unsupported value \"Loud\"")
                .hasMessageContaining("rules[1].verb: unknown field");
    }

    @Test
    void fieldsKubernetesAcceptsButThatConcernOnlyBodiesAreAccepted() {
        AuditPolicy policy = AuditPolicy.parse("""
                apiVersion: audit.k8s.io/v1
                kind: Policy
                metadata:
                  name: ignored
                omitManagedFields: true
                rules:
                  - level: RequestResponse
                    omitManagedFields: false
                """, "p");
        assertThat(policy.rules()).hasSize(1);
        assertThat(policy.rules().get(0).level().recorded()).isEqualTo(AuditLevel.METADATA);
    }

    @Test
    void anAliasBombIsRefused() {
        StringBuilder yaml = new StringBuilder("apiVersion: audit.k8s.io/v1\nkind: Policy\na0: &a0 [x, x]\n");
        for (int i = 1; i < 60; i++) {
            yaml.append("a")
                    .append(i)
                    .append(": &a")
                    .append(i)
                    .append(" [*a")
                    .append(i - 1)
                    .append(", *a")
                    .append(i - 1)
                    .append("]\n");
        }
        yaml.append("rules: [{level: None}]\n");
        assertThatThrownBy(() -> AuditPolicy.parse(yaml.toString(), "bomb"))
                .isInstanceOf(AuditConfigurationException.class);
    }

    @Test
    void theLevelSpellingsAreKubernetes() {
        assertThat(Set.of(AuditLevel.values()))
                .extracting(AuditLevel::wireName)
                .containsExactlyInAnyOrder("None", "Metadata", "Request", "RequestResponse");
        assertThat(AuditLevel.REQUEST_RESPONSE.recorded()).isEqualTo(AuditLevel.METADATA);
        assertThat(AuditLevel.REQUEST.recorded()).isEqualTo(AuditLevel.METADATA);
        assertThat(AuditLevel.NONE.recorded()).isEqualTo(AuditLevel.NONE);
    }
}
