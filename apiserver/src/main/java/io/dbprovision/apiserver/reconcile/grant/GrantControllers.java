package io.dbprovision.apiserver.reconcile.grant;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.apiserver.controller.Informer;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.controller.UpdatePredicate;
import io.dbprovision.apiserver.reconcile.DbopsControllers;
import io.dbprovision.apiserver.reconcile.Dependants;
import io.dbprovision.apiserver.reconcile.GrantedRoles;
import io.dbprovision.apiserver.reconcile.InstanceKey;
import io.dbprovision.apiserver.reconcile.Instances;
import io.dbprovision.apiserver.reconcile.database.DatabaseLogic;
import io.dbprovision.apiserver.reconcile.instance.InstanceLogic;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The controllers of DatabaseRole, ClusterDatabaseRole, DatabaseGrant and ClusterDatabaseGrant.
 *
 * <p>Roles live on the instance their spec names, like databases. A grant lives on the instance of the user or role
 * it is for, so its controller is partitioned by that instance, and it is queued again when what it waits for
 * changes: its user or role (a user turning Ready), the Database a DatabaseGrant names, or the instance under them —
 * found through the grants' indexes by the object they name ({@code user}, {@code role}, {@code database}).
 */
public final class GrantControllers {
    private GrantControllers() {}

    /** What grants give as memberships, for the users' controller (see {@link GrantedRoles}). */
    public static GrantedRoles grantedRoles(DbopsControllers controllers) {
        var informers = controllers.informers();
        return new OtherHolders(informers, new GrantTargets(informers))::rolesGrantsGive;
    }

    public static void register(DbopsControllers controllers) {
        var parts = controllers.parts();
        var informers = controllers.informers();
        GrantTargets targets = new GrantTargets(informers);
        OtherHolders holders = new OtherHolders(informers, targets);
        // A role being deleted waits for the grants naming it: the last one going lets it go at once.
        controllers.add(controllers
                .onInstance(
                        "databaserole-controller",
                        informers.roles(),
                        new RoleLogic(
                                false, parts.instances(), parts.engine(), parts.dependants(), parts.gate(), holders))
                .watches(informers.grants(), GrantControllers::namespacedRoleOf, ADDS_AND_DELETES)
                .watches(informers.clusterGrants(), GrantControllers::namespacedRoleOf, ADDS_AND_DELETES)
                .build());
        controllers.add(controllers
                .onInstance(
                        "clusterdatabaserole-controller",
                        informers.clusterRoles(),
                        new RoleLogic(
                                true, parts.instances(), parts.engine(), parts.dependants(), parts.gate(), holders))
                .watches(informers.clusterGrants(), GrantControllers::clusterRoleOf, ADDS_AND_DELETES)
                .build());

        Informer<DatabaseGrant> grants = informers.grants();
        controllers.add(controllers
                .plain(
                        "databasegrant-controller",
                        grants,
                        new GrantLogic(false, parts.instances(), parts.engine(), targets, holders))
                .partitionedBy(
                        key -> grants.get(key)
                                .map(g -> partition(targets, controllers.parts().instances(), g))
                                .orElse(""),
                        controllers.settings().perServer())
                .watches(informers.users(), user -> named(grants, "user", Dependants.key(user)), PHASE_OR_SPEC)
                .watches(informers.roles(), role -> named(grants, RoleLogic.INDEX, Dependants.key(role)), PHASE_OR_SPEC)
                .watches(
                        informers.databases(),
                        database -> named(grants, DatabaseLogic.INDEX, Dependants.key(database)),
                        PHASE_OR_SPEC)
                .watches(
                        informers.instances(),
                        instance -> onInstance(grants, informers, keyOf(instance, false)),
                        PHASE_OR_SPEC)
                .watches(
                        informers.clusterInstances(),
                        instance -> onInstance(grants, informers, keyOf(instance, true)),
                        PHASE_OR_SPEC)
                .build());

        // A ClusterDatabaseGrant names its instance itself: partitioned and queued by it as the roles are.
        Informer<ClusterDatabaseGrant> clusterGrants = informers.clusterGrants();
        controllers.add(controllers
                .onInstance(
                        "clusterdatabasegrant-controller",
                        clusterGrants,
                        new GrantLogic(true, parts.instances(), parts.engine(), targets, holders))
                .watches(informers.users(), user -> named(clusterGrants, "user", Dependants.key(user)), PHASE_OR_SPEC)
                .watches(
                        informers.roles(),
                        role -> named(clusterGrants, RoleLogic.INDEX, Dependants.key(role)),
                        PHASE_OR_SPEC)
                .watches(
                        informers.clusterRoles(),
                        role -> named(clusterGrants, RoleLogic.INDEX, Dependants.key(role)),
                        PHASE_OR_SPEC)
                .build());
    }

