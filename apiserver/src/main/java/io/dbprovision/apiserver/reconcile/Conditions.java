package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Timestamp;
import io.dbprovision.proto.v1alpha1.Condition;
import io.dbprovision.proto.v1alpha1.ConditionStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * metav1.Condition upkeep, as apimachinery's {@code meta.SetStatusCondition}: a condition keeps its
 * lastTransitionTime unless its status changes, every condition carries the generation it was computed from, and the
 * order of conditions is stable (new types are appended).
 */
public final class Conditions {
    public static final String READY = "Ready";
    public static final String CONNECTED = "Connected";
    public static final String HEALTHY = "Healthy";
    public static final String SYNCED = "Synced";

    private Conditions() {}

    public static Condition of(String type, boolean status, String reason, String message) {
        return Condition.newBuilder()
                .setType(type)
                .setStatus(status ? ConditionStatus.CONDITION_STATUS_TRUE : ConditionStatus.CONDITION_STATUS_FALSE)
                .setReason(reason)
                .setMessage(Messages.bounded(message))
                .build();
    }

    /** {@code current} with {@code wanted} set: replaced in place, or appended when its type is new. */
    public static List<Condition> set(List<Condition> current, Condition wanted, long generation, Instant now) {
        List<Condition> out = new ArrayList<>(current.size() + 1);
        boolean found = false;
        for (Condition existing : current) {
            if (!existing.getType().equals(wanted.getType())) {
                out.add(existing);
                continue;
            }
            found = true;
            Timestamp transition = existing.getStatus() == wanted.getStatus() && existing.hasLastTransitionTime()
                    ? existing.getLastTransitionTime()
                    : timestamp(now);
            out.add(wanted.toBuilder()
                    .setObservedGeneration(generation)
                    .setLastTransitionTime(transition)
                    .build());
        }
        if (!found) {
            out.add(wanted.toBuilder()
                    .setObservedGeneration(generation)
                    .setLastTransitionTime(timestamp(now))
                    .build());
        }
        return out;
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return conditions.stream()
                .anyMatch(c -> c.getType().equals(type) && c.getStatus() == ConditionStatus.CONDITION_STATUS_TRUE);
    }

    /** RFC 3339 seconds, as Kubernetes stores times. */
    public static Timestamp timestamp(Instant instant) {
        return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).build();
    }
}
