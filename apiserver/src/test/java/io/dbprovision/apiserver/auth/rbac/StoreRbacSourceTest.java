package io.dbprovision.apiserver.auth.rbac;

import static io.dbprovision.apiserver.auth.rbac.RbacFixtures.dbops;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.DeleteOptions;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import io.dbprovision.proto.k8s.rbac.v1.ClusterRole;
import io.dbprovision.proto.k8s.rbac.v1.PolicyRule;
import io.dbprovision.proto.k8s.rbac.v1.RoleBinding;
import io.dbprovision.proto.k8s.rbac.v1.RoleRef;
import io.dbprovision.proto.k8s.rbac.v1.Subject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authorizer over the server's own RBAC stores (embedded storage), as standalone mode wires it: the bootstrap
 * policy on start, then every change to a role or binding taking effect without a restart.
 */
class StoreRbacSourceTest {
    private static final io.dbprovision.apiserver.request.RequestContext CTX =
            io.dbprovision.apiserver.request.RequestContext.internal("test");
    private static final UserInfo ALICE = RbacFixtures.user("alice");
    private static final UserInfo ROOT = RbacFixtures.user("root", "system:masters");

    @TempDir
    Path dir;

    private CachingStorage storage;
    private Registry registry;
    private StoreRbacSource source;
    private RbacAuthorizer authorizer;
    private ResourceStore roles;
    private ResourceStore roleBindings;
    private ResourceStore clusterRoles;

    @BeforeEach
    void open() {
        storage = CachingStorage.open(new EmbeddedBackend(dir, false), StorageSettings.defaults());
        registry = new Registry(
                List.of(
                        new Registry.Served(Schema.get(), ObjectRules.standard()),
                        new Registry.Served(Schema.core(), ObjectRules.core()),
                        new Registry.Served(Schema.rbac(), ObjectRules.rbac())),
                storage,
                Clock.systemUTC());
        BootstrapPolicy.ensure(registry);
        source = StoreRbacSource.start(registry);
        authorizer = new RbacAuthorizer(source);
        roles = registry.lookup("rbac.authorization.k8s.io/v1", "roles").orElseThrow();
        roleBindings =
                registry.lookup("rbac.authorization.k8s.io/v1", "rolebindings").orElseThrow();
        clusterRoles =
                registry.lookup("rbac.authorization.k8s.io/v1", "clusterroles").orElseThrow();
    }

    @AfterEach
    void close() {
        source.close();
        storage.close();
    }

    @Test
    void theBootstrapPolicyIsInForceFromTheStart() {
        assertThat(allowed(dbops(ROOT, "delete", "databaseinstances", "database", "pg")))
                .isTrue();
        assertThat(allowed(dbops(ALICE, "get", "databases", "app-namespace", "myapp")))
                .isFalse();
        assertThat(clusterRoles.get(CTX, "", "system:basic-user")).isInstanceOf(ClusterRole.class);
    }

    @Test
    void aNewBindingGrantsAndAChangedOneGrantsSomeoneElse() {
        for (Message object : RbacFixtures.manifests("security-page.yaml")) {
            store(object).create(CTX, namespace(object), object, WriteOptions.DEFAULT);
        }
        roleBindings.create(CTX, "app-namespace", aliceDeveloper(), WriteOptions.DEFAULT);
        await(() -> allowed(dbops(ALICE, "create", "databases", "app-namespace", "")));

        RoleBinding stored = (RoleBinding) roleBindings.get(CTX, "app-namespace", "alice-developer");
        RoleBinding toBob =
                stored.toBuilder().clearSubjects().addSubjects(user("bob")).build();
        roleBindings.update(CTX, "app-namespace", "alice-developer", toBob, WriteOptions.DEFAULT, false);
        UserInfo bob = RbacFixtures.user("bob");
        await(() -> allowed(dbops(bob, "create", "databases", "app-namespace", "")));
        assertThat(allowed(dbops(ALICE, "create", "databases", "app-namespace", "")))
                .isFalse();
    }

