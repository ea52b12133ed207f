package io.dbprovision.apiserver.reconcile.grant;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.admission.DeletionProtection;
import io.dbprovision.apiserver.reconcile.Conditions;
import io.dbprovision.apiserver.reconcile.DeletionGate;
import io.dbprovision.apiserver.reconcile.Dependants;
import io.dbprovision.apiserver.reconcile.EngineCalls;
import io.dbprovision.apiserver.reconcile.EngineObjectLogic;
import io.dbprovision.apiserver.reconcile.Engines;
import io.dbprovision.apiserver.reconcile.InstanceKey;
import io.dbprovision.apiserver.reconcile.Instances;
import io.dbprovision.apiserver.reconcile.StatusDraft;
import io.dbprovision.apiserver.reconcile.Waiting;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.DropRoleRequest;
import io.dbprovision.proto.engine.v1alpha1.EnsureRoleRequest;
import io.dbprovision.proto.engine.v1alpha1.GrantSet;
import io.dbprovision.proto.engine.v1alpha1.ObserveGrantsRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveGrantsResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveRoleRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveRoleResponse;
import io.dbprovision.proto.engine.v1alpha1.RoleDefinition;
import io.dbprovision.proto.v1alpha1.AppliedRolePrivileges;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseRole;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseRoleStatus;
import io.dbprovision.proto.v1alpha1.ClusterInstanceReference;
import io.dbprovision.proto.v1alpha1.DatabaseRole;
import io.dbprovision.proto.v1alpha1.DatabaseRoleStatus;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.InstanceReference;
import io.dbprovision.proto.v1alpha1.MySQLGrantConfig;
import io.dbprovision.proto.v1alpha1.MySQLRoleConfig;
import io.dbprovision.proto.v1alpha1.PostgresGrantConfig;
import io.dbprovision.proto.v1alpha1.PostgresRoleConfig;
import io.dbprovision.proto.v1alpha1.RoleInfo;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * DatabaseRole and ClusterDatabaseRole (§4.6): EnsureRole (create, then attributes, memberships and the role's own
 * privileges), ObserveRole for {@code status.role} and drift.
 *
 * <p>A role converges as a grant does: {@code status.applied} records the memberships and privileges its spec gave
 * it on the server, and a changed spec revokes what it no longer lists ({@code Revoked} event) — except what a
 * DatabaseGrant or ClusterDatabaseGrant still gives the role. What it holds that we never gave (granted by hand) is
 * left alone and shows as drift; EnsureRole itself only adds. Deletion is guarded by annotations: {@code
 * dbops.dbprovision.io/deletion-protection: "true"} keeps it (until {@code force-delete}); then the grants naming the
 * role must go first — for ClusterDatabaseRoles as well, which the system we re-create never checked (§10.9) — and
 * {@code dbops.dbprovision.io/deletion-policy} decides: {@code Delete} (the default) drops the role on the server,
 * reassigning what it owns to the admin; {@code Retain} leaves it.
 */
public final class RoleLogic extends EngineObjectLogic {
    public static final String FINALIZER = "dbops.dbprovision.io/role-protection";
    public static final String CLUSTER_FINALIZER = "dbops.dbprovision.io/cluster-role-protection";
    public static final String DELETION_PROTECTION = "dbops.dbprovision.io/deletion-protection";
    public static final String DELETION_POLICY = "dbops.dbprovision.io/deletion-policy";
    /** The dependants index: grants by the role they name ({@code namespace/name}, {@code /name} when cluster-scoped). */
    public static final String INDEX = "role";

    private final boolean cluster;
    private final Dependants dependants;
    private final DeletionGate gate;
    private final OtherHolders holders;

    RoleLogic(
            boolean cluster,
            Instances instances,
            EngineCalls engine,
            Dependants dependants,
            DeletionGate gate,
            OtherHolders holders) {
        super(instances, engine);
        this.cluster = cluster;
        this.dependants = dependants;
        this.gate = gate;
        this.holders = holders;
    }

