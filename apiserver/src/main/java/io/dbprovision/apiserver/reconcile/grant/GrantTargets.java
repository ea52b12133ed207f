package io.dbprovision.apiserver.reconcile.grant;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.controller.Informer;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.reconcile.DbopsControllers;
import io.dbprovision.apiserver.reconcile.InstanceKey;
import io.dbprovision.apiserver.reconcile.ReconcileFailure;
import io.dbprovision.apiserver.reconcile.Waiting;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseGrant;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseRole;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabasePhase;
import io.dbprovision.proto.v1alpha1.DatabaseRole;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.DatabaseUserPhase;
import io.dbprovision.proto.v1alpha1.GrantTargetType;
import io.dbprovision.proto.v1alpha1.RolePhase;
import java.util.List;
import java.util.Optional;

/**
 * Finds who a grant is for, read from the informers. A DatabaseGrant's {@code userRef} and {@code roleRef} default
 * to the grant's namespace and name a DatabaseUser or DatabaseRole; a ClusterDatabaseGrant's {@code userRef} names
 * a DatabaseUser in its namespace, its {@code roleRef} a DatabaseRole in its namespace or, without one, a
 * ClusterDatabaseRole. (The system we re-create only looked at {@code userRef} and only at namespaced instances.)
 */
final class GrantTargets {
    /** What a grant names, found or not: a user or a role (cluster-scoped or not), and where. */
    record Ref(boolean user, boolean clusterRole, String namespace, String name) {
        String kind() {
            return user ? "DatabaseUser" : clusterRole ? "ClusterDatabaseRole" : "DatabaseRole";
        }

        String describe() {
            return clusterRole ? kind() + " " + name : kind() + " " + namespace + "/" + name;
        }
    }

    private final Informer<DatabaseUser> users;
    private final Informer<DatabaseRole> roles;
    private final Informer<ClusterDatabaseRole> clusterRoles;
    private final Informer<Database> databases;

    GrantTargets(DbopsControllers.Informers informers) {
        this.users = informers.users();
        this.roles = informers.roles();
        this.clusterRoles = informers.clusterRoles();
        this.databases = informers.databases();
    }

    /** The reference of {@code grant}; a grant that names neither a user nor a role is invalid. */
    static Ref refOf(Message grant) {
        String own = Objects.meta(grant).getNamespace();
        if (grant instanceof DatabaseGrant g) {
            var spec = g.getSpec();
            if (spec.hasUserRef()) {
                return new Ref(
                        true,
                        false,
                        orDefault(spec.getUserRef().getNamespace(), own),
                        spec.getUserRef().getName());
            }
            if (spec.hasRoleRef()) {
                return new Ref(
                        false,
                        false,
                        orDefault(spec.getRoleRef().getNamespace(), own),
                        spec.getRoleRef().getName());
            }
        } else {
            var spec = ((ClusterDatabaseGrant) grant).getSpec();
            if (spec.hasUserRef()) {
                return new Ref(
                        true,
                        false,
                        spec.getUserRef().getNamespace(),
                        spec.getUserRef().getName());
            }
            if (spec.hasRoleRef()) {
                String namespace = spec.getRoleRef().getNamespace();
                return new Ref(
                        false, namespace.isEmpty(), namespace, spec.getRoleRef().getName());
            }
        }
        throw new ReconcileFailure("InvalidSpec", "spec names neither userRef nor roleRef", false, null);
    }

    /** The target, if it exists (Ready or not). */
    Optional<GrantTarget> find(Message grant) {
        Ref ref = refOf(grant);
        if (ref.name().isEmpty() || (!ref.clusterRole() && ref.namespace().isEmpty())) {
            return Optional.empty();
        }
        if (ref.user()) {
            return users.get(new NamespacedName(ref.namespace(), ref.name())).map(user -> {
                List<String> hosts = user.getSpec().getMysql().getAllowedHostsList();
                return new GrantTarget(
                        GrantTargetType.GRANT_TARGET_TYPE_USER,
                        ref.kind(),
                        ref.namespace(),
                        ref.name(),
                        user,
                        user.getSpec().getUsername(),
                        // The API's default, also for a user without a mysql block.
                        hosts.isEmpty() ? List.of("%") : List.copyOf(hosts),
                        InstanceKey.of(user).orElse(null));
            });
        }
        Optional<? extends Message> role = ref.clusterRole()
                ? clusterRoles.get(NamespacedName.cluster(ref.name()))
                : roles.get(new NamespacedName(ref.namespace(), ref.name()));
        return role.map(found -> new GrantTarget(
                GrantTargetType.GRANT_TARGET_TYPE_ROLE,
                ref.kind(),
                ref.namespace(),
                ref.name(),
                found,
                found instanceof DatabaseRole r
                        ? r.getSpec().getRoleName()
                        : ((ClusterDatabaseRole) found).getSpec().getRoleName(),
                List.of(),
                InstanceKey.of(found).orElse(null)));
    }

    /** The target, Ready; throws {@link Waiting} ({@code UserNotFound}, {@code RoleNotReady}, ...) otherwise. */
    GrantTarget ready(Message grant) {
        Ref ref = refOf(grant);
        String what = ref.user() ? "User" : "Role";
        GrantTarget target =
                find(grant).orElseThrow(() -> new Waiting(what + "NotFound", ref.describe() + " does not exist"));
        if (Objects.meta(target.object()).hasDeletionTimestamp()) {
            throw new Waiting(what + "NotReady", target.describe() + " is being deleted");
        }
        if (!isReady(target.object())) {
            throw new Waiting(what + "NotReady", target.describe() + " is not Ready yet");
        }
        if (target.instance() == null) {
            throw new ReconcileFailure("InvalidSpec", target.describe() + " names no instance", false, null);
        }
        return target;
    }

    /**
     * The Database a DatabaseGrant's {@code databaseRef} names must exist, be Ready and live where the grant
     * applies; a grant without one has nothing to wait for.
     */
    void databaseReady(DatabaseGrant grant, InstanceKey instance) {
        if (!grant.getSpec().hasDatabaseRef()) {
            return;
        }
        var ref = grant.getSpec().getDatabaseRef();
        String namespace = orDefault(ref.getNamespace(), grant.getMetadata().getNamespace());
        String described = "Database " + namespace + "/" + ref.getName();
        Database database = databases
                .get(new NamespacedName(namespace, ref.getName()))
                .orElseThrow(() -> new Waiting("DatabaseNotFound", described + " does not exist"));
        if (database.getMetadata().hasDeletionTimestamp()) {
            throw new Waiting("DatabaseNotReady", described + " is being deleted");
        }
        if (database.getStatus().getPhase() != DatabasePhase.DATABASE_PHASE_READY) {
            throw new Waiting("DatabaseNotReady", described + " is not Ready yet");
        }
        InstanceKey on = InstanceKey.of(database).orElse(null);
        if (!instance.equals(on)) {
            throw new ReconcileFailure(
                    "InvalidSpec",
                    described + " lives on " + on + ", not on " + instance + " where the grantee is",
                    false,
                    null);
        }
    }

    private static boolean isReady(Message target) {
        if (target instanceof DatabaseUser user) {
            return user.getStatus().getPhase() == DatabaseUserPhase.DATABASE_USER_PHASE_READY;
        }
        if (target instanceof DatabaseRole role) {
            return role.getStatus().getPhase() == RolePhase.ROLE_PHASE_READY;
        }
        return ((ClusterDatabaseRole) target).getStatus().getPhase() == RolePhase.ROLE_PHASE_READY;
    }

    private static String orDefault(String value, String fallback) {
        return value.isEmpty() ? fallback : value;
    }
}