    @Test
    void aDeletedRoleStopsGrantingAndTheBindingIsReportedUnresolved() {
        for (Message object : RbacFixtures.manifests("security-page.yaml")) {
            store(object).create(CTX, namespace(object), object, WriteOptions.DEFAULT);
        }
        roleBindings.create(CTX, "app-namespace", aliceDeveloper(), WriteOptions.DEFAULT);
        await(() -> allowed(dbops(ALICE, "get", "databases", "app-namespace", "myapp")));

        roles.delete(CTX, "app-namespace", "database-developer", DeleteOptions.DEFAULT);
        await(() -> !allowed(dbops(ALICE, "get", "databases", "app-namespace", "myapp")));
        assertThat(authorizer
                        .authorize(dbops(ALICE, "get", "databases", "app-namespace", "myapp"))
                        .reason())
                .isEqualTo("RBAC: role.rbac.authorization.k8s.io \"database-developer\" not found");
    }

    @Test
    void aDeletedBindingStopsGranting() {
        for (Message object : RbacFixtures.manifests("security-page.yaml")) {
            store(object).create(CTX, namespace(object), object, WriteOptions.DEFAULT);
        }
        UserInfo appTeamA = RbacFixtures.serviceAccount("app-team-a", "default");
        await(() -> allowed(dbops(appTeamA, "list", "databaseinstances", "database", "")));
        roleBindings.delete(CTX, "database", "app-team-a-instance-reader", DeleteOptions.DEFAULT);
        await(() -> !allowed(dbops(appTeamA, "list", "databaseinstances", "database", "")));
    }

    @Test
    void aRoleLabelledToAggregateIntoViewExtendsIt() {
        UserInfo carol = RbacFixtures.user("carol");
        clusterRoles.create(
                CTX,
                "",
                ClusterRole.newBuilder()
                        .setMetadata(io.dbprovision.proto.v1alpha1.ObjectMeta.newBuilder()
                                .setName("secrets-viewer")
                                .putLabels("rbac.authorization.k8s.io/aggregate-to-view", "true"))
                        .addRules(PolicyRule.newBuilder()
                                .addVerbs("get")
                                .addApiGroups("")
                                .addResources("secrets"))
                        .build(),
                WriteOptions.DEFAULT);
        registry.lookup("rbac.authorization.k8s.io/v1", "clusterrolebindings")
                .orElseThrow()
                .create(
                        CTX,
                        "",
                        io.dbprovision.proto.k8s.rbac.v1.ClusterRoleBinding.newBuilder()
                                .setMetadata(io.dbprovision.proto.v1alpha1.ObjectMeta.newBuilder()
                                        .setName("carol-view"))
                                .setRoleRef(RoleRef.newBuilder()
                                        .setApiGroup("rbac.authorization.k8s.io")
                                        .setKind("ClusterRole")
                                        .setName("view"))
                                .addSubjects(user("carol"))
                                .build(),
                        WriteOptions.DEFAULT);
        await(() -> allowed(RbacFixtures.core(carol, "get", "secrets", "database", "pg-admin")));
        // and admin and edit, which aggregate view's labels' roles only through their own labels, do not gain it
        assertThat(allowed(dbops(carol, "get", "databases", "database", "x"))).isTrue();
    }

    @Test
    void aBindingsRoleRefCannotChange() {
        roleBindings.create(CTX, "app-namespace", aliceDeveloper(), WriteOptions.DEFAULT);
        RoleBinding stored = (RoleBinding) roleBindings.get(CTX, "app-namespace", "alice-developer");
        RoleBinding changed = stored.toBuilder()
                .setRoleRef(
                        stored.getRoleRef().toBuilder().setKind("ClusterRole").setName("admin"))
                .build();
        assertThatThrownBy(() -> roleBindings.update(
                        CTX, "app-namespace", "alice-developer", changed, WriteOptions.DEFAULT, false))
                .isInstanceOf(ApiException.Invalid.class)
                .hasMessageContaining("roleRef: Invalid value")
                .hasMessageContaining("cannot change roleRef");
    }

