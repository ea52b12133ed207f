package io.dbprovision.apiserver.reconcile.grant;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.admission.DeletionProtection;
import io.dbprovision.apiserver.reconcile.EngineCalls;
import io.dbprovision.apiserver.reconcile.EngineObjectLogic;
import io.dbprovision.apiserver.reconcile.Engines;
import io.dbprovision.apiserver.reconcile.InstanceKey;
import io.dbprovision.apiserver.reconcile.Instances;
import io.dbprovision.apiserver.reconcile.ReconcileFailure;
import io.dbprovision.apiserver.reconcile.StatusDraft;
import io.dbprovision.apiserver.reconcile.Waiting;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.proto.engine.v1alpha1.ApplyGrantsRequest;
import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.GrantSet;
import io.dbprovision.proto.engine.v1alpha1.ObserveGrantsRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveGrantsResponse;
import io.dbprovision.proto.v1alpha1.AppliedGrantSet;
import io.dbprovision.proto.v1alpha1.AppliedGrantsInfo;
import io.dbprovision.proto.v1alpha1.ClusterAppliedGrantsInfo;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseGrant;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseGrantStatus;
import io.dbprovision.proto.v1alpha1.ClusterInstanceReference;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseGrantStatus;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.GrantPhase;
import io.dbprovision.proto.v1alpha1.GrantTargetInfo;
import io.dbprovision.proto.v1alpha1.InstanceReference;
import io.dbprovision.proto.v1alpha1.MySQLGrantConfig;
import io.dbprovision.proto.v1alpha1.PostgresGrantConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * DatabaseGrant and ClusterDatabaseGrant (§4.7): privileges and memberships for a DatabaseUser or a role, applied on
 * the instance the user or role lives on once it is Ready (and the Database a DatabaseGrant names is Ready).
 *
 * <p>Unlike the system we re-create: role targets and cluster instances work (§10.2); the grant remembers what it
 * applied ({@code status.applied}), so a changed grant revokes what it no longer lists — also in databases, schemas
 * and objects it no longer names at all, which the provisioner's revoke-unlisted cannot see — and a deleted grant
 * revokes everything it gave, default privileges included (§10.12); what other grants (or the grantee's own spec)
 * still give is left alone; {@code Applied} is an event only when something changed (§10.13). Revoking what the
 * grantee holds beyond the grant in the scopes it names happens only in drift correction with the
 * allow-destructive-drift annotation.
 */
public final class GrantLogic extends EngineObjectLogic {
    public static final String FINALIZER = "dbops.dbprovision.io/grant-protection";
    public static final String CLUSTER_FINALIZER = "dbops.dbprovision.io/cluster-grant-protection";

    private final boolean cluster;
    private final GrantTargets targets;
    private final OtherHolders holders;

    GrantLogic(boolean cluster, Instances instances, EngineCalls engine, GrantTargets targets, OtherHolders holders) {
        super(instances, engine);
        this.cluster = cluster;
        this.targets = targets;
        this.holders = holders;
    }

    @Override
    public String finalizer() {
        return cluster ? CLUSTER_FINALIZER : FINALIZER;
    }

    /**
     * As every engine object, plus one case where the spec is unchanged but the grant must apply again: the grantee
     * it applied to is no longer the one its target resolves to (a user's allowedHosts changed, say).
     */
    @Override
    public Optional<Duration> sync(Message object, StatusDraft status) {
        Optional<AppliedGrantSet> applied = applied(status);
        if (applied.isPresent() && "Ready".equals(status.phase())) {
            Instances.Resolved instance = instanceOf(object);
            GrantSet desired = desired(object, targets.ready(object), instance.engine());
            if (!appliedInstance(applied.get()).equals(instance.key())
                    || !applied.get().getGrantee().equals(desired.getGrantee())
                    || !applied.get().getGranteeHostsList().equals(desired.getGranteeHostsList())) {
                status.phase("Creating", "the grantee changed: applying the grants again");
            }
        }
        return super.sync(object, status);
    }

    @Override
    protected void checkDependencies(Message object) {
        GrantTarget target = targets.ready(object);
        InstanceKey instance = where(object, target);
        if (object instanceof DatabaseGrant grant) {
            targets.databaseReady(grant, instance);
        }
    }

    @Override
    protected Instances.Resolved instanceOf(Message object) {
        return instances.ready(where(object, targets.ready(object)));
    }

    /**
     * Where a grant applies: on its target's instance. A ClusterDatabaseGrant names its ClusterDatabaseInstance as
     * well, and the target must live there.
     */
    static InstanceKey where(Message grant, GrantTarget target) {
        if (grant instanceof ClusterDatabaseGrant g) {
            InstanceKey named =
                    InstanceKey.cluster(g.getSpec().getClusterInstanceRef().getName());
            if (!named.equals(target.instance())) {
                throw new ReconcileFailure(
                        "InvalidSpec",
                        target.describe() + " lives on " + target.instance() + ", not on " + named,
                        false,
                        null);
            }
            return named;
        }
        return target.instance();
    }

    @Override
    protected void ensure(Message object, Instances.Resolved instance, StatusDraft status, boolean destructive) {
        GrantTarget target = targets.ready(object);
        GrantSet desired = desired(object, target, instance.engine());
        GrantBlocks wanted = GrantBlocks.of(desired.getPostgres(), desired.getMysql());
        if (status.phase().isEmpty() || "Pending".equals(status.phase())) {
            status.phase("Creating", "applying grants to " + target.grantee());
        }
        AppliedGrantSet previous = applied(status).orElse(null);
        boolean changed = revokeDropped(object, previous, desired, wanted, instance, status);
        // Until the apply succeeds the grantee may hold what either generation lists; record both, so that a failure
        // half-way leaves nothing this grant gave unaccounted for.
        GrantBlocks recorded = previous != null && sameGrantee(previous, instance.key(), desired)
                ? wanted.union(blocksOf(previous))
                : wanted;
        setApplied(status, appliedSet(instance.key(), desired, recorded));
        // Beyond what a previous generation gave, revoking what the grantee holds unlisted in the same scopes would
        // also take what other grants give: only a drift correction (a Ready grant of this generation applying again)
        // that the object allows to be destructive does it.
        boolean correcting = "Ready".equals(status.phase()) && !newGeneration(object);
        boolean revokeUnlisted = destructive && correcting;
        // Revoking the unlisted keeps what other grants (or the grantee's own spec) give: they are listed too.
        GrantSet applied = revokeUnlisted ? withOthers(desired, wanted, object, target) : desired;
        ChangeResponse response = engine.call(
                "apply grants to " + target.grantee(),
                stub -> stub.applyGrants(ApplyGrantsRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setGrants(applied)
                        .setRevokeUnlisted(revokeUnlisted)
                        .build()));
        setApplied(status, appliedSet(instance.key(), desired, wanted));
        counts(target, desired, status);
        if (changed || response.getChanged()) {
            status.normalEvent(
                    "Applied",
                    "privileges of " + target.grantee() + " (" + target.describe() + ") changed to match the grant");
        }
    }

    /** {@code desired} with the blocks of everything else that gives its grantee privileges on the instance. */
    private GrantSet withOthers(GrantSet desired, GrantBlocks wanted, Message grant, GrantTarget target) {
        GrantBlocks all = wanted;
        for (GrantBlocks other : holders.of(grant, target.grantee(), target.instance())) {
            all = all.union(other);
        }
        GrantSet.Builder set = desired.toBuilder();
        if (desired.hasPostgres()) {
            set.setPostgres(all.postgres());
        }
        if (desired.hasMysql()) {
            set.setMysql(all.mysql());
        }
        return set.build();
    }

    /**
     * Revokes what the previous generation applied and this one no longer lists: all of it from a grantee (or on an
     * instance) the grant no longer names, otherwise the difference. Returns whether anything changed.
     */
    private boolean revokeDropped(
            Message grant,
            AppliedGrantSet previous,
            GrantSet desired,
            GrantBlocks wanted,
            Instances.Resolved instance,
            StatusDraft status) {
        if (previous == null) {
            return false;
        }
        InstanceKey before = appliedInstance(previous);
        GrantBlocks old = blocksOf(previous);
        if (!sameGrantee(previous, instance.key(), desired)) {
            Instances.Resolved there;
            if (before.equals(instance.key())) {
                there = instance;
            } else {
                try {
                    there = instances.ready(before);
                } catch (Waiting waiting) {
                    if (!"InstanceNotFound".equals(waiting.reason())) {
                        throw waiting;
                    }
                    status.warningEvent(
                            "RevokeSkipped", "not revoked from " + previous.getGrantee() + ": " + waiting.getMessage());
                    return false;
                }
            }
            return revoke(
                    there,
                    previous.getGrantee(),
                    previous.getGranteeHostsList(),
                    old.minusHeldBy(holders.of(grant, previous.getGrantee(), before)));
        }
        List<GrantBlocks> others = holders.of(grant, previous.getGrantee(), before);
        boolean changed = false;
        List<String> goneHosts = new ArrayList<>(previous.getGranteeHostsList());
        goneHosts.removeAll(desired.getGranteeHostsList());
        if (!goneHosts.isEmpty()) {
            changed = revoke(instance, desired.getGrantee(), goneHosts, old.minusHeldBy(others));
        }
        List<String> keptHosts = new ArrayList<>(previous.getGranteeHostsList());
        keptHosts.retainAll(desired.getGranteeHostsList());
        // No hosts means the grantee itself (a role, or every account of a PostgreSQL user); hosts that all went are
        // dealt with above, and an empty list must not widen to every account.
        if (previous.getGranteeHostsCount() == 0 || !keptHosts.isEmpty()) {
            changed |= revoke(
                    instance, desired.getGrantee(), keptHosts, old.minus(wanted).minusHeldBy(others));
        }
        return changed;
    }

    private boolean revoke(Instances.Resolved instance, String grantee, List<String> hosts, GrantBlocks blocks) {
        return !blocks.isEmpty()
                && Revocation.revoke(engine, instance, grantee, hosts, blocks, "revoke grants from " + grantee);
    }

    /**
     * ApplyGrants' plan for the spec as it is (what a changed grant would revoke of what an earlier generation gave is
     * not part of it).
     */
    @Override
    protected ChangeResponse plan(Message object, Instances.Resolved instance) {
        GrantTarget target = targets.ready(object);
        GrantSet desired = desired(object, target, instance.engine());
        return engine.call(
                "plan grants to " + target.grantee(),
                stub -> stub.applyGrants(ApplyGrantsRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setValidateOnly(true)
                        .setGrants(desired)
                        .build()));
    }

    @Override
    protected List<DriftDiff> observe(Message object, Instances.Resolved instance, StatusDraft status) {
        GrantTarget target = targets.ready(object);
        GrantSet desired = desired(object, target, instance.engine());
        ObserveGrantsResponse observed = engine.call(
                "observe grants of " + target.grantee(),
                stub -> stub.observeGrants(ObserveGrantsRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setDesired(desired)
                        .build()));
        counts(target, desired, status);
        // What other grants (or the grantee's own spec) give it is theirs, not this grant's drift.
        return HeldElsewhere.filter(observed.getDiffsList(), holders.of(object, target.grantee(), target.instance()));
    }

    @Override
    protected String readyMessage(Message object, Instances.Resolved instance) {
        GrantTarget target = targets.ready(object);
        return "grants to " + target.grantee() + " (" + target.describe() + ") applied on " + instance.key();
    }

    @Override
    public boolean finish(Message object, StatusDraft status) {
        GrantTargets.Ref ref;
        Optional<GrantTarget> found;
        try {
            ref = GrantTargets.refOf(object);
            found = targets.find(object);
        } catch (ReconcileFailure invalid) {
            status.normalEvent("RevokeSkipped", "the grant names no user or role: nothing to revoke");
            return true;
        }
        if (found.isEmpty() || found.get().instance() == null) {
            status.normalEvent("RevokeSkipped", ref.describe() + " does not exist: nothing to revoke");
            return true;
        }
        GrantTarget target = found.get();
        AppliedGrantSet applied = applied(status).orElse(null);
        InstanceKey key = applied != null ? appliedInstance(applied) : target.instance();
        Instances.Resolved instance;
        try {
            instance = instances.forCleanup(key);
        } catch (Waiting waiting) {
            if ("InstanceNotFound".equals(waiting.reason()) || forced(object)) {
                status.normalEvent("RevokeSkipped", "nothing revoked: " + waiting.getMessage());
                return true;
            }
            throw waiting;
        }
        status.phase("Deleting", "revoking the grants of " + target.grantee());
        GrantSet spec = desired(object, target, instance.engine());
        GrantBlocks inSpec = GrantBlocks.of(spec.getPostgres(), spec.getMysql());
        try {
            if (applied == null) {
                // Never recorded (a grant from before status.applied, or one that never got that far): its spec.
                revokeLeavingOthers(instance, spec.getGrantee(), spec.getGranteeHostsList(), inSpec, object, key);
            } else if (sameGrantee(applied, key, spec)) {
                revokeLeavingOthers(
                        instance,
                        applied.getGrantee(),
                        applied.getGranteeHostsList(),
                        blocksOf(applied).union(inSpec),
                        object,
                        key);
            } else {
                revokeLeavingOthers(
                        instance, applied.getGrantee(), applied.getGranteeHostsList(), blocksOf(applied), object, key);
            }
        } catch (ReconcileFailure failure) {
            // Once per failure, not once per retry.
            boolean known = status.conditions().stream()
                    .anyMatch(c -> c.getType().equals("Ready")
                            && c.getReason().equals("RevokeFailed")
                            && c.getMessage().equals(failure.getMessage()));
            if (!known || forced(object)) {
                status.warningEvent("RevokeFailed", failure.getMessage());
            }
            if (forced(object)) {
                return true;
            }
            status.notReady("Deleting", "RevokeFailed", failure.getMessage());
            return false;
        }
        status.normalEvent("Revoked", "revoked the grants of " + target.grantee() + " on " + key);
        return true;
    }

    /** Revokes {@code blocks} except what other grants, or the grantee's own spec, still give it. */
    private void revokeLeavingOthers(
            Instances.Resolved instance,
            String grantee,
            List<String> hosts,
            GrantBlocks blocks,
            Message grant,
            InstanceKey key) {
        revoke(instance, grantee, hosts, blocks.minusHeldBy(holders.of(grant, grantee, key)));
    }

    // ---- the grant's spec and status ------------------------------------------------------------------------------

    /** The engine's grant set: the grantee and the block of the instance's engine family. */
    static GrantSet desired(Message grant, GrantTarget target, EngineType engine) {
        GrantSet.Builder set = GrantSet.newBuilder().setGrantee(target.grantee());
        PostgresGrantConfig postgres;
        MySQLGrantConfig mysql;
        boolean hasPostgres;
        boolean hasMysql;
        if (grant instanceof DatabaseGrant g) {
            postgres = g.getSpec().getPostgres();
            mysql = g.getSpec().getMysql();
            hasPostgres = g.getSpec().hasPostgres();
            hasMysql = g.getSpec().hasMysql();
        } else {
            var spec = ((ClusterDatabaseGrant) grant).getSpec();
            postgres = spec.getPostgres();
            mysql = spec.getMysql();
            hasPostgres = spec.hasPostgres();
            hasMysql = spec.hasMysql();
        }
        if (Engines.postgresFamily(engine) && hasPostgres) {
            set.setPostgres(postgres);
        }
        if (Engines.mysqlFamily(engine)) {
            set.addAllGranteeHosts(target.hosts());
            if (hasMysql) {
                set.setMysql(mysql);
            }
        }
        return set.build();
    }

    private static boolean newGeneration(Message grant) {
        long generation = Objects.meta(grant).getGeneration();
        if (grant instanceof DatabaseGrant g) {
            return g.getStatus().getObservedGeneration() != generation
                    || g.getStatus().getPhase() != GrantPhase.GRANT_PHASE_READY;
        }
        var status = ((ClusterDatabaseGrant) grant).getStatus();
        return status.getObservedGeneration() != generation || status.getPhase() != GrantPhase.GRANT_PHASE_READY;
    }

    private Optional<AppliedGrantSet> applied(StatusDraft status) {
        if (cluster) {
            var fields = status.fields(ClusterDatabaseGrantStatus.Builder.class);
            return fields.hasApplied() ? Optional.of(fields.getApplied()) : Optional.empty();
        }
        var fields = status.fields(DatabaseGrantStatus.Builder.class);
        return fields.hasApplied() ? Optional.of(fields.getApplied()) : Optional.empty();
    }

    private void setApplied(StatusDraft status, AppliedGrantSet applied) {
        if (cluster) {
            status.fields(ClusterDatabaseGrantStatus.Builder.class).setApplied(applied);
        } else {
            status.fields(DatabaseGrantStatus.Builder.class).setApplied(applied);
        }
    }

    private static AppliedGrantSet appliedSet(InstanceKey instance, GrantSet desired, GrantBlocks blocks) {
        AppliedGrantSet.Builder applied = AppliedGrantSet.newBuilder()
                .setGrantee(desired.getGrantee())
                .addAllGranteeHosts(desired.getGranteeHostsList());
        if (instance.cluster()) {
            applied.setClusterInstanceRef(ClusterInstanceReference.newBuilder()
                    .setName(instance.name().name()));
        } else {
            applied.setInstanceRef(InstanceReference.newBuilder()
                    .setNamespace(instance.name().namespace())
                    .setName(instance.name().name()));
        }
        PostgresGrantConfig postgres = blocks.postgres();
        if (!postgres.equals(PostgresGrantConfig.getDefaultInstance())) {
            applied.setPostgres(postgres);
        }
        MySQLGrantConfig mysql = blocks.mysql();
        if (!mysql.equals(MySQLGrantConfig.getDefaultInstance())) {
            applied.setMysql(mysql);
        }
        return applied.build();
    }

    static InstanceKey appliedInstance(AppliedGrantSet applied) {
        return applied.hasClusterInstanceRef()
                ? InstanceKey.cluster(applied.getClusterInstanceRef().getName())
                : InstanceKey.namespaced(
                        applied.getInstanceRef().getNamespace(),
                        applied.getInstanceRef().getName());
    }

    static GrantBlocks blocksOf(AppliedGrantSet applied) {
        return GrantBlocks.of(applied.getPostgres(), applied.getMysql());
    }

    /** The same grantee on the same instance (hosts may differ: they are compared host by host). */
    private static boolean sameGrantee(AppliedGrantSet applied, InstanceKey instance, GrantSet desired) {
        return appliedInstance(applied).equals(instance)
                && applied.getGrantee().equals(desired.getGrantee())
                && (applied.getGranteeHostsCount() == 0) == (desired.getGranteeHostsCount() == 0);
    }

    /** status.appliedGrants, counted from what was applied; a ClusterDatabaseGrant's targetInfo. */
    private void counts(GrantTarget target, GrantSet desired, StatusDraft status) {
        List<String> roles = new ArrayList<>(desired.getPostgres().getRolesList());
        roles.addAll(desired.getMysql().getRolesList());
        int direct = desired.getPostgres().getGrantsCount() + desired.getMysql().getGrantsCount();
        int defaults = desired.getPostgres().getDefaultPrivilegesCount();
        if (!cluster) {
            status.fields(DatabaseGrantStatus.Builder.class)
                    .setAppliedGrants(AppliedGrantsInfo.newBuilder()
                            .addAllRoles(roles)
                            .setDirectGrants(direct)
                            .setDefaultPrivileges(defaults));
            return;
        }
        status.fields(ClusterDatabaseGrantStatus.Builder.class)
                .setAppliedGrants(ClusterAppliedGrantsInfo.newBuilder()
                        .setApplied(direct + roles.size())
                        .addAllRoles(roles)
                        .setDirectGrants(direct)
                        .setDefaultPrivileges(defaults))
                .setTargetInfo(GrantTargetInfo.newBuilder()
                        .setType(target.type())
                        .setName(target.name())
                        .setNamespace(target.namespace())
                        .setResolvedUsername(target.grantee()));
    }

    private static boolean forced(Message object) {
        return "true".equals(Objects.meta(object).getAnnotationsOrDefault(DeletionProtection.FORCE_DELETE, ""));
    }
}
