package io.dbprovision.apiserver.auth.rbac;

import static io.dbprovision.apiserver.auth.rbac.RbacFixtures.core;
import static io.dbprovision.apiserver.auth.rbac.RbacFixtures.dbops;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.proto.k8s.rbac.v1.RoleBinding;
import io.dbprovision.proto.k8s.rbac.v1.RoleRef;
import io.dbprovision.proto.k8s.rbac.v1.Subject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The RBAC examples of the seed's security page, applied as written (test resource rbac/security-page.yaml). The page
 * binds only instance-reader; the two other roles are bound here to one user each, in their own namespaces.
 *
 * <p>The page's {@code resourceNames: ["*-credentials"]} is not a pattern in Kubernetes RBAC (names match exactly), so
 * here, as in a cluster, it allows reading only a Secret literally named {@code *-credentials}: every other Secret,
 * credentials or not, stays unreadable. A role that should read credential Secrets names them.
 */
class SecurityPageRbacTest {
    private static final UserInfo DEVELOPER = RbacFixtures.user("developer");
    private static final UserInfo ADMIN = RbacFixtures.user("dba");
    private static final UserInfo APP_TEAM_A = RbacFixtures.serviceAccount("app-team-a", "default");

    private final RbacAuthorizer authorizer = new RbacAuthorizer(policy());

    private static RbacSource policy() {
        List<Message> objects = new ArrayList<>(RbacFixtures.manifests("security-page.yaml"));
        objects.add(binding("developer", "app-namespace", "database-developer", "developer"));
        objects.add(binding("dba", "database-namespace", "database-admin", "dba"));
        RbacPolicy policy = RbacPolicy.of(objects);
        return () -> policy;
    }

    private static RoleBinding binding(String name, String namespace, String role, String user) {
        return RoleBinding.newBuilder()
                .setMetadata(io.dbprovision.proto.v1alpha1.ObjectMeta.newBuilder()
                        .setName(name)
                        .setNamespace(namespace))
                .setRoleRef(RoleRef.newBuilder()
                        .setApiGroup("rbac.authorization.k8s.io")
                        .setKind("Role")
                        .setName(role))
                .addSubjects(Subject.newBuilder()
                        .setKind("User")
                        .setApiGroup("rbac.authorization.k8s.io")
                        .setName(user))
                .build();
    }

    private boolean allowed(Authorizer.Request request) {
        return authorizer.authorize(request).allowed();
    }

    @Test
    void theDeveloperManagesDatabasesUsersAndGrantsInTheirNamespace() {
        for (String resource : List.of("databases", "databaseusers", "databasegrants")) {
            for (String verb : List.of("get", "update", "patch", "delete")) {
                assertThat(allowed(dbops(DEVELOPER, verb, resource, "app-namespace", "myapp")))
                        .as(verb + " " + resource)
                        .isTrue();
            }
            for (String verb : List.of("list", "watch", "create")) {
                assertThat(allowed(dbops(DEVELOPER, verb, resource, "app-namespace", "")))
                        .as(verb + " " + resource)
                        .isTrue();
            }
            assertThat(allowed(dbops(DEVELOPER, "deletecollection", resource, "app-namespace", "")))
                    .isFalse();
        }
    }

    @Test
    void theDeveloperCannotTouchInstancesBackupsOrStatusNorAnythingElsewhere() {
        assertThat(allowed(dbops(DEVELOPER, "get", "databaseinstances", "app-namespace", "pg")))
                .isFalse();
        assertThat(allowed(dbops(DEVELOPER, "create", "databasebackups", "app-namespace", "")))
                .isFalse();
        assertThat(allowed(dbops(DEVELOPER, "update", "databases/status", "app-namespace", "myapp")))
                .isFalse();
        assertThat(allowed(dbops(DEVELOPER, "get", "databases", "other", "myapp")))
                .isFalse();
        assertThat(allowed(dbops(DEVELOPER, "list", "databases", "", ""))).isFalse();
    }

