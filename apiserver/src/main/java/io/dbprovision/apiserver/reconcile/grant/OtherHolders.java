package io.dbprovision.apiserver.reconcile.grant;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.reconcile.DbopsControllers;
import io.dbprovision.apiserver.reconcile.InstanceKey;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseGrant;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseRole;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseRole;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.MySQLGrantConfig;
import io.dbprovision.proto.v1alpha1.PostgresGrantConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * What else gives a grantee privileges on one instance: the other grants for it (DatabaseGrants and
 * ClusterDatabaseGrants, whichever object they name it through), and its own spec — a user's {@code inRoles}, a
 * role's {@code inRoles} and grants. A grant that revokes must leave those alone, or deleting one of two grants that
 * both give SELECT would take SELECT from the other as well.
 */
final class OtherHolders {
    private final DbopsControllers.Informers informers;
    private final GrantTargets targets;

    OtherHolders(DbopsControllers.Informers informers, GrantTargets targets) {
        this.informers = informers;
        this.targets = targets;
    }

    /**
     * The blocks of everything but {@code self} (a grant, or a role revoking what its own spec dropped) that gives
     * {@code grantee} privileges on {@code instance}. {@code self} is left out by uid, not by what the informer holds:
     * its copy there may still be the older generation, whose spec would hold on to exactly what is to be revoked.
     */
    List<GrantBlocks> of(Message grantOrRole, String grantee, InstanceKey instance) {
        String self = Objects.meta(grantOrRole).getUid();
        List<GrantBlocks> out = new ArrayList<>();
        List<Message> grants = new ArrayList<>(informers.grants().list());
        grants.addAll(informers.clusterGrants().list());
        for (Message other : grants) {
            var meta = Objects.meta(other);
            if (meta.getUid().equals(self) || meta.hasDeletionTimestamp()) {
                continue;
            }
            GrantTarget target;
            try {
                target = targets.find(other).orElse(null);
            } catch (RuntimeException invalid) {
                continue; // a grant naming nothing gives nothing
            }
            if (target != null && target.grantee().equals(grantee) && instance.equals(target.instance())) {
                out.add(blocks(other));
            }
        }
        for (DatabaseUser user : informers.users().list()) {
            if (user.getSpec().getUsername().equals(grantee)
                    && instance.equals(InstanceKey.of(user).orElse(null))) {
                out.add(GrantBlocks.of(
                        PostgresGrantConfig.newBuilder()
                                .addAllRoles(user.getSpec().getPostgres().getInRolesList())
                                .build(),
                        MySQLGrantConfig.getDefaultInstance()));
            }
        }
        for (DatabaseRole role : informers.roles().list()) {
            if (!role.getMetadata().getUid().equals(self)
                    && role.getSpec().getRoleName().equals(grantee)
                    && instance.equals(InstanceKey.of(role).orElse(null))) {
                out.add(roleBlocks(role.getSpec().getPostgres(), role.getSpec().getMysql()));
            }
        }
        for (ClusterDatabaseRole role : informers.clusterRoles().list()) {
            if (!role.getMetadata().getUid().equals(self)
                    && role.getSpec().getRoleName().equals(grantee)
                    && instance.equals(InstanceKey.of(role).orElse(null))) {
                out.add(roleBlocks(role.getSpec().getPostgres(), role.getSpec().getMysql()));
            }
        }
        return out;
    }

    /** The roles grants (not {@code self}, not being deleted) give {@code grantee} on {@code instance}. */
    java.util.Set<String> rolesGrantsGive(String grantee, InstanceKey instance) {
        java.util.Set<String> roles = new java.util.TreeSet<>();
        List<Message> grants = new ArrayList<>(informers.grants().list());
        grants.addAll(informers.clusterGrants().list());
        for (Message grant : grants) {
            if (Objects.meta(grant).hasDeletionTimestamp()) {
                continue;
            }
            GrantTarget target;
            try {
                target = targets.find(grant).orElse(null);
            } catch (RuntimeException invalid) {
                continue; // a grant naming nothing gives nothing
            }
            if (target != null && target.grantee().equals(grantee) && instance.equals(target.instance())) {
                roles.addAll(blocks(grant).postgres().getRolesList());
            }
        }
        return roles;
    }

    static GrantBlocks blocks(Message grant) {
        return grant instanceof DatabaseGrant g
                ? GrantBlocks.of(g.getSpec().getPostgres(), g.getSpec().getMysql())
                : GrantBlocks.of(
                        ((ClusterDatabaseGrant) grant).getSpec().getPostgres(),
                        ((ClusterDatabaseGrant) grant).getSpec().getMysql());
    }

    private static GrantBlocks roleBlocks(
            io.dbprovision.proto.v1alpha1.PostgresRoleConfig postgres,
            io.dbprovision.proto.v1alpha1.MySQLRoleConfig mysql) {
        return GrantBlocks.of(
                PostgresGrantConfig.newBuilder()
                        .addAllRoles(postgres.getInRolesList())
                        .addAllGrants(postgres.getGrantsList())
                        .build(),
                MySQLGrantConfig.newBuilder()
                        .addAllGrants(mysql.getGrantsList())
                        .build());
    }
}
