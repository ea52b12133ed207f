package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.apiserver.GoDurationConverter;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.DriftMode;
import io.dbprovision.proto.v1alpha1.DriftPolicy;
import io.dbprovision.proto.v1alpha1.DriftStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Drift policy (§1.4): the object's {@code spec.driftPolicy}, else its instance's, else detect every 8 hours. Read
 * and written by field name, so one class serves every kind that has {@code spec.driftPolicy} and
 * {@code status.drift}.
 */
public record Drift(DriftMode mode, Duration interval) {
    public static final String ALLOW_DESTRUCTIVE = "dbops.dbprovision.io/allow-destructive-drift";
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(8);
    /** The shortest interval honoured, so that a policy of "1s" cannot turn into a hot loop on the engine. */
    static final Duration MIN_INTERVAL = Duration.ofSeconds(10);

    /** The policy of {@code object}, falling back to {@code instanceSpec}'s. */
    public static Drift of(Message object, Message instanceSpec) {
        DriftPolicy own = policy(InstanceKey.field(object, "spec"));
        DriftPolicy inherited = instanceSpec == null ? null : policy(instanceSpec);
        DriftPolicy chosen = own != null ? own : inherited;
        if (chosen == null) {
            return new Drift(DriftMode.DRIFT_MODE_DETECT, DEFAULT_INTERVAL);
        }
        DriftMode mode =
                chosen.getMode() == DriftMode.DRIFT_MODE_UNSPECIFIED ? DriftMode.DRIFT_MODE_DETECT : chosen.getMode();
        Duration interval = DEFAULT_INTERVAL;
        if (!chosen.getInterval().isEmpty()) {
            try {
                interval = GoDurationConverter.parse(chosen.getInterval());
            } catch (IllegalArgumentException unparsable) {
                // the default, as the system we re-create does
            }
        }
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            interval = MIN_INTERVAL;
        }
        return new Drift(mode, interval);
    }

    public boolean ignored() {
        return mode == DriftMode.DRIFT_MODE_IGNORE;
    }

    public boolean corrects() {
        return mode == DriftMode.DRIFT_MODE_CORRECT;
    }

    /** True when the last check is older than the interval (or there was none). */
    public boolean due(StatusDraft status) {
        DriftStatus last = current(status);
        if (last == null || !last.hasLastChecked()) {
            return true;
        }
        return !Instant.ofEpochSecond(last.getLastChecked().getSeconds())
                .plus(interval)
                .isAfter(status.now());
    }

    /** How long until the next check is due. */
    public Duration untilDue(StatusDraft status) {
        DriftStatus last = current(status);
        if (last == null || !last.hasLastChecked()) {
            return interval;
        }
        Duration left = Duration.between(
                status.now(),
                Instant.ofEpochSecond(last.getLastChecked().getSeconds()).plus(interval));
        return left.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : left;
    }

    public static boolean destructiveAllowed(Message object) {
        return "true".equals(Objects.meta(object).getAnnotationsOrDefault(ALLOW_DESTRUCTIVE, ""));
    }

    /** Records a check's result in {@code status.drift}. */
    public static void record(StatusDraft status, List<DriftDiff> diffs) {
        Message.Builder fields = status.fields(Message.Builder.class);
        FieldDescriptor field = fields.getDescriptorForType().findFieldByName("drift");
        if (field == null) {
            return;
        }
        fields.setField(
                field,
                DriftStatus.newBuilder()
                        .setDetected(!diffs.isEmpty())
                        .setLastChecked(Conditions.timestamp(status.now()))
                        .addAllDiffs(diffs)
                        .build());
    }

    /** The diffs' field names, for messages and events. */
    public static String fields(List<DriftDiff> diffs) {
        return String.join(", ", diffs.stream().map(DriftDiff::getField).toList());
    }

    private static DriftStatus current(StatusDraft status) {
        Message.Builder fields = status.fields(Message.Builder.class);
        FieldDescriptor field = fields.getDescriptorForType().findFieldByName("drift");
        if (field == null || !fields.hasField(field)) {
            return null;
        }
        return (DriftStatus) fields.getField(field);
    }

    private static DriftPolicy policy(Message spec) {
        if (spec == null) {
            return null;
        }
        Message policy = InstanceKey.field(spec, "drift_policy");
        return policy == null ? null : (DriftPolicy) policy;
    }
}