    @Test
    void theDevelopersSecretRuleMatchesNamesExactlyAsKubernetesDoes() {
        // Not a Secret that is not named *-credentials...
        assertThat(allowed(core(DEVELOPER, "get", "secrets", "app-namespace", "postgres-admin")))
                .isFalse();
        // ...and, as in a cluster, not one whose name merely ends in -credentials either: no patterns in RBAC.
        assertThat(allowed(core(DEVELOPER, "get", "secrets", "app-namespace", "myapp-user-credentials")))
                .isFalse();
        assertThat(allowed(core(DEVELOPER, "get", "secrets", "app-namespace", "*-credentials")))
                .isTrue();
        assertThat(allowed(core(DEVELOPER, "list", "secrets", "app-namespace", "")))
                .isFalse();
        assertThat(allowed(core(DEVELOPER, "create", "secrets", "app-namespace", "")))
                .isFalse();
        assertThat(allowed(core(DEVELOPER, "get", "secrets", "database-namespace", "*-credentials")))
                .isFalse();
    }

    @Test
    void theDatabaseAdminDoesEverythingWithDbopsKindsAndSecretsInItsNamespaceOnly() {
        for (String resource : List.of(
                "databaseinstances", "databaseinstances/status", "databases", "databasebackups", "databaserestores")) {
            for (String verb :
                    List.of("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")) {
                assertThat(allowed(dbops(ADMIN, verb, resource, "database-namespace", "x")))
                        .as(verb + " " + resource)
                        .isTrue();
                assertThat(allowed(dbops(ADMIN, verb, resource, "app-namespace", "x")))
                        .as(verb + " " + resource + " elsewhere")
                        .isFalse();
            }
        }
        assertThat(allowed(core(ADMIN, "get", "secrets", "database-namespace", "postgres-admin")))
                .isTrue();
        assertThat(allowed(core(ADMIN, "deletecollection", "secrets", "database-namespace", "")))
                .isTrue();
        assertThat(allowed(core(ADMIN, "get", "secrets", "database", "postgres-admin")))
                .isFalse();
        assertThat(allowed(core(ADMIN, "get", "namespaces", "", "database-namespace")))
                .isFalse();
        // cluster-scoped kinds are outside any Role
        assertThat(allowed(dbops(ADMIN, "get", "clusterdatabaseinstances", "", "shared")))
                .isFalse();
    }

    @Test
    void appTeamAsServiceAccountReadsInstancesOfTheDatabaseNamespace() {
        for (String verb : List.of("get", "list", "watch")) {
            assertThat(allowed(dbops(APP_TEAM_A, verb, "databaseinstances", "database", "shared-postgres")))
                    .as(verb)
                    .isTrue();
        }
        Authorizer.Decision decision =
                authorizer.authorize(dbops(APP_TEAM_A, "get", "databaseinstances", "database", "shared-postgres"));
        assertThat(decision.reason())
                .isEqualTo("RBAC: allowed by RoleBinding \"app-team-a-instance-reader/database\" of Role"
                        + " \"instance-reader\" to ServiceAccount \"default/app-team-a\"");
        for (String verb : List.of("create", "update", "patch", "delete", "deletecollection")) {
            assertThat(allowed(dbops(APP_TEAM_A, verb, "databaseinstances", "database", "shared-postgres")))
                    .as(verb)
                    .isFalse();
        }
        assertThat(allowed(dbops(APP_TEAM_A, "get", "databaseinstances", "app-team-a", "shared-postgres")))
                .isFalse();
        assertThat(allowed(dbops(APP_TEAM_A, "get", "databases", "database", "x")))
                .isFalse();
        assertThat(allowed(dbops(APP_TEAM_A, "get", "databaseinstances/status", "database", "shared-postgres")))
                .isFalse();
    }

    @Test
    void onlyThatServiceAccountIsBound() {
        UserInfo otherAccount = RbacFixtures.serviceAccount("app-team-a", "builder");
        UserInfo sameNameElsewhere = RbacFixtures.serviceAccount("app-team-b", "default");
        UserInfo userNamedLikeIt = RbacFixtures.user("default");
        for (UserInfo user : List.of(otherAccount, sameNameElsewhere, userNamedLikeIt)) {
            assertThat(allowed(dbops(user, "get", "databaseinstances", "database", "shared-postgres")))
                    .as(user.name())
                    .isFalse();
        }
    }
}