    /**
     * As every engine object, after one bookkeeping step: a role Ready at this generation from before roles recorded
     * what they applied gets its spec as the record (it is what the last ensure applied), so that its next change
     * revokes what it drops. No engine call, no Secret read.
     */
    @Override
    public Optional<Duration> sync(Message object, StatusDraft status) {
        if (applied(status).isEmpty()
                && "Ready".equals(status.phase())
                && observedGeneration(status) == Objects.meta(object).getGeneration()) {
            Instances.Resolved instance = instanceOf(object);
            setApplied(status, record(instance.key(), blocksOf(definition(object, instance))));
        }
        return super.sync(object, status);
    }

    @Override
    public String finalizer() {
        return cluster ? CLUSTER_FINALIZER : FINALIZER;
    }

    @Override
    protected void ensure(Message object, Instances.Resolved instance, StatusDraft status, boolean destructive) {
        String name = roleName(object);
        boolean known = info(status).hasCreatedAt();
        boolean correcting = destructive && driftCorrection(object, status);
        if (status.phase().isEmpty() || "Pending".equals(status.phase())) {
            status.phase("Creating", "creating role " + name);
        }
        RoleDefinition definition = definition(object, instance);
        GrantBlocks wanted = blocksOf(definition);
        // A record of another instance is about a role there (the spec moved): nothing of it is revoked here.
        GrantBlocks before = applied(status)
                .filter(applied -> appliedInstance(applied).equals(instance.key()))
                .map(RoleLogic::blocksOf)
                .orElse(GrantBlocks.empty());
        GrantBlocks dropped = before.minus(wanted).minusHeldBy(holders.of(object, name, instance.key()));
        // Until the ensure succeeds the role may hold what either generation lists; recording both means a failure
        // half-way leaves nothing the spec gave unaccounted for. Revoking first: from SELECT to ALL, a REVOKE SELECT
        // after the GRANT ALL would take SELECT back out of it.
        setApplied(status, record(instance.key(), before.union(wanted)));
        boolean revoked = revoke(instance, name, dropped);
        ChangeResponse response = engine.call(
                "ensure role " + name,
                stub -> stub.ensureRole(EnsureRoleRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setRole(definition)
                        .build()));
        setApplied(status, record(instance.key(), wanted));
        if (!known && response.getChanged()) {
            status.normalEvent("Created", "role " + name + " created on " + instance.key());
        }
        if (revoked) {
            status.normalEvent(
                    "Revoked", "revoked from role " + name + " what its spec no longer lists: " + dropped.summary());
        }
        if (correcting) {
            revokeUndeclared(object, instance, status, name, wanted);
        }
    }

    /**
     * A correction the role allows to be destructive ({@code allow-destructive-drift}) takes back what nobody
     * declared: memberships and privileges, in the scopes its spec names, that neither its spec nor a grant (or
     * another object naming the same role) gives — what an admin granted by hand. The provisioner's ObserveGrants
     * lists them ({@code unlisted}); an owner's privileges on what it owns are never among them.
     */
    private void revokeUndeclared(
            Message object, Instances.Resolved instance, StatusDraft status, String name, GrantBlocks wanted) {
        GrantSet.Builder declared = GrantSet.newBuilder().setGrantee(name);
        if (Engines.postgresFamily(instance.engine())) {
            declared.setPostgres(wanted.postgres());
        } else {
            declared.setMysql(wanted.mysql());
        }
        ObserveGrantsResponse seen = engine.call(
                "observe privileges of role " + name,
                stub -> stub.observeGrants(ObserveGrantsRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setDesired(declared)
                        .build()));
        GrantBlocks undeclared = GrantBlocks.of(
                        seen.getUnlisted().getPostgres(), seen.getUnlisted().getMysql())
                .minusHeldBy(holders.of(object, name, instance.key()));
        if (revoke(instance, name, undeclared)) {
            status.normalEvent(
                    "Revoked", "revoked from role " + name + " what nothing declares: " + undeclared.summary());
        }
    }

    /** Revokes {@code blocks} from the role; true when the server changed. */
    private boolean revoke(Instances.Resolved instance, String name, GrantBlocks blocks) {
        return Revocation.revoke(engine, instance, name, List.of(), blocks, "revoke from role " + name);
    }

    @Override
    protected ChangeResponse plan(Message object, Instances.Resolved instance) {
        String name = roleName(object);
        return engine.call(
                "plan role " + name,
                stub -> stub.ensureRole(EnsureRoleRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setValidateOnly(true)
                        .setRole(definition(object, instance))
                        .build()));
    }