    @Test
    void ensuringTheBootstrapPolicyAgainKeepsWhatUsersAdded() {
        ClusterRole view = (ClusterRole) clusterRoles.get(CTX, "", "system:aggregate-to-view");
        PolicyRule extra = PolicyRule.newBuilder()
                .addVerbs("get")
                .addApiGroups("")
                .addResources("configmaps")
                .build();
        clusterRoles.update(
                CTX,
                "",
                view.getMetadata().getName(),
                view.toBuilder().addRules(extra).build(),
                WriteOptions.DEFAULT,
                false);
        String version = ((ClusterRole) clusterRoles.get(CTX, "", "system:aggregate-to-view"))
                .getMetadata()
                .getResourceVersion();

        BootstrapPolicy.ensure(registry);

        ClusterRole after = (ClusterRole) clusterRoles.get(CTX, "", "system:aggregate-to-view");
        assertThat(after.getRulesList()).contains(extra);
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(version);
    }

    @Test
    void ensuringTheBootstrapPolicyRestoresWhatWasRemovedUnlessAutoupdateIsOff() {
        ClusterRole basicUser = (ClusterRole) clusterRoles.get(CTX, "", "system:basic-user");
        clusterRoles.update(
                CTX,
                "",
                "system:basic-user",
                basicUser.toBuilder()
                        .clearRules()
                        .addRules(PolicyRule.newBuilder().addVerbs("get").addNonResourceUrls("/x"))
                        .build(),
                WriteOptions.DEFAULT,
                false);
        BootstrapPolicy.ensure(registry);
        assertThat(((ClusterRole) clusterRoles.get(CTX, "", "system:basic-user")).getRulesList())
                .containsAll(BootstrapPolicy.clusterRoles().stream()
                        .filter(r -> r.getMetadata().getName().equals("system:basic-user"))
                        .findFirst()
                        .orElseThrow()
                        .getRulesList());

        ClusterRole restored = (ClusterRole) clusterRoles.get(CTX, "", "system:basic-user");
        ClusterRole frozen = restored.toBuilder()
                .clearRules()
                .setMetadata(restored.getMetadata().toBuilder().putAnnotations(BootstrapPolicy.AUTOUPDATE, "false"))
                .build();
        clusterRoles.update(CTX, "", "system:basic-user", frozen, WriteOptions.DEFAULT, false);
        BootstrapPolicy.ensure(registry);
        assertThat(((ClusterRole) clusterRoles.get(CTX, "", "system:basic-user")).getRulesList())
                .isEmpty();
    }

    private boolean allowed(Authorizer.Request request) {
        return authorizer.authorize(request).allowed();
    }

    private static RoleBinding aliceDeveloper() {
        return RoleBinding.newBuilder()
                .setMetadata(
                        io.dbprovision.proto.v1alpha1.ObjectMeta.newBuilder().setName("alice-developer"))
                .setRoleRef(RoleRef.newBuilder()
                        .setApiGroup("rbac.authorization.k8s.io")
                        .setKind("Role")
                        .setName("database-developer"))
                .addSubjects(user("alice"))
                .build();
    }

    private static Subject user(String name) {
        return Subject.newBuilder().setKind("User").setName(name).build();
    }

    private ResourceStore store(Message object) {
        String plural = Schema.rbac()
                .byKind(object.getDescriptorForType().getName())
                .orElseThrow()
                .plural();
        return registry.lookup("rbac.authorization.k8s.io/v1", plural).orElseThrow();
    }

    private static String namespace(Message object) {
        return ((io.dbprovision.proto.v1alpha1.ObjectMeta)
                        object.getField(object.getDescriptorForType().findFieldByName("metadata")))
                .getNamespace();
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
