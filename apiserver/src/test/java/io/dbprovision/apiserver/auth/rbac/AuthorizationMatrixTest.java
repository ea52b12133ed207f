package io.dbprovision.apiserver.auth.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.UserInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The standalone authorization matrix: seven users × eight verbs × three kinds (and two status subresources, and a
 * Secret by two names) × three namespaces, with the security page's roles, the bindings of matrix-bindings.yaml and
 * the bootstrap policy, against the answers written out in matrix-expected.txt. Every mismatch is listed.
 */
class AuthorizationMatrixTest {
    private static final List<String> VERBS =
            List.of("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection");
    private static final Set<String> NAMED = Set.of("get", "update", "patch", "delete");
    private static final List<String> NAMESPACES = List.of("app-namespace", "database-namespace", "database");

    private static final Map<String, UserInfo> USERS = Map.of(
            "alice", RbacFixtures.user("alice"),
            "bob", RbacFixtures.user("bob", "dba"),
            "sa", RbacFixtures.serviceAccount("app-team-a", "default"),
            "carol", RbacFixtures.user("carol"),
            "dave", RbacFixtures.user("dave"),
            "root", RbacFixtures.user("root", "system:masters"),
            "eve", RbacFixtures.user("eve"));

    private final RbacAuthorizer authorizer = new RbacAuthorizer(matrixPolicy());

    static RbacSource matrixPolicy() {
        List<Message> objects = new ArrayList<>(RbacFixtures.manifests("security-page.yaml"));
        objects.addAll(RbacFixtures.manifests("matrix-bindings.yaml"));
        objects.addAll(RbacFixtures.bootstrap());
        RbacPolicy policy = RbacPolicy.of(objects);
        return () -> policy;
    }

    @Test
    void everyAnswerIsTheExpectedOne() {
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        for (String line : new String(RbacFixtures.read("matrix-expected.txt"), StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.trim().split("\\s+");
            assertThat(cells).as(line).hasSize(3 + NAMESPACES.size());
            UserInfo user = USERS.get(cells[0]);
            assertThat(user).as(line).isNotNull();
            String resource = cells[1];
            String group = resource.startsWith("secrets") ? "" : "dbops.dbprovision.io";
            for (int n = 0; n < NAMESPACES.size(); n++) {
                Set<String> expected = verbs(cells[3 + n]);
                for (String verb : VERBS) {
                    String name = NAMED.contains(verb) ? cells[2] : "";
                    Authorizer.Request request =
                            RbacFixtures.resource(user, verb, group, resource, NAMESPACES.get(n), name);
                    boolean allowed = authorizer.authorize(request).allowed();
                    checked++;
                    if (allowed != expected.contains(verb)) {
                        mismatches.add(cells[0] + " " + verb + " " + resource + " " + name + " in " + NAMESPACES.get(n)
                                + ": expected " + (allowed ? "denied" : "allowed"));
                    }
                }
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(7 * 8 * 3 * 3);
        assertThat(mismatches).isEmpty();
    }

    private static Set<String> verbs(String cell) {
        return switch (cell) {
            case "-" -> Set.of();
            case "all" -> Set.copyOf(VERBS);
            default -> Set.copyOf(Arrays.asList(cell.split(",")));
        };
    }

    @Test
    void clusterScopedRequestsFollowClusterRoleBindingsOnly() {
        assertThat(allowed("carol", "list", "", "namespaces", "")).isTrue();
        assertThat(allowed("carol", "get", "dbops.dbprovision.io", "clusterdatabaseinstances", "shared"))
                .isTrue();
        assertThat(allowed("carol", "create", "dbops.dbprovision.io", "clusterdatabaseinstances", ""))
                .isFalse();
        // dave's edit role is bound in one namespace: it grants nothing cluster-scoped
        assertThat(allowed("dave", "get", "dbops.dbprovision.io", "clusterdatabaseinstances", "shared"))
                .isFalse();
        assertThat(allowed("dave", "list", "", "namespaces", "")).isFalse();
        assertThat(allowed("root", "delete", "rbac.authorization.k8s.io", "clusterroles", "view"))
                .isTrue();
        assertThat(allowed("bob", "list", "rbac.authorization.k8s.io", "clusterroles", ""))
                .isFalse();
    }

    @Test
    void everyAuthenticatedUserMayReadDiscoveryAndAskAboutThemselves() {
        Authorizer.Request discovery =
                Authorizer.Request.nonResource(USERS.get("eve"), "get", "/apis/dbops.dbprovision.io/v1alpha1");
        assertThat(authorizer.authorize(discovery).allowed()).isTrue();
        assertThat(authorizer
                        .authorize(Authorizer.Request.nonResource(USERS.get("eve"), "get", "/openapi/v3"))
                        .allowed())
                .isTrue();
        assertThat(authorizer
                        .authorize(Authorizer.Request.nonResource(USERS.get("eve"), "get", "/metrics"))
                        .allowed())
                .isFalse();
        assertThat(authorizer
                        .authorize(Authorizer.Request.nonResource(USERS.get("eve"), "post", "/apis"))
                        .allowed())
                .isFalse();
        assertThat(allowed("eve", "create", "authorization.k8s.io", "selfsubjectaccessreviews", ""))
                .isTrue();
        assertThat(allowed("eve", "create", "authorization.k8s.io", "selfsubjectrulesreviews", ""))
                .isTrue();
        assertThat(allowed("eve", "create", "authorization.k8s.io", "subjectaccessreviews", ""))
                .isFalse();
    }

    @Test
    void anonymousRequestsReachOnlyThePublicInformation() {
        UserInfo anonymous = new UserInfo("system:anonymous", "", List.of("system:unauthenticated"), Map.of());
        assertThat(authorizer
                        .authorize(Authorizer.Request.nonResource(anonymous, "get", "/healthz"))
                        .allowed())
                .isTrue();
        assertThat(authorizer
                        .authorize(Authorizer.Request.nonResource(anonymous, "get", "/version"))
                        .allowed())
                .isTrue();
        assertThat(authorizer
                        .authorize(Authorizer.Request.nonResource(anonymous, "get", "/apis"))
                        .allowed())
                .isFalse();
        assertThat(authorizer
                        .authorize(RbacFixtures.dbops(anonymous, "list", "databases", "app-namespace", ""))
                        .allowed())
                .isFalse();
    }

    @Test
    void aDeniedRequestHasNoOpinionAndAnAllowedOneNamesItsBinding() {
        Authorizer.Decision denied =
                authorizer.authorize(RbacFixtures.dbops(USERS.get("eve"), "get", "databases", "database", "x"));
        assertThat(denied.verdict()).isEqualTo(Authorizer.Verdict.NO_OPINION);
        assertThat(denied.reason()).isEmpty();

        Authorizer.Decision allowed =
                authorizer.authorize(RbacFixtures.dbops(USERS.get("root"), "get", "databases", "database", "x"));
        assertThat(allowed.reason())
                .isEqualTo("RBAC: allowed by ClusterRoleBinding \"cluster-admin\" of ClusterRole \"cluster-admin\""
                        + " to Group \"system:masters\"");
    }

    private boolean allowed(String user, String verb, String group, String resource, String name) {
        return authorizer
                .authorize(RbacFixtures.resource(USERS.get(user), verb, group, resource, "", name))
                .allowed();
    }
}