    @Override
    protected List<DriftDiff> observe(Message object, Instances.Resolved instance, StatusDraft status) {
        String name = roleName(object);
        ObserveRoleResponse observed = engine.call(
                "observe role " + name,
                stub -> stub.observeRole(ObserveRoleRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setDesired(definition(object, instance))
                        .build()));
        if (!observed.getExists()) {
            return List.of(DriftDiff.newBuilder()
                    .setField("role")
                    .setExpected(name)
                    .setActual("<missing>")
                    .build());
        }
        RoleInfo current = info(status);
        setInfo(
                status,
                RoleInfo.newBuilder()
                        .setName(observed.getActual().getName())
                        .setCreatedAt(
                                current.hasCreatedAt() ? current.getCreatedAt() : Conditions.timestamp(status.now()))
                        .build());
        // What grants (or other objects naming the role) give it is theirs, not the role's drift.
        return HeldElsewhere.filter(observed.getDiffsList(), holders.of(object, name, instance.key()));
    }

    @Override
    protected String readyMessage(Message object, Instances.Resolved instance) {
        return "role " + roleName(object) + " on " + instance.key();
    }

    @Override
    public boolean finish(Message object, StatusDraft status) {
        String name = roleName(object);
        var meta = Objects.meta(object);
        boolean forced = "true".equals(meta.getAnnotationsOrDefault(DeletionProtection.FORCE_DELETE, ""));
        if ("true".equals(meta.getAnnotationsOrDefault(DELETION_PROTECTION, "")) && !forced) {
            String message = "role " + name + " is protected from deletion (annotation " + DELETION_PROTECTION
                    + "); remove the annotation, or annotate it " + DeletionProtection.FORCE_DELETE + "=true";
            if (!"DeletionProtected".equals(readyReason(status))) {
                status.warningEvent("DeletionBlocked", message);
            }
            status.notReady("Deleting", "DeletionProtected", message);
            return false;
        }
        if (!gate.clear(object, dependants.of(INDEX, Dependants.key(object)), status)) {
            return false;
        }
        String policy = meta.getAnnotationsOrDefault(DELETION_POLICY, "");
        if (!policy.isEmpty() && !policy.equalsIgnoreCase("Delete")) {
            // Retain, or a value we do not know: keeping a role by mistake costs less than dropping one.
            status.normalEvent(
                    "Retained",
                    "role " + name + " kept on the server (" + DELETION_POLICY + " " + policyWord(policy) + ")");
            return true;
        }
        Instances.Resolved instance;
        try {
            instance = instances.forCleanup(object);
        } catch (Waiting waiting) {
            if (forced) {
                status.warningEvent(
                        "DeleteSkipped", "role " + name + " not dropped: " + waiting.getMessage() + " (force-delete)");
                return true;
            }
            throw waiting;
        }
        status.phase("Deleting", "dropping role " + name);
        // Objects the role owns go to the admin (the provisioner's default), its privileges with it.
        engine.call(
                "drop role " + name,
                stub -> stub.dropRole(DropRoleRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setName(name)
                        .build()));
        status.normalEvent("Deleted", "role " + name + " dropped from " + instance.key());
        return true;
    }

    static RoleDefinition definition(Message object, Instances.Resolved instance) {
        RoleDefinition.Builder definition = RoleDefinition.newBuilder().setName(roleName(object));
        PostgresRoleConfig postgres;
        MySQLRoleConfig mysql;
        boolean hasPostgres;
        boolean hasMysql;
        if (object instanceof DatabaseRole role) {
            postgres = role.getSpec().getPostgres();
            mysql = role.getSpec().getMysql();
            hasPostgres = role.getSpec().hasPostgres();
            hasMysql = role.getSpec().hasMysql();
        } else {
            var spec = ((ClusterDatabaseRole) object).getSpec();
            postgres = spec.getPostgres();
            mysql = spec.getMysql();
            hasPostgres = spec.hasPostgres();
            hasMysql = spec.hasMysql();
        }
        if (Engines.postgresFamily(instance.engine()) && hasPostgres) {
            definition.setPostgres(postgres);
        }
        if (Engines.mysqlFamily(instance.engine()) && hasMysql) {
            definition.setMysql(mysql);
        }
        return definition.build();
    }

