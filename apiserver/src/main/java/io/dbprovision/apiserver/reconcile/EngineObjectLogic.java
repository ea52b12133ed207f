package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The reconcile of an object that is something on a database server — a database, user, role or grant — in one
 * shape for all of them:
 *
 * <ul>
 *   <li>a new generation of the spec (or an object not Ready yet) is made so: {@link #ensure} (the provisioner's
 *       idempotent "make it so"), then {@link #observe} records the state reached;
 *   <li>otherwise, when the drift interval has passed, {@link #observe} compares the server with the spec: in
 *       {@code detect} mode the diff goes into {@code status.drift} with a {@code DriftDetected} event; in
 *       {@code correct} mode {@link #ensure} runs again ({@code DriftCorrected}); {@code ignore} never looks.
 * </ul>
 *
 * So a resync of a Ready object with nothing due sends nothing to the engine and writes nothing, and {@code detect}
 * really only detects: the spec is not silently re-applied on every resync, as it was by the system we re-create.
 */
public abstract class EngineObjectLogic implements KindLogic {
    protected final Instances instances;
    protected final EngineCalls engine;

    protected EngineObjectLogic(Instances instances, EngineCalls engine) {
        this.instances = instances;
        this.engine = engine;
    }

    /** The instance the object lives on, Ready (throws {@link Waiting} otherwise). Grants override it. */
    protected Instances.Resolved instanceOf(Message object) {
        return instances.ready(object);
    }

    /** Waits for whatever else the object needs (a grant's user and database); nothing by default. */
    protected void checkDependencies(Message object) {}

    /** Applies the spec through the provisioner; {@code destructive} allows revoking and dropping what the spec lost. */
    protected abstract void ensure(
            Message object, Instances.Resolved instance, StatusDraft status, boolean destructive);

    /** Reads the actual state, fills the kind's status from it, and returns how it differs from the spec. */
    protected abstract List<DriftDiff> observe(Message object, Instances.Resolved instance, StatusDraft status);

    /**
     * {@link #ensure}, then the state reached as {@link #observe} gives it. A kind whose "make it so" answer carries
     * the state of what the call just created (the provisioner's {@code created_database}, {@code created_user})
     * overrides this to take the state from there: nothing can have drifted in between, and the provisioner is
     * spared a second call — on the critical path of every new object.
     */
    protected List<DriftDiff> ensureAndObserve(
            Message object, Instances.Resolved instance, StatusDraft status, boolean destructive) {
        ensure(object, instance, status, destructive);
        return observe(object, instance, status);
    }

    /**
     * What {@link #ensure} would run for {@code object} now, without running it: the provisioner's "make it so" call
     * with {@code validate_only} (it connects and reads, changes nothing and answers the ordered statements, secrets
     * redacted). The instance and whatever else the object needs are found as a reconcile finds them; throws
     * {@link Waiting} when one of them is missing or not Ready, {@link ReconcileFailure} when the provisioner refuses
     * or cannot be reached. For the portal's {@code validate_only} writes, which never store the object.
     */
    public ChangeResponse plan(Message object) {
        checkDependencies(object);
        return plan(object, instanceOf(object));
    }

    /** The {@code validate_only} form of the kind's first "make it so" call for {@code object} on {@code instance}. */
    protected abstract ChangeResponse plan(Message object, Instances.Resolved instance);

    /** What Ready says, such as {@code database app on DatabaseInstance ns/pg}. */
    protected abstract String readyMessage(Message object, Instances.Resolved instance);

    @Override
    public Optional<Duration> sync(Message object, StatusDraft status) {
        checkDependencies(object);
        Instances.Resolved instance = instanceOf(object);
        Drift drift = Drift.of(object, instance.spec());
        boolean newSpec =
                observedGeneration(object) != Objects.meta(object).getGeneration() || !"Ready".equals(status.phase());
        if (newSpec) {
            // The spec is the user's intent: what it no longer lists goes, destructive or not.
            List<DriftDiff> diffs;
            if (drift.ignored()) {
                ensure(object, instance, status, true);
                diffs = List.of();
            } else {
                diffs = ensureAndObserve(object, instance, status, true);
            }
            Drift.record(status, diffs);
            ready(object, instance, status, diffs);
            return drift.ignored() ? Optional.empty() : Optional.of(drift.interval());
        }
        if (drift.ignored()) {
            return Optional.empty();
        }
        if (!drift.due(status)) {
            return Optional.of(drift.untilDue(status));
        }
        List<DriftDiff> diffs = observe(object, instance, status);
        if (!diffs.isEmpty() && drift.corrects()) {
            boolean destructive = Drift.destructiveAllowed(object);
            List<DriftDiff> after = ensureAndObserve(object, instance, status, destructive);
            status.normalEvent("DriftCorrected", "corrected drift in " + Drift.fields(diffs));
            diffs = after;
        } else if (!diffs.isEmpty() && !sameDiffs(status, diffs)) {
            status.warningEvent("DriftDetected", "drift detected in " + Drift.fields(diffs));
        }
        Drift.record(status, diffs);
        ready(object, instance, status, diffs);
        return Optional.of(drift.interval());
    }

    private void ready(Message object, Instances.Resolved instance, StatusDraft status, List<DriftDiff> diffs) {
        String message = readyMessage(object, instance);
        status.ready(diffs.isEmpty() ? message : message + "; drift detected in " + Drift.fields(diffs));
        status.condition(Conditions.SYNCED, true, "ReconcileSuccess", message);
        afterReady(object, status);
    }

    /** A last word on a Ready status (a database whose init SQL failed under Continue is Ready but not Synced). */
    protected void afterReady(Message object, StatusDraft status) {}

    private static boolean sameDiffs(StatusDraft status, List<DriftDiff> diffs) {
        Message.Builder fields = status.fields(Message.Builder.class);
        var field = fields.getDescriptorForType().findFieldByName("drift");
        if (field == null || !fields.hasField(field)) {
            return false;
        }
        return ((io.dbprovision.proto.v1alpha1.DriftStatus) fields.getField(field))
                .getDiffsList()
                .equals(diffs);
    }

    /**
     * Whether an ensure now is a drift correction: the object was Ready at its current generation (a new spec is the
     * user's intent and is applied as such; a correction may only be destructive where the object allows it).
     */
    protected static boolean driftCorrection(Message object, StatusDraft status) {
        return "Ready".equals(status.phase())
                && observedGeneration(object) == Objects.meta(object).getGeneration();
    }

    private static long observedGeneration(Message object) {
        Message status = InstanceKey.field(object, "status");
        if (status == null) {
            return 0;
        }
        return (Long) status.getField(status.getDescriptorForType().findFieldByName("observed_generation"));
    }
}
