package io.dbprovision.apiserver.managedfields;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.dbprovision.api.codec.CodecException;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.codec.Timestamps;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.apiserver.managedfields.Managers.Entry;
import io.dbprovision.apiserver.managedfields.Managers.Identity;
import io.dbprovision.proto.v1alpha1.ManagedFieldsEntry;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Field management of one kind, as Kubernetes' field manager ({@code k8s.io/apimachinery/pkg/util/managedfields}
 * over structured-merge-diff) keeps {@code metadata.managedFields}:
 *
 * <ul>
 *   <li>{@link #update}: a create, update or patch is recorded as an {@code Update} entry of its field manager,
 *       owning the fields that write added or changed; other managers lose those fields, and every manager loses
 *       the fields the write removed. Objects without managed fields are not tracked until their first apply.
 *   <li>{@link #apply}: server-side apply merges a manager's applied configuration into the object, removes the
 *       fields the manager applied before and no longer does (unless another manager owns them), and refuses to
 *       change fields other managers own ({@link ConflictException}) unless forced, which moves their ownership.
 * </ul>
 *
 * Nobody owns the type and system metadata ({@code apiVersion}, {@code kind}, {@code metadata.name}, ...). A write
 * through the status subresource only touches, and only owns, {@code .status}; one through the main resource never
 * owns {@code .status}. Entries are kept sorted as Kubernetes sorts them; empty ones are dropped.
 */
public final class FieldManager {
    public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    static final int MAX_UPDATE_MANAGERS = 10;
    static final String BEFORE_FIRST_APPLY = "before-first-apply";
    static final String ANCIENT_CHANGES = "ancient-changes";
    static final String UNKNOWN = "unknown";
    /** The manager whose applies take over kubectl client-side apply's fields (Kubernetes' lastAppliedManager). */
    static final String KUBECTL = "kubectl";

    private static final String STATUS = "status";
    private static final String STATUS_ELEMENT = FieldSet.field(STATUS);
    /** Paths nobody owns: Kubernetes' stripMetaManager set, plus the deletion fields the server sets. */
    private static final FieldSet STRIPPED = FieldSet.ofFields(
            "apiVersion",
            "kind",
            "metadata",
            "metadata.name",
            "metadata.namespace",
            "metadata.creationTimestamp",
            "metadata.selfLink",
            "metadata.uid",
            "metadata.generation",
            "metadata.managedFields",
            "metadata.resourceVersion",
            "metadata.deletionTimestamp",
            "metadata.deletionGracePeriodSeconds");
    /** What pruning never removes from the main resource (the status is not the main resource's to remove). */
    private static final FieldSet KEPT_BY_MAIN = STRIPPED.union(FieldSet.ofFields(STATUS));

    private static final Logger LOG = LoggerFactory.getLogger(FieldManager.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper SORTED_JSON =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final String apiVersion;
    private final Message prototype;
    private final KubeCodec codec;
    private final Clock clock;
    private final UnaryOperator<Message> defaults;

    /** A field manager for a kind without defaults. */
    public FieldManager(Kind kind, KubeCodec codec, Clock clock) {
        this(kind, codec, clock, UnaryOperator.identity());
    }

    /**
     * @param defaults the kind's defaulting, as the store applies it before storing: an apply is compared with the
     *     live object as it will be stored, so a configuration that only leaves out defaulted values changes nothing
     */
    public FieldManager(Kind kind, KubeCodec codec, Clock clock, UnaryOperator<Message> defaults) {
        this.apiVersion = kind.apiVersion();
        this.prototype = kind.object();
        this.codec = codec;
        this.clock = clock;
        this.defaults = defaults;
    }

    // ---- create, update, patch

    /**
     * The object a create ({@code live} null), update or patch stores, with its managed fields updated for the
     * write from {@code live} to {@code next} by {@code manager} (Kubernetes' {@code FieldManager.Update}). The
     * managed fields the writer sent in {@code next} are the starting point when they are valid and non-empty, so
     * clients may rewrite them (kubectl's client-side to server-side apply migration does); otherwise the live
     * object's. A single empty entry resets them.
     */
    public Message update(Message live, Message next, String manager, boolean status) {
        try {
            Managers managers = startingPoint(live, next);
            if (managers.isEmpty() && live != null) {
                return withManagedFields(next, List.of()); // untracked until the first apply
            }
            Map<String, Object> before = live == null ? Map.of() : tree(live);
            record(managers, before, tree(next), manager.isEmpty() ? UNKNOWN : manager, status, now());
            capUpdateManagers(managers);
            return withManagedFields(next, managers.encode());
        } catch (RuntimeException e) {
            // As Kubernetes' UpdateNoErrors: bookkeeping never fails a write; the live entries stay.
            LOG.error("managedFields of {} could not be updated; keeping the stored ones", apiVersion, e);
            return withManagedFields(next, live == null ? List.of() : meta(live).getManagedFieldsList());
        }
    }

    private Managers startingPoint(Message live, Message next) {
        List<ManagedFieldsEntry> requested = meta(next).getManagedFieldsList();
        if (Managers.isReset(requested)) {
            return new Managers();
        }
        Managers fromRequest = Managers.decode(requested).orElse(null);
        if (fromRequest != null && !fromRequest.isEmpty()) {
            return fromRequest;
        }
        return live == null ? new Managers() : decodeLive(live);
    }

    private static Managers decodeLive(Message live) {
        return Managers.decode(meta(live).getManagedFieldsList()).orElseGet(Managers::new);
    }

    /** Records the write from {@code before} to {@code after} as an Update of {@code manager}. */
    private void record(
            Managers managers,
            Map<String, Object> before,
            Map<String, Object> after,
            String manager,
            boolean status,
            Timestamp now) {
        Comparison comparison = Comparison.of(before, after).filter(set -> scope(set, status));
        FieldSet changed = comparison.changed();
        for (Identity identity : managers.identities()) {
            Entry entry = managers.get(identity);
            managers.put(identity, entry.withSet(entry.set().difference(changed).difference(comparison.removed())));
        }
        if (!changed.isEmpty()) {
            Identity self = Identity.update(manager, apiVersion, status ? STATUS : "");
            Entry previous = managers.get(self);
            FieldSet set = previous == null ? changed : previous.set().union(changed);
            managers.put(self, new Entry(set, apiVersion, now));
        }
        managers.dropEmpty();
    }

    /** Kubernetes' capManagersManager: the oldest Update entries beyond ten merge into "ancient-changes". */
    private static void capUpdateManagers(Managers managers) {
        List<Identity> updaters = new ArrayList<>();
        for (Identity identity : managers.identities()) {
            if (!identity.applied()) {
                updaters.add(identity);
            }
        }
        if (updaters.size() <= MAX_UPDATE_MANAGERS) {
            return;
        }
        updaters.sort(Comparator.<Identity>comparingLong(id -> seconds(managers.get(id)))
                .thenComparing(Identity.ORDER));
        Map<String, Identity> firstOfVersion = new HashMap<>();
        int length = updaters.size();
        for (int i = 0; i < updaters.size() && length > MAX_UPDATE_MANAGERS; i++) {
            Identity identity = updaters.get(i);
            Entry entry = managers.get(identity);
            String version = entry.apiVersion();
            Identity bucket = Identity.update(ANCIENT_CHANGES, version, "");
            Identity first = firstOfVersion.get(version);
            if (first == null) {
                firstOfVersion.put(version, identity);
                continue;
            }
            if (managers.get(bucket) == null) {
                Entry firstEntry = managers.get(first);
                managers.remove(first);
                managers.put(bucket, firstEntry);
            }
            managers.put(
                    bucket, new Entry(entry.set().union(managers.get(bucket).set()), version, entry.time()));
            managers.remove(identity);
            length--;
        }
    }

    private static long seconds(Entry entry) {
        return entry.time() == null ? 0 : entry.time().getSeconds();
    }

    // ---- server-side apply

    /**
     * An applied configuration: the document as written ({@code raw}, plain maps, lists and scalars) and the
     * fields it names with their canonical values.
     */
    public record AppliedConfig(Map<String, Object> raw, Map<String, Object> tree) {}

    /** The applied configuration of a document, given as written and as decoded. */
    public AppliedConfig config(Map<String, Object> raw, Message decoded) {
        return new AppliedConfig(
                raw, ObjectTrees.applied(raw, codec.toTree(decoded), prototype.getDescriptorForType()));
    }

    /**
     * Server-side apply of {@code config} by {@code manager} to {@code live} (null: the object does not exist yet),
     * as Kubernetes' {@code FieldManager.Apply}: the merged object with its managed fields, not yet defaulted.
     *
     * @param status whether the apply goes through the status subresource (applies and owns only .status)
     * @throws ConflictException when the apply would change fields other managers own and {@code force} is false
     */
    public Message apply(Message live, AppliedConfig config, String manager, boolean force, boolean status) {
        Timestamp now = now();
        Managers managers = live == null ? new Managers() : decodeLive(live);
        Map<String, Object> before = live == null ? new LinkedHashMap<>() : tree(live);
        if (managers.isEmpty() && live != null) {
            // An object nobody tracked: its current fields belong to a placeholder updater (skipNonAppliedManager).
            record(managers, Map.of(), before, BEFORE_FIRST_APPLY, status, now);
        }

        Map<String, Object> applied = new LinkedHashMap<>(config.tree());
        if (status) {
            applied.keySet().retainAll(List.of(STATUS));
        } else {
            applied.remove(STATUS);
        }
        FieldSet appliedSet = scope(ObjectTrees.fieldSet(applied), status);
        Identity self = Identity.apply(manager, status ? STATUS : "");
        Entry last = managers.get(self);
        managers.put(self, new Entry(appliedSet, apiVersion, last == null ? null : last.time()));

        Map<String, Object> merged = ObjectTrees.copy(before);
        ObjectTrees.merge(merged, applied);
        if (last != null) {
            ObjectTrees.prune(
                    merged,
                    last.set().withAncestors(),
                    managers.union().withAncestors(),
                    status ? STRIPPED : KEPT_BY_MAIN);
        }
        Message result = decode(merged);
        // Compared as it will be stored: an atomic list the configuration replaces loses the defaults inside its
        // items until the store applies them again, and a list that only differs by those is no change, so it
        // neither conflicts with nor takes ownership from the managers that own it (kubectl's client-side apply
        // entry, after kubectl apply created the object, owns every defaulted value it stored).
        Map<String, Object> after = tree(defaults.apply(result));

        Comparison comparison = Comparison.of(before, after).filter(set -> scope(set, status));
        FieldSet changed = comparison.changed();
        Map<Identity, FieldSet> conflicts = new TreeMap<>(Identity.ORDER);
        for (Identity identity : managers.identities()) {
            if (!identity.equals(self)) {
                FieldSet conflict = managers.get(identity).set().intersection(changed);
                if (!conflict.isEmpty()) {
                    conflicts.put(identity, conflict);
                }
            }
        }
        if (!conflicts.isEmpty() && !force) {
            Map<Identity, FieldSet> remaining = withoutLastApplied(conflicts, manager, live, before);
            if (!remaining.isEmpty()) {
                throw new ConflictException(remaining);
            }
        }
        for (Identity identity : managers.identities()) {
            if (!identity.equals(self)) {
                Entry entry = managers.get(identity);
                managers.put(
                        identity, entry.withSet(entry.set().difference(changed).difference(comparison.removed())));
            }
        }
        if (live == null || !before.equals(after) || last == null) {
            managers.put(self, new Entry(appliedSet, apiVersion, now));
        }
        managers.dropEmpty();
        if (manager.equals(KUBECTL) && !status) {
            result = syncLastApplied(result, config.raw());
        }
        return withManagedFields(result, managers.encode());
    }

    /**
     * The conflicts left once kubectl's applies may take over the fields of the client-side apply annotation that
     * still hold their last-applied values (Kubernetes' lastAppliedManager, for the upgrade to server-side apply).
     */
    private Map<Identity, FieldSet> withoutLastApplied(
            Map<Identity, FieldSet> conflicts, String manager, Message live, Map<String, Object> before) {
        if (!manager.equals(KUBECTL) || live == null) {
            return conflicts;
        }
        String annotation = meta(live).getAnnotationsMap().getOrDefault(LAST_APPLIED, "");
        if (annotation.isEmpty()) {
            return conflicts;
        }
        FieldSet allowed = lastAppliedFields(annotation, before);
        if (allowed.isEmpty()) {
            return conflicts;
        }
        Map<Identity, FieldSet> remaining = new TreeMap<>(Identity.ORDER);
        conflicts.forEach((identity, set) -> {
            FieldSet left = set.difference(allowed);
            if (!left.isEmpty()) {
                remaining.put(identity, left);
            }
        });
        return remaining;
    }

    /** The fields of a last-applied annotation whose values the live object still has. */
    private FieldSet lastAppliedFields(String annotation, Map<String, Object> live) {
        byte[] bytes = annotation.getBytes(StandardCharsets.UTF_8);
        Map<String, Object> raw;
        Message decoded;
        try {
            if (!(JSON.readValue(bytes, Object.class) instanceof Map<?, ?> map)
                    || !apiVersion.equals(map.get("apiVersion"))) {
                return FieldSet.empty();
            }
            raw = ObjectTrees.copy(map);
            decoded = codec.decodeJson(bytes, prototype).object();
        } catch (IOException | CodecException | ClassCastException e) {
            return FieldSet.empty();
        }
        Map<String, Object> lastApplied =
                ObjectTrees.applied(raw, codec.toTree(decoded), decoded.getDescriptorForType());
        FieldSet allowed = FieldSet.empty();
        for (List<String> path : ObjectTrees.fieldSet(lastApplied).paths()) {
            if (ObjectTrees.sameAt(lastApplied, live, path)) {
                allowed.insert(path);
            }
        }
        return allowed;
    }

    /**
     * kubectl's applies keep an existing client-side apply annotation up to date with the applied configuration
     * (Kubernetes' lastAppliedUpdater), so that falling back to client-side apply stays possible.
     */
    private Message syncLastApplied(Message result, Map<String, Object> raw) {
        ObjectMeta meta = meta(result);
        if (meta.getAnnotationsMap().getOrDefault(LAST_APPLIED, "").isEmpty()) {
            return result;
        }
        Map<String, Object> config = ObjectTrees.copy(raw);
        if (config.get("metadata") instanceof Map<?, ?> metadata
                && metadata.get("annotations") instanceof Map<?, ?> annotations) {
            annotations.remove(LAST_APPLIED);
        }
        String value;
        try {
            value = SORTED_JSON.writeValueAsString(config) + "\n";
        } catch (JsonProcessingException e) {
            return result;
        }
        return withMeta(
                result, meta.toBuilder().putAnnotations(LAST_APPLIED, value).build());
    }

    /** Thrown by {@link #apply} for fields another manager owns and the apply would change. */
    public static final class ConflictException extends RuntimeException {
        private final transient List<Conflict> conflicts;

        /** One conflicting field: the manager as Kubernetes names it in messages, and the field's path. */
        public record Conflict(String manager, String field) {
            /** The {@code StatusCause} message: {@code conflict with "mgr" using v1}. */
            public String message() {
                return "conflict with " + manager;
            }
        }

        ConflictException(Map<Identity, FieldSet> byManager) {
            super(message(byManager));
            List<Conflict> list = new ArrayList<>();
            byManager.forEach((identity, set) ->
                    set.paths().forEach(path -> list.add(new Conflict(identity.describe(), FieldSet.render(path)))));
            this.conflicts = List.copyOf(list);
        }

        public List<Conflict> conflicts() {
            return conflicts;
        }

        /** Kubernetes' wording ({@code getConflictMessage}). */
        private static String message(Map<Identity, FieldSet> byManager) {
            int count = byManager.values().stream()
                    .mapToInt(set -> set.paths().size())
                    .sum();
            if (count == 1) {
                Map.Entry<Identity, FieldSet> only =
                        byManager.entrySet().iterator().next();
                return "Apply failed with 1 conflict: conflict with "
                        + only.getKey().describe() + ": "
                        + FieldSet.render(only.getValue().paths().getFirst());
            }
            List<String> lines = new ArrayList<>();
            byManager.forEach((identity, set) -> {
                lines.add("conflicts with " + identity.describe() + ":");
                set.paths().forEach(path -> lines.add("- " + FieldSet.render(path)));
            });
            return "Apply failed with " + count + " conflicts: " + String.join("\n", lines);
        }
    }

    // ---- helpers

    /** What a write may own: never the stripped metadata; through status only .status, else never .status. */
    private static FieldSet scope(FieldSet set, boolean status) {
        FieldSet owned = set.difference(STRIPPED);
        return status ? owned.onlySubtree(STATUS_ELEMENT) : owned.withoutSubtree(STATUS_ELEMENT);
    }

    /** The object as a JSON tree, without its managed fields. */
    private Map<String, Object> tree(Message object) {
        Map<String, Object> tree = codec.toTree(object);
        if (tree.get("metadata") instanceof Map<?, ?> metadata && metadata.containsKey("managedFields")) {
            Map<String, Object> copy = ObjectTrees.copy(metadata);
            copy.remove("managedFields");
            tree.put("metadata", copy);
        }
        return tree;
    }

    private Message decode(Map<String, Object> tree) {
        try {
            return codec.decodeJson(JSON.writeValueAsBytes(tree), prototype).object();
        } catch (JsonProcessingException | CodecException e) {
            throw new IllegalStateException("the merged object cannot be decoded: " + e.getMessage(), e);
        }
    }

    private Timestamp now() {
        return Timestamps.of(clock.instant());
    }

    private static ObjectMeta meta(Message object) {
        return (ObjectMeta) object.getField(metadataField(object));
    }

    private static Message withMeta(Message object, ObjectMeta meta) {
        return object.toBuilder().setField(metadataField(object), meta).build();
    }

    private static Message withManagedFields(Message object, List<ManagedFieldsEntry> entries) {
        ObjectMeta meta = meta(object);
        if (meta.getManagedFieldsList().equals(entries)) {
            return object;
        }
        return withMeta(
                object,
                meta.toBuilder()
                        .clearManagedFields()
                        .addAllManagedFields(entries)
                        .build());
    }

    private static FieldDescriptor metadataField(Message object) {
        FieldDescriptor field = object.getDescriptorForType().findFieldByName("metadata");
        if (field == null) {
            throw new IllegalArgumentException(object.getDescriptorForType().getFullName() + " has no metadata");
        }
        return field;
    }
}
