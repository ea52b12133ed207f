package io.dbprovision.apiserver.reconcile.grant;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.admission.DeletionProtection;
import io.dbprovision.apiserver.reconcile.Conditions;
import io.dbprovision.apiserver.reconcile.DeletionGate;
import io.dbprovision.apiserver.reconcile.Dependants;
import io.dbprovision.apiserver.reconcile.EngineCalls;
import io.dbprovision.apiserver.reconcile.EngineObjectLogic;
import io.dbprovision.apiserver.reconcile.Engines;
import io.dbprovision.apiserver.reconcile.Instances;
import io.dbprovision.apiserver.reconcile.StatusDraft;
import io.dbprovision.apiserver.reconcile.Waiting;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.DropRoleRequest;
import io.dbprovision.proto.engine.v1alpha1.EnsureRoleRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveRoleRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveRoleResponse;
import io.dbprovision.proto.engine.v1alpha1.RoleDefinition;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseRole;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseRoleStatus;
import io.dbprovision.proto.v1alpha1.DatabaseRole;
import io.dbprovision.proto.v1alpha1.DatabaseRoleStatus;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.MySQLRoleConfig;
import io.dbprovision.proto.v1alpha1.PostgresRoleConfig;
import io.dbprovision.proto.v1alpha1.RoleInfo;
import java.util.List;

/**
 * DatabaseRole and ClusterDatabaseRole (§4.6): EnsureRole (create, then attributes, memberships and the role's own
 * privileges), ObserveRole for {@code status.role} and drift. Deletion is guarded by annotations: {@code
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

    RoleLogic(boolean cluster, Instances instances, EngineCalls engine, Dependants dependants, DeletionGate gate) {
        super(instances, engine);
        this.cluster = cluster;
        this.dependants = dependants;
        this.gate = gate;
    }

    @Override
    public String finalizer() {
        return cluster ? CLUSTER_FINALIZER : FINALIZER;
    }

    @Override
    protected void ensure(Message object, Instances.Resolved instance, StatusDraft status, boolean destructive) {
        String name = roleName(object);
        boolean known = info(status).hasCreatedAt();
        if (status.phase().isEmpty() || "Pending".equals(status.phase())) {
            status.phase("Creating", "creating role " + name);
        }
        ChangeResponse response = engine.call(
                "ensure role " + name,
                stub -> stub.ensureRole(EnsureRoleRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setRole(definition(object, instance))
                        .build()));
        if (!known && response.getChanged()) {
            status.normalEvent("Created", "role " + name + " created on " + instance.key());
        }
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
        return observed.getDiffsList();
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
