package io.dbprovision.apiserver.managedfields;

import com.google.protobuf.Timestamp;
import io.dbprovision.api.field.GoQuote;
import io.dbprovision.proto.v1alpha1.ManagedFieldsEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The decoded {@code metadata.managedFields} of an object: one field set per manager identity, with its time.
 * Decoded and encoded as Kubernetes' {@code DecodeManagedFields} / {@code encodeManagedFields} do.
 */
final class Managers {
    static final String APPLY = "Apply";
    static final String UPDATE = "Update";
    static final String FIELDS_V1 = "FieldsV1";

    /**
     * Who owns a set: Kubernetes' manager identifier. Appliers are identified without their apiVersion, so that
     * an applier keeps its entry across versions; updaters with it.
     */
    record Identity(String manager, String operation, String apiVersion, String subresource) {
        static Identity apply(String manager, String subresource) {
            return new Identity(manager, APPLY, "", subresource);
        }

        static Identity update(String manager, String apiVersion, String subresource) {
            return new Identity(manager, UPDATE, apiVersion, subresource);
        }

        boolean applied() {
            return operation.equals(APPLY);
        }

        /** As conflict messages name a manager: {@code "mgr"}, {@code "mgr" with subresource "status" using v}. */
        String describe() {
            StringBuilder out = new StringBuilder(GoQuote.quote(manager));
            if (!subresource.isEmpty()) {
                out.append(" with subresource ").append(GoQuote.quote(subresource));
            }
            if (operation.equals(UPDATE)) {
                out.append(" using ").append(apiVersion);
            }
            return out.toString();
        }

        /** The order of Kubernetes' identifiers (their JSON: manager, operation, apiVersion, subresource). */
        static final Comparator<Identity> ORDER = Comparator.comparing(Identity::manager)
                .thenComparing(Identity::operation)
                .thenComparing(Identity::apiVersion)
                .thenComparing(Identity::subresource);
    }

    /** One manager's fields, in the apiVersion they were written in; time is null when unknown. */
    record Entry(FieldSet set, String apiVersion, Timestamp time) {
        Entry withSet(FieldSet replacement) {
            return new Entry(replacement, apiVersion, time);
        }
    }

    private final Map<Identity, Entry> entries = new LinkedHashMap<>();

    boolean isEmpty() {
        return entries.isEmpty();
    }

    Entry get(Identity identity) {
        return entries.get(identity);
    }

    void put(Identity identity, Entry entry) {
        entries.put(identity, entry);
    }

    void remove(Identity identity) {
        entries.remove(identity);
    }

    List<Identity> identities() {
        return new ArrayList<>(entries.keySet());
    }

    /** Every field some manager owns. */
    FieldSet union() {
        FieldSet all = FieldSet.empty();
        for (Entry entry : entries.values()) {
            all = all.union(entry.set());
        }
        return all;
    }

    void dropEmpty() {
        entries.values().removeIf(entry -> entry.set().isEmpty());
    }

    /**
     * True when a writer asks to reset the managed fields: Kubernetes resets on an empty list or a list of one empty
     * entry. Protobuf cannot tell an empty list from an absent one, so only the second form is recognized here.
     */
    static boolean isReset(List<ManagedFieldsEntry> encoded) {
        return encoded.size() == 1 && encoded.getFirst().equals(ManagedFieldsEntry.getDefaultInstance());
    }

    /** Decodes entries; empty when any entry is invalid (wrong operation, no apiVersion, bad fieldsType/fieldsV1). */
    static Optional<Managers> decode(List<ManagedFieldsEntry> encoded) {
        Managers managers = new Managers();
        for (ManagedFieldsEntry entry : encoded) {
            String operation = entry.getOperation();
            if (!operation.equals(APPLY) && !operation.equals(UPDATE)) {
                return Optional.empty();
            }
            if (entry.getApiVersion().isEmpty() || !entry.getFieldsType().equals(FIELDS_V1)) {
                return Optional.empty();
            }
            FieldSet set;
            try {
                set = FieldSet.fromFieldsV1(entry.getFieldsV1());
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            Identity identity = new Identity(
                    entry.getManager(),
                    operation,
                    operation.equals(APPLY) ? "" : entry.getApiVersion(),
                    entry.getSubresource());
            managers.entries.put(
                    identity, new Entry(set, entry.getApiVersion(), entry.hasTime() ? entry.getTime() : null));
        }
        return Optional.of(managers);
    }

    /** The entries, sorted as Kubernetes sorts them: Apply before Update, then by time, manager, apiVersion. */
    List<ManagedFieldsEntry> encode() {
        List<ManagedFieldsEntry> out = new ArrayList<>();
        entries.forEach((identity, entry) -> {
            ManagedFieldsEntry.Builder encoded = ManagedFieldsEntry.newBuilder()
                    .setManager(identity.manager())
                    .setOperation(identity.operation())
                    .setApiVersion(entry.apiVersion())
                    .setFieldsType(FIELDS_V1)
                    .setFieldsV1(entry.set().toFieldsV1())
                    .setSubresource(identity.subresource());
            if (entry.time() != null) {
                encoded.setTime(entry.time());
            }
            out.add(encoded.build());
        });
        out.sort(Comparator.comparing(ManagedFieldsEntry::getOperation)
                .thenComparingLong(e -> e.hasTime() ? e.getTime().getSeconds() : 0)
                .thenComparing(ManagedFieldsEntry::getManager)
                .thenComparing(ManagedFieldsEntry::getApiVersion)
                .thenComparing(ManagedFieldsEntry::getSubresource));
        return out;
    }
}