    /** The DatabaseRole a grant names, if it names one. */
    private static List<NamespacedName> namespacedRoleOf(Message grant) {
        try {
            GrantTargets.Ref ref = GrantTargets.refOf(grant);
            return !ref.user()
                            && !ref.clusterRole()
                            && !ref.namespace().isEmpty()
                            && !ref.name().isEmpty()
                    ? List.of(new NamespacedName(ref.namespace(), ref.name()))
                    : List.of();
        } catch (RuntimeException invalid) {
            return List.of();
        }
    }

    /** The ClusterDatabaseRole a ClusterDatabaseGrant names, if it names one. */
    private static List<NamespacedName> clusterRoleOf(Message grant) {
        try {
            GrantTargets.Ref ref = GrantTargets.refOf(grant);
            return ref.clusterRole() && !ref.name().isEmpty() ? List.of(NamespacedName.cluster(ref.name())) : List.of();
        } catch (RuntimeException invalid) {
            return List.of();
        }
    }

    /** Only a grant appearing or going concerns the role it names (its reconcile reads no more of it). */
    private static final UpdatePredicate<Message> ADDS_AND_DELETES = (before, after) -> false;

    /** The instance of the grant's target: one slow server holds only its own grants' workers. */
    private static String partition(GrantTargets targets, Instances instances, Message grant) {
        try {
            return targets.find(grant)
                    .map(t -> t.instance() == null ? "" : instances.partition(t.instance()))
                    .orElse("");
        } catch (RuntimeException invalid) {
            return "";
        }
    }

    private static List<NamespacedName> named(Informer<? extends Message> grants, String index, String parent) {
        return grants.byIndex(index, parent).stream().map(NamespacedName::of).toList();
    }

    /** The DatabaseGrants for the users and roles on {@code instance}. */
    private static List<NamespacedName> onInstance(
            Informer<DatabaseGrant> grants, DbopsControllers.Informers informers, InstanceKey instance) {
        Set<NamespacedName> keys = new LinkedHashSet<>();
        informers
                .users()
                .byIndex(InstanceLogic.INDEX, instance.index())
                .forEach(user -> keys.addAll(named(grants, "user", Dependants.key(user))));
        informers
                .roles()
                .byIndex(InstanceLogic.INDEX, instance.index())
                .forEach(role -> keys.addAll(named(grants, RoleLogic.INDEX, Dependants.key(role))));
        return List.copyOf(keys);
    }

    private static InstanceKey keyOf(Message instance, boolean cluster) {
        NamespacedName name = NamespacedName.of(instance);
        return cluster ? InstanceKey.cluster(name.name()) : InstanceKey.namespaced(name.namespace(), name.name());
    }

    /** What a grant waiting on an object cares about: its spec, metadata or phase (not every status write). */
    private static final UpdatePredicate<Message> PHASE_OR_SPEC =
            (before, after) -> UpdatePredicate.generationOrMetadataChanged().test(before, after)
                    || !phase(before).equals(phase(after));

    private static Object phase(Message object) {
        FieldDescriptor statusField = object.getDescriptorForType().findFieldByName("status");
        Message status = (Message) object.getField(statusField);
        FieldDescriptor phase = status.getDescriptorForType().findFieldByName("phase");
        return phase == null ? "" : status.getField(phase);
    }
}