    static String roleName(Message object) {
        return object instanceof DatabaseRole role
                ? role.getSpec().getRoleName()
                : ((ClusterDatabaseRole) object).getSpec().getRoleName();
    }

    /** The memberships and privileges of a role definition, as GrantBlocks compare them. */
    static GrantBlocks blocksOf(RoleDefinition definition) {
        return GrantBlocks.of(
                PostgresGrantConfig.newBuilder()
                        .addAllRoles(definition.getPostgres().getInRolesList())
                        .addAllGrants(definition.getPostgres().getGrantsList())
                        .build(),
                MySQLGrantConfig.newBuilder()
                        .addAllGrants(definition.getMysql().getGrantsList())
                        .build());
    }

    static GrantBlocks blocksOf(AppliedRolePrivileges applied) {
        return GrantBlocks.of(
                PostgresGrantConfig.newBuilder()
                        .addAllRoles(applied.getInRolesList())
                        .addAllGrants(applied.getPostgresGrantsList())
                        .build(),
                MySQLGrantConfig.newBuilder()
                        .addAllGrants(applied.getMysqlGrantsList())
                        .build());
    }

    static AppliedRolePrivileges record(InstanceKey instance, GrantBlocks blocks) {
        AppliedRolePrivileges.Builder applied = AppliedRolePrivileges.newBuilder()
                .addAllInRoles(blocks.postgres().getRolesList())
                .addAllPostgresGrants(blocks.postgres().getGrantsList())
                .addAllMysqlGrants(blocks.mysql().getGrantsList());
        if (instance.cluster()) {
            applied.setClusterInstanceRef(ClusterInstanceReference.newBuilder()
                    .setName(instance.name().name()));
        } else {
            applied.setInstanceRef(InstanceReference.newBuilder()
                    .setNamespace(instance.name().namespace())
                    .setName(instance.name().name()));
        }
        return applied.build();
    }

    static InstanceKey appliedInstance(AppliedRolePrivileges applied) {
        return applied.hasClusterInstanceRef()
                ? InstanceKey.cluster(applied.getClusterInstanceRef().getName())
                : InstanceKey.namespaced(
                        applied.getInstanceRef().getNamespace(),
                        applied.getInstanceRef().getName());
    }

    private Optional<AppliedRolePrivileges> applied(StatusDraft status) {
        if (cluster) {
            var fields = status.fields(ClusterDatabaseRoleStatus.Builder.class);
            return fields.hasApplied() ? Optional.of(fields.getApplied()) : Optional.empty();
        }
        var fields = status.fields(DatabaseRoleStatus.Builder.class);
        return fields.hasApplied() ? Optional.of(fields.getApplied()) : Optional.empty();
    }

    private void setApplied(StatusDraft status, AppliedRolePrivileges applied) {
        if (cluster) {
            status.fields(ClusterDatabaseRoleStatus.Builder.class).setApplied(applied);
        } else {
            status.fields(DatabaseRoleStatus.Builder.class).setApplied(applied);
        }
    }

    private long observedGeneration(StatusDraft status) {
        return cluster
                ? status.fields(ClusterDatabaseRoleStatus.Builder.class).getObservedGeneration()
                : status.fields(DatabaseRoleStatus.Builder.class).getObservedGeneration();
    }

    private RoleInfo info(StatusDraft status) {
        return cluster
                ? status.fields(ClusterDatabaseRoleStatus.Builder.class).getRole()
                : status.fields(DatabaseRoleStatus.Builder.class).getRole();
    }

    private void setInfo(StatusDraft status, RoleInfo info) {
        if (cluster) {
            status.fields(ClusterDatabaseRoleStatus.Builder.class).setRole(info);
        } else {
            status.fields(DatabaseRoleStatus.Builder.class).setRole(info);
        }
    }

    private static String readyReason(StatusDraft status) {
        return status.conditions().stream()
                .filter(c -> c.getType().equals(Conditions.READY))
                .map(c -> c.getReason())
                .findFirst()
                .orElse("");
    }

    private static String policyWord(String policy) {
        if (policy.equalsIgnoreCase("Retain")) {
            return "Retain";
        }
        // An annotation value can be long: quote a bounded part of it.
        return "\"" + (policy.length() > 64 ? policy.substring(0, 64) + "…" : policy) + "\", not Delete";
    }
}
