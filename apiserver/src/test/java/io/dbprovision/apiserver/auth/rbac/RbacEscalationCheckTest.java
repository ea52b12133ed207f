package io.dbprovision.apiserver.auth.rbac;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.auth.AlwaysAllowGroupsAuthorizer;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.AuthorizerChain;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.admission.AdmissionRequest;
import io.dbprovision.apiserver.registry.admission.Operation;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.request.RequestInfo;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Privilege escalation through RBAC objects is refused as in Kubernetes: a namespace admin (the bootstrap {@code
 * admin} role bound in team-a) may create roles and bindings within what they hold, but not bind {@code
 * cluster-admin}, nor write a role with rules beyond their own — unless granted {@code bind} / {@code escalate}.
 */
class RbacEscalationCheckTest {
    private static final UserInfo ADMIN_OF_TEAM_A = RbacFixtures.user("ann");
    private static final UserInfo BINDER = RbacFixtures.user("bea");

    private final RbacAuthorizer rbac;
    private final RbacEscalationCheck check;

    RbacEscalationCheckTest() {
        List<Message> objects = new ArrayList<>(RbacFixtures.bootstrap());
        objects.add(decode("RoleBinding", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding",
                 "metadata":{"name":"ann-admin","namespace":"team-a"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"admin"},
                 "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"ann"}]}
                """));
        objects.add(decode("ClusterRole", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"binder"},
                 "rules":[{"apiGroups":["rbac.authorization.k8s.io"],"resources":["clusterroles"],
                           "verbs":["bind"],"resourceNames":["cluster-admin"]},
                          {"apiGroups":["rbac.authorization.k8s.io"],"resources":["rolebindings"],"verbs":["create"]}]}
                """));
        objects.add(decode("ClusterRoleBinding", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"bea-binder"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"binder"},
                 "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"bea"}]}
                """));
        RbacPolicy policy = RbacPolicy.of(objects);
        rbac = new RbacAuthorizer(() -> policy);
        Authorizer chain =
                new AuthorizerChain(List.of(new AlwaysAllowGroupsAuthorizer(List.of("system:masters")), rbac));
        check = new RbacEscalationCheck(chain, rbac);
    }

    @Test
    void aNamespaceAdminCannotBindClusterAdmin() {
        assertThatThrownBy(
                        () -> check.admit(create(ADMIN_OF_TEAM_A, binding("team-a", "ClusterRole", "cluster-admin"))))
                .isInstanceOf(ApiException.Forbidden.class)
                .hasMessageContaining("is attempting to grant RBAC permissions not currently held");
    }

    @Test
    void aNamespaceAdminMayBindWhatTheyHold() {
        assertThatCode(() -> check.admit(create(ADMIN_OF_TEAM_A, binding("team-a", "ClusterRole", "view"))))
                .doesNotThrowAnyException();
        assertThatCode(() -> check.admit(create(ADMIN_OF_TEAM_A, binding("team-a", "ClusterRole", "edit"))))
                .doesNotThrowAnyException();
    }

    @Test
    void aRoleWithRulesBeyondTheWritersOwnIsRefused() {
        assertThatThrownBy(() -> check.admit(create(ADMIN_OF_TEAM_A, role("team-a", "[\"*\"]", "[\"*\"]"))))
                .isInstanceOf(ApiException.Forbidden.class)
                .hasMessageContaining("not currently held");
        assertThatCode(() ->
                        check.admit(create(ADMIN_OF_TEAM_A, role("team-a", "[\"databases\"]", "[\"get\",\"list\"]"))))
                .doesNotThrowAnyException();
    }

    @Test
    void theBindVerbAllowsBindingWithoutHoldingTheRules() {
        assertThatCode(() -> check.admit(create(BINDER, binding("team-b", "ClusterRole", "cluster-admin"))))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> check.admit(create(BINDER, binding("team-b", "ClusterRole", "admin"))))
                .isInstanceOf(ApiException.Forbidden.class);
    }

    @Test
    void bindingARoleThatDoesNotExistIsRefusedUnlessTheWriterMayBindIt() {
        assertThatThrownBy(() -> check.admit(create(ADMIN_OF_TEAM_A, binding("team-a", "Role", "nowhere"))))
                .isInstanceOf(ApiException.Forbidden.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void systemMastersMayGrantAnything() {
        UserInfo root = RbacFixtures.user("root", "system:masters");
        assertThatCode(() -> check.admit(create(root, binding("team-a", "ClusterRole", "cluster-admin"))))
                .doesNotThrowAnyException();
        assertThatCode(() -> check.admit(create(root, role("team-a", "[\"*\"]", "[\"*\"]"))))
                .doesNotThrowAnyException();
    }

    // ---- fixtures

    private static AdmissionRequest create(UserInfo user, Message object) {
        Kind kind = Schema.rbac().byKind(typeOf(object)).orElseThrow();
        return new AdmissionRequest(
                Operation.CREATE,
                kind,
                "",
                Objects.meta(object).getNamespace(),
                Objects.meta(object).getName(),
                Optional.of(object),
                Optional.empty(),
                new RequestContext(
                        user,
                        Optional.empty(),
                        RequestInfo.nonResource("/", "post"),
                        "test",
                        Instant.now(),
                        "",
                        "",
                        new ConcurrentHashMap<>()),
                false);
    }

    private static String typeOf(Message object) {
        return object.getDescriptorForType().getName();
    }

    private static Message binding(String namespace, String roleKind, String role) {
        return decode("RoleBinding", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding",
                 "metadata":{"name":"b","namespace":"%s"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"%s","name":"%s"},
                 "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"someone"}]}
                """.formatted(namespace, roleKind, role));
    }

    private static Message role(String namespace, String resources, String verbs) {
        return decode("Role", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r","namespace":"%s"},
                 "rules":[{"apiGroups":["dbops.dbprovision.io"],"resources":%s,"verbs":%s}]}
                """.formatted(namespace, resources, verbs));
    }

    private static Message decode(String kind, String json) {
        return RbacFixtures.CODEC
                .decodeJson(
                        json.getBytes(StandardCharsets.UTF_8),
                        Schema.rbac().byKind(kind).orElseThrow().object())
                .object();
    }
}
