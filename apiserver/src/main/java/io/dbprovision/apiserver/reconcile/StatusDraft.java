package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.api.codec.EnumSpelling;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.proto.v1alpha1.Condition;
import io.dbprovision.proto.v1alpha1.ConditionStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The status a reconcile is writing: the common fields every dbops kind's status has (phase, message, conditions,
 * observedGeneration, reconcileID, lastReconcileTime — reached by name, so one class serves every kind) plus the
 * kind's own fields on {@link #fields}. It starts as a copy of the object's status, so what a reconcile does not
 * touch stays as it was; the events it records are sent once the status is written.
 */
public final class StatusDraft {
    private final Message object;
    private final long generation;
    private final Instant now;
    private final Message.Builder status;
    private final Message original;
    private final List<Event> events = new ArrayList<>();

    record Event(boolean warning, String reason, String message) {}

    StatusDraft(Message object, Instant now) {
        this.object = object;
        this.generation = Objects.meta(object).getGeneration();
        this.now = now;
        FieldDescriptor statusField = object.getDescriptorForType().findFieldByName("status");
        this.original = (Message) object.getField(statusField);
        this.status = original.toBuilder();
    }

    /** A draft that is never written: what a read-only look (a drift subresource) fills in and throws away. */
    public static StatusDraft scratch(Message object, Instant now) {
        return new StatusDraft(object, now);
    }

    public Instant now() {
        return now;
    }

    public long generation() {
        return generation;
    }

    /** The kind's own status fields, as its builder type. */
    public <B extends Message.Builder> B fields(Class<B> type) {
        return type.cast(status);
    }

    /** The phase (its JSON spelling, such as {@code Ready}) and the message that explains it. */
    public StatusDraft phase(String phase, String message) {
        FieldDescriptor field = field("phase");
        // A phase the kind's enum does not have (Roles have no Deleting) leaves the phase as it is; the Ready
        // condition still tells.
        EnumSpelling.parse(field.getEnumType(), phase)
                .ifPresent((EnumValueDescriptor value) -> status.setField(field, value));
        status.setField(field("message"), Messages.bounded(message));
        return this;
    }

    public String phase() {
        EnumValueDescriptor value = (EnumValueDescriptor) status.getField(field("phase"));
        return EnumSpelling.of(value).orElse("");
    }

    public StatusDraft condition(String type, boolean value, String reason, String message) {
        List<Condition> next =
                Conditions.set(conditions(), Conditions.of(type, value, reason, message), generation, now);
        status.setField(field("conditions"), next);
        return this;
    }

    @SuppressWarnings("unchecked")
    public List<Condition> conditions() {
        return (List<Condition>) status.getField(field("conditions"));
    }

    /** Ready, phase and condition: the object is as its spec says. */
    public StatusDraft ready(String message) {
        phase("Ready", message);
        condition(Conditions.READY, true, "ReconcileSuccess", message);
        return this;
    }

    /** Not ready: {@code phase} with a Ready=False condition whose reason says why. */
    public StatusDraft notReady(String phase, String reason, String message) {
        phase(phase, message);
        condition(Conditions.READY, false, reason, message);
        return this;
    }

    public void normalEvent(String reason, String message) {
        events.add(new Event(false, reason, message));
    }

    public void warningEvent(String reason, String message) {
        events.add(new Event(true, reason, message));
    }

    List<Event> events() {
        return events;
    }

    /** True when the status differs from the object's in more than the bookkeeping of when it was written. */
    boolean changed() {
        status.setField(field("observed_generation"), generation);
        Message next = status.build();
        return !withoutBookkeeping(next).equals(withoutBookkeeping(original));
    }

    /**
     * True when a Pending status that waited on a dependency being worked on (a Ready condition reason ending in
     * {@code NotReady}: the user, database or role exists and converges) still waits on one, and nothing else
     * changed but which one it names: the message and the condition's reason and message. A grant applied with its
     * user and database waits on one and then the other within a second; writing that switch costs a durable write
     * and tells nothing new. A dependency that is missing ({@code NotFound}) or a change of anything else is written.
     */
    boolean onlyWaitingTargetChanged() {
        if (!"Pending"
                        .equals(EnumSpelling.of((EnumValueDescriptor) original.getField(field("phase")))
                                .orElse(""))
                || !"Pending".equals(phase())
                || !waitingOnConverging(original.getField(field("conditions")))
                || !waitingOnConverging(status.getField(field("conditions")))) {
            return false;
        }
        status.setField(field("observed_generation"), generation);
        return withoutWaitingTarget(status.build()).equals(withoutWaitingTarget(original));
    }

    @SuppressWarnings("unchecked")
    private static boolean waitingOnConverging(Object conditions) {
        return ((List<Condition>) conditions)
                .stream()
                        .anyMatch(c -> Conditions.READY.equals(c.getType())
                                && c.getStatus() == ConditionStatus.CONDITION_STATUS_FALSE
                                && c.getReason().endsWith("NotReady"));
    }

    @SuppressWarnings("unchecked")
    private Message withoutWaitingTarget(Message message) {
        List<Condition> conditions = new ArrayList<>();
        for (Condition c : (List<Condition>) message.getField(field("conditions"))) {
            conditions.add(
                    Conditions.READY.equals(c.getType())
                            ? c.toBuilder().clearReason().clearMessage().build()
                            : c);
        }
        return withoutBookkeeping(message).toBuilder()
                .clearField(field("message"))
                .setField(field("conditions"), conditions)
                .build();
    }

    /** The status to write, stamped with the reconcile that wrote it. */
    Message build(String reconcileId) {
        status.setField(field("observed_generation"), generation);
        status.setField(field("reconcile_id"), reconcileId);
        status.setField(field("last_reconcile_time"), Conditions.timestamp(now));
        return status.build();
    }

    Message object() {
        return object;
    }

    private Message withoutBookkeeping(Message message) {
        return message.toBuilder()
                .clearField(field("reconcile_id"))
                .clearField(field("last_reconcile_time"))
                .build();
    }

    private FieldDescriptor field(String name) {
        FieldDescriptor field = status.getDescriptorForType().findFieldByName(name);
        if (field == null) {
            throw new IllegalStateException(status.getDescriptorForType().getFullName() + " has no field " + name);
        }
        return field;
    }
}
