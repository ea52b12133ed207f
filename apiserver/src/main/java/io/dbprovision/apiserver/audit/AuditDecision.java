package io.dbprovision.apiserver.audit;

import java.util.EnumSet;
import java.util.Set;

/**
 * The policy's answer for one request: the level of the first rule that matches it (or {@link AuditLevel#NONE} if none
 * does) and the stages that rule, together with the policy, leaves out.
 *
 * @param level the level the policy asks for; what is written is {@link AuditLevel#recorded()} of it
 */
public record AuditDecision(AuditLevel level, Set<AuditStage> omitStages) {
    public static final AuditDecision NONE = new AuditDecision(AuditLevel.NONE, Set.of());

    public AuditDecision {
        omitStages = omitStages.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(omitStages));
    }

    /** Whether an event of this stage is written for the request. */
    public boolean records(AuditStage stage) {
        return level != AuditLevel.NONE && !omitStages.contains(stage);
    }
}
