package io.dbprovision.apiserver.registry;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.codec.Timestamps;
import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.api.kinds.Findings;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.MessagePaths;
import io.dbprovision.apiserver.managedfields.FieldManager;
import io.dbprovision.apiserver.registry.admission.Admission;
import io.dbprovision.apiserver.registry.admission.AdmissionRequest;
import io.dbprovision.apiserver.registry.admission.Operation;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.storage.Attributes;
import io.dbprovision.apiserver.storage.FieldSelector;
import io.dbprovision.apiserver.storage.LabelSelector;
import io.dbprovision.apiserver.storage.ListOptions;
import io.dbprovision.apiserver.storage.ListResult;
import io.dbprovision.apiserver.storage.ObjectKey;
import io.dbprovision.apiserver.storage.Selector;
import io.dbprovision.apiserver.storage.Storage;
import io.dbprovision.apiserver.storage.StorageException;
import io.dbprovision.apiserver.storage.StoredObject;
import io.dbprovision.apiserver.storage.WatchEvent;
import io.dbprovision.apiserver.storage.WatchOptions;
import io.dbprovision.apiserver.storage.Watcher;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The generic registry store of one kind, as Kubernetes' {@code genericregistry.Store}: system metadata, defaults
 * and validation ({@link ObjectRules}), status isolation, generation, finalizers, dry runs, and the translation of
 * storage errors into {@link ApiException}s. Objects are stored as protobuf; their resourceVersion is the storage's
 * and is set on every object read back.
 */
public final class ResourceStore {
    private static final String NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final int GENERATE_NAME_ATTEMPTS = 8;
    private static final int APPLY_ATTEMPTS = 5;
    /** How long a read of a version the store has not reached waits for it: Kubernetes' watch cache waits 3 s. */
    private static final java.time.Duration FRESHNESS_WAIT = java.time.Duration.ofSeconds(3);

    private static final java.time.Duration FRESHNESS_POLL = java.time.Duration.ofMillis(50);

    private final Kind kind;
    private final Storage storage;
    private final ObjectRules rules;
    private final Clock clock;
    private final String resource;
    private final Set<String> selectableFields;
    private final FieldManager fieldManager;
    /** Encodes the JSON of objects read back, kept with each stored version (see {@link ObjectVersion}). */
    private final KubeCodec codec;

    private final SecureRandom random = new SecureRandom();
    /** The server's admission plugins, set once the server is assembled (they may read other stores). */
    private final Supplier<Admission> admission;

    /** @param codec a codec that knows {@code kind}'s schema (server-side apply decodes through it) */
    public ResourceStore(
            Kind kind,
            Storage storage,
            ObjectRules rules,
            KubeCodec codec,
            Supplier<Admission> admission,
            Clock clock) {
        this.kind = kind;
        this.admission = admission;
        this.codec = codec;
        this.storage = storage;
        this.rules = rules;
        this.clock = clock;
        this.resource = kind.qualifiedResource();
        Set<String> fields = new HashSet<>(kind.selectableFields());
        fields.add("metadata.name");
        fields.add("metadata.namespace");
        this.selectableFields = Set.copyOf(fields);
        this.fieldManager = new FieldManager(kind, codec, clock, rules::applyDefaults);
    }

    public Kind kind() {
        return kind;
    }

    /** Every verb of a stored kind, as discovery lists them. */
    public static final List<String> VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    /**
     * The verbs {@code kind} serves: all of them, but for namespaces, which Kubernetes never deletes as a collection
     * (one request must not take the system namespaces with it), and create-only kinds (reviews).
     */
    public static List<String> verbsOf(Kind kind) {
        if (kind.createOnly()) {
            return List.of("create");
        }
        if (kind.group().isEmpty() && kind.plural().equals("namespaces")) {
            return VERBS.stream()
                    .filter(verb -> !verb.equals("deletecollection"))
                    .toList();
        }
        return VERBS;
    }

    /** Whether this kind serves {@code verb} (see {@link #verbsOf}). */
    public boolean supports(String verb) {
        return verbsOf(kind).contains(verb);
    }

    // ---- create

    public Written create(RequestContext context, String namespace, Message object, WriteOptions options) {
        ObjectMeta meta = Objects.meta(object);
        checkNamespace(namespace, meta);
        ObjectMeta.Builder fresh = meta.toBuilder()
                .setNamespace(kind.clusterScoped() ? "" : namespace)
                .setUid(UUID.randomUUID().toString())
                .setCreationTimestamp(Timestamps.of(clock.instant()))
                .setGeneration(1)
                .clearResourceVersion()
                .clearDeletionTimestamp()
                .clearDeletionGracePeriodSeconds()
                .clearSelfLink();
        boolean generate = meta.getName().isEmpty() && !meta.getGenerateName().isEmpty();
        for (int attempt = 0; ; attempt++) {
            if (generate) {
                fresh.setName(generatedName(meta.getGenerateName()));
            }
            // apiVersion and kind too: an object created inside the server (an auto-provisioned namespace) has none.
            Message prepared = Objects.withStatusOf(
                    Objects.withTypeMeta(Objects.withMeta(object, fresh.build()), kind.apiVersion(), kind.kind()),
                    null);
            prepared = rules.applyDefaults(prepared);
            if (!options.applied()) {
                prepared = fieldManager.update(null, prepared, options.fieldManager(), false);
            }
            admission
                    .get()
                    .admit(new AdmissionRequest(
                            Operation.CREATE,
                            kind,
                            "",
                            Objects.meta(prepared).getNamespace(),
                            Objects.meta(prepared).getName(),
                            Optional.of(prepared),
                            Optional.empty(),
                            context,
                            options.dryRun()));
            Findings findings = rules.validateCreate(prepared);
            throwIfInvalid(prepared, findings);
            if (options.dryRun()) {
                return new Written(unstored(prepared), findings.warnings(), true, false);
            }
            try {
                StoredObject stored = storage.create(key(prepared), prepared.toByteArray(), attributes(prepared));
                return new Written(written(stored, prepared), findings.warnings(), true, false);
            } catch (StorageException.AlreadyExists e) {
                if (!generate || attempt + 1 >= GENERATE_NAME_ATTEMPTS) {
                    throw translate(e, Objects.meta(prepared).getName());
                }
            } catch (StorageException e) {
                throw translate(e, Objects.meta(prepared).getName());
            }
        }
    }

    // ---- read

    public Message get(RequestContext context, String namespace, String name) {
        return getVersion(context, namespace, name).object();
    }

    /**
     * The object as of a version at least {@code notOlderThan} (a get with a resourceVersion): when the store has not
     * reached it, after waiting for it a little, 504 with the ResourceVersionTooLarge cause; 0 reads the current one.
     */
    public ObjectVersion getVersion(RequestContext context, String namespace, String name, long notOlderThan) {
        if (notOlderThan > 0) {
            try {
                awaitingFreshness(() -> {
                    long current = storage.currentResourceVersion();
                    if (current < notOlderThan) {
                        throw new StorageException.TooLargeResourceVersion(notOlderThan, current);
                    }
                    return current;
                });
            } catch (StorageException e) {
                throw translate(e, name);
            }
        }
        return getVersion(context, namespace, name);
    }

    /** The current version of an object, which a response encodes without decoding it once its JSON is known. */
    public ObjectVersion getVersion(RequestContext context, String namespace, String name) {
        try {
            return storage.get(key(namespace, name))
                    .map(this::version)
                    .orElseThrow(() -> new ApiException.NotFound(subject(name)));
        } catch (StorageException e) {
            throw translate(e, name);
        }
    }

    public Page list(RequestContext context, String namespace, ListQuery query) {
        ListOptions options = new ListOptions(
                resource,
                scope(namespace),
                selector(query.labelSelector(), query.fieldSelector()),
                query.limit(),
                query.continueToken(),
                query.resourceVersion(),
                query.match());
        try {
            ListResult result = awaitingFreshness(() -> storage.list(options));
            List<ObjectVersion> items = new ArrayList<>(result.items().size());
            for (StoredObject stored : result.items()) {
                items.add(version(stored));
            }
            return new Page(
                    items,
                    Long.toString(result.resourceVersion()),
                    result.continueToken(),
                    result.remainingItemCount());
        } catch (StorageException.Expired e) {
            throw new ApiException.Expired(
                    options.continueToken().isEmpty()
                            ? e.getMessage()
                            : "The provided continue parameter is too old to display a consistent list result. You can"
                                    + " start a new list without the continue parameter, or use the continue token in this"
                                    + " response to retrieve the remainder of the results.");
        } catch (StorageException e) {
            throw translate(e, "");
        } catch (IllegalArgumentException e) {
            throw new ApiException.BadRequest(e.getMessage());
        }
    }

    /** Parses selectors; unknown field selector fields are refused as Kubernetes refuses them. */
    public Selector selector(String labelSelector, String fieldSelector) {
        try {
            LabelSelector labels = LabelSelector.parse(labelSelector);
            FieldSelector fields = FieldSelector.parse(fieldSelector);
            for (String field : fields.fields()) {
                if (!selectableFields.contains(field)) {
                    throw new ApiException.BadRequest("field label not supported: " + field);
                }
            }
            return new Selector(labels, fields);
        } catch (IllegalArgumentException e) {
            throw new ApiException.BadRequest(e.getMessage());
        }
    }

    // ---- update and patch

    /** A PUT: replaces the object (or only its status), given the resourceVersion the client read. */
    public Written update(
            RequestContext context,
            String namespace,
            String name,
            Message object,
            WriteOptions options,
            boolean status) {
        ObjectMeta meta = Objects.meta(object);
        checkNamespace(namespace, meta);
        if (!meta.getName().isEmpty() && !meta.getName().equals(name)) {
            throw new ApiException.BadRequest("the name of the object (" + meta.getName()
                    + ") does not match the name on the URL (" + name + ")");
        }
        // Existence first, as Kubernetes' store does: a PUT to a missing object is 404 (kubectl replace of an object
        // that is gone sends no resourceVersion, and must say NotFound, not "resourceVersion must be specified").
        Message current = get(context, namespace, name);
        if (meta.getResourceVersion().isEmpty()) {
            throw invalid(
                    name,
                    List.of(FieldError.invalid(
                            FieldPath.of("metadata.resourceVersion"), "0x0", "must be specified for an update")));
        }
        return write(context, current, object, options, status);
    }

    /**
     * A PATCH: applies {@code patch} to the current object and writes the result, retrying on concurrent writes
     * (a patch applies to whatever is current) unless the patched object names a resourceVersion itself.
     */
    public Written patch(
            RequestContext context,
            String namespace,
            String name,
            UnaryOperator<Message> patch,
            WriteOptions options,
            boolean status) {
        for (int attempt = 0; ; attempt++) {
            Message current = get(context, namespace, name);
            Message patched = patch.apply(current);
            // The patch applies to the current object, so it carries the current resourceVersion unless the
            // patch itself set one: then that version is a precondition (kubectl diff and apply do this).
            if (!Objects.meta(patched)
                    .getResourceVersion()
                    .equals(Objects.meta(current).getResourceVersion())) {
                throw conflict(name);
            }
            try {
                return write(context, current, patched, options, status);
            } catch (ApiException.Conflict e) {
                if (attempt >= 10) {
                    throw e;
                }
            }
        }
    }

    /**
     * A server-side apply (Kubernetes' {@code applyPatcher}): merges the manager's configuration into the object
     * through the kind's {@link FieldManager}, or creates the object when it is absent ({@link Written#created()});
     * a create that races another retries as a merge. The status subresource never creates.
     */
    public Written apply(
            RequestContext context,
            String namespace,
            String name,
            ApplyConfiguration configuration,
            WriteOptions options,
            boolean status) {
        FieldManager.AppliedConfig config = fieldManager.config(configuration.written(), configuration.object());
        WriteOptions applied = options.asApply();
        for (int attempt = 1; ; attempt++) {
            try {
                return patch(
                        context,
                        namespace,
                        name,
                        current -> fieldManager.apply(
                                current, config, configuration.manager(), configuration.force(), status),
                        applied,
                        status);
            } catch (FieldManager.ConflictException e) {
                throw applyConflict(e);
            } catch (ApiException.NotFound e) {
                if (status || attempt >= APPLY_ATTEMPTS) {
                    throw e;
                }
            }
            Message object;
            try {
                object = fieldManager.apply(null, config, configuration.manager(), configuration.force(), false);
            } catch (FieldManager.ConflictException e) {
                throw applyConflict(e);
            }
            String configName = Objects.meta(configuration.object()).getName();
            if (!configName.equals(name)) {
                throw new ApiException.BadRequest("the name of the object (" + configName
                        + ") does not match the name on the URL (" + name + ")");
            }
            try {
                return create(context, namespace, object, applied);
            } catch (ApiException.AlreadyExists e) {
                if (attempt >= APPLY_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static ApiException applyConflict(FieldManager.ConflictException e) {
        List<ApiException.ApplyConflict.Cause> causes = new ArrayList<>();
        for (FieldManager.ConflictException.Conflict conflict : e.conflicts()) {
            causes.add(
                    new ApiException.ApplyConflict.Cause("FieldManagerConflict", conflict.message(), conflict.field()));
        }
        return new ApiException.ApplyConflict(e.getMessage(), causes);
    }

    private Written write(
            RequestContext context, Message current, Message requested, WriteOptions options, boolean status) {
        ObjectMeta old = Objects.meta(current);
        ObjectMeta asked = Objects.meta(requested);
        Message next;
        if (status) {
            // The status subresource changes only the status: spec and metadata stay as stored (but for the
            // managed fields a server-side apply computed).
            next = Objects.withStatusOf(current, requested);
            if (options.applied()) {
                next = Objects.withMeta(
                        next,
                        old.toBuilder()
                                .clearManagedFields()
                                .addAllManagedFields(asked.getManagedFieldsList())
                                .build());
            }
        } else {
            // The main resource never changes the status; the system fields stay as stored.
            ObjectMeta meta = asked.toBuilder()
                    .setName(old.getName())
                    .setNamespace(old.getNamespace())
                    .setUid(old.getUid())
                    .setCreationTimestamp(old.getCreationTimestamp())
                    .setGeneration(old.getGeneration())
                    .clearDeletionTimestamp()
                    .clearDeletionGracePeriodSeconds()
                    .clearSelfLink()
                    .build();
            if (old.hasDeletionTimestamp()) {
                meta = meta.toBuilder()
                        .setDeletionTimestamp(old.getDeletionTimestamp())
                        .setDeletionGracePeriodSeconds(old.getDeletionGracePeriodSeconds())
                        .build();
            }
            next = Objects.withStatusOf(Objects.withMeta(requested, meta), current);
            next = rules.applyDefaults(next);
            if (!Objects.desiredState(next).equals(Objects.desiredState(current))) {
                next = Objects.withMeta(
                        next,
                        Objects.meta(next).toBuilder()
                                .setGeneration(old.getGeneration() + 1)
                                .build());
            }
        }
        next = Objects.withTypeMeta(next, kind.apiVersion(), kind.kind());
        if (!options.applied()) {
            next = fieldManager.update(current, next, options.fieldManager(), status);
        }
        admission
                .get()
                .admit(new AdmissionRequest(
                        Operation.UPDATE,
                        kind,
                        status ? "status" : "",
                        old.getNamespace(),
                        old.getName(),
                        Optional.of(next),
                        Optional.of(current),
                        context,
                        options.dryRun()));
        Findings findings = rules.validateUpdate(clearVersion(current), clearVersion(next));
        List<FieldError> extra = finalizerErrors(old, Objects.meta(next));
        if (!extra.isEmpty()) {
            findings.errors(extra);
        }
        throwIfInvalid(next, findings);
        long expected = parseVersion(
                asked.getResourceVersion().isEmpty() ? old.getResourceVersion() : asked.getResourceVersion(),
                old.getName());
        next = clearVersion(next);
        if (clearVersion(current).equals(next)) {
            // no-op: no new version, no event
            return new Written(unstored(current), findings.warnings(), false, false);
        }
        if (options.dryRun()) {
            return new Written(
                    unstored(withVersion(next, Long.parseLong(old.getResourceVersion()))),
                    findings.warnings(),
                    false,
                    false);
        }
        try {
            ObjectMeta nextMeta = Objects.meta(next);
            if (nextMeta.hasDeletionTimestamp() && !Objects.finalizersPending(next)) {
                StoredObject deleted = storage.delete(key(next), expected);
                return new Written(
                        unstored(withVersion(next, deleted.resourceVersion())), findings.warnings(), false, false);
            }
            StoredObject stored = storage.update(key(next), expected, next.toByteArray(), attributes(next));
            return new Written(written(stored, next), findings.warnings(), false, false);
        } catch (StorageException e) {
            throw translate(e, old.getName());
        }
    }

    private List<FieldError> finalizerErrors(ObjectMeta old, ObjectMeta next) {
        if (!old.hasDeletionTimestamp()) {
            return List.of();
        }
        Set<String> before = new HashSet<>(old.getFinalizersList());
        for (String finalizer : next.getFinalizersList()) {
            if (!before.contains(finalizer)) {
                return List.of(FieldError.forbidden(
                        FieldPath.of("metadata.finalizers"),
                        "no new finalizers can be added if the object is being deleted, found new finalizers [\""
                                + finalizer + "\"]"));
            }
        }
        return List.of();
    }

    // ---- delete

    public Written delete(RequestContext context, String namespace, String name, DeleteOptions options) {
        checkPropagationPolicy(options.propagationPolicy());
        for (int attempt = 0; ; attempt++) {
            Message current = get(context, namespace, name);
            ObjectMeta meta = Objects.meta(current);
            admission
                    .get()
                    .admit(new AdmissionRequest(
                            Operation.DELETE,
                            kind,
                            "",
                            meta.getNamespace(),
                            meta.getName(),
                            Optional.empty(),
                            Optional.of(current),
                            context,
                            options.dryRun()));
            if (!options.uid().isEmpty() && !options.uid().equals(meta.getUid())) {
                throw new ApiException.Conflict(
                        subject(name),
                        "Precondition failed: UID in precondition: " + options.uid() + ", UID in object meta: "
                                + meta.getUid());
            }
            if (!options.resourceVersion().isEmpty()
                    && !options.resourceVersion().equals(meta.getResourceVersion())) {
                throw new ApiException.Conflict(
                        subject(name),
                        "Precondition failed: ResourceVersion in precondition: "
                                + options.resourceVersion() + ", ResourceVersion in object meta: "
                                + meta.getResourceVersion());
            }
            long version = Long.parseLong(meta.getResourceVersion());
            try {
                if (Objects.finalizersPending(current)) {
                    if (meta.hasDeletionTimestamp()) {
                        return new Written(unstored(current), List.of(), false, true);
                    }
                    // Defaults again: what a kind derives from being deleted (a Namespace turns Terminating).
                    Message marked = rules.applyDefaults(Objects.withMeta(
                            clearVersion(current),
                            meta.toBuilder()
                                    .clearResourceVersion()
                                    .setDeletionTimestamp(Timestamps.of(clock.instant()))
                                    .setDeletionGracePeriodSeconds(0)
                                    .build()));
                    if (options.dryRun()) {
                        return new Written(unstored(withVersion(marked, version)), List.of(), false, true);
                    }
                    StoredObject stored =
                            storage.update(key(marked), version, marked.toByteArray(), attributes(marked));
                    return new Written(written(stored, marked), List.of(), false, true);
                }
                if (options.dryRun()) {
                    return new Written(unstored(current), List.of(), false, false);
                }
                StoredObject deleted = storage.delete(key(current), version);
                // The deletion's version is what its watch event carries: the last value at the deleting version.
                return new Written(written(deleted, clearVersion(current)), List.of(), false, false);
            } catch (StorageException.Conflict e) {
                if (attempt >= 10 || !options.resourceVersion().isEmpty()) {
                    throw translate(e, name);
                }
            } catch (StorageException e) {
                throw translate(e, name);
            }
        }
    }

    public List<Message> deleteCollection(
            RequestContext context, String namespace, ListQuery query, DeleteOptions options) {
        if (!supports("deletecollection")) {
            // As in Kubernetes: one request must not take every namespace, the system ones included, with it.
            throw new ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }
        checkPropagationPolicy(options.propagationPolicy());
        List<Message> deleted = new ArrayList<>();
        ApiException.Forbidden refused = null;
        for (Message item : list(context, namespace, query.withoutPaging()).items()) {
            ObjectMeta meta = Objects.meta(item);
            try {
                deleted.add(delete(
                                context,
                                meta.getNamespace(),
                                meta.getName(),
                                new DeleteOptions(options.dryRun(), "", "", options.propagationPolicy()))
                        .object());
            } catch (ApiException.NotFound e) {
                // deleted meanwhile
            } catch (ApiException.Forbidden e) {
                // Admission kept this one (deletion protection): delete the rest, as Kubernetes' deletecollection
                // attempts every item, and say so at the end.
                refused = refused == null ? e : refused;
            }
        }
        if (refused != null) {
            throw refused;
        }
        return deleted;
    }

    private static void checkPropagationPolicy(String policy) {
        if (!policy.isEmpty() && !Set.of("Orphan", "Background", "Foreground").contains(policy)) {
            throw new ApiException.BadRequest(
                    "propagationPolicy must be one of Orphan, Background or Foreground," + " not \"" + policy + "\"");
        }
    }

    // ---- watch

    /**
     * Starts a watch. {@code sink} receives events in order on the watch's own thread; {@code onEnd} is called once
     * when the watch ends, with the reason (null when closed normally).
     */
    public AutoCloseable watch(
            RequestContext context,
            String namespace,
            WatchQuery query,
            Consumer<ObjectEvent> sink,
            Consumer<ApiException> onEnd) {
        return watch(context, namespace, query, sink, onEnd, () -> {});
    }

    /**
     * As above; {@code onCutOff} runs when storage cuts the watch off for falling behind, possibly while {@code sink}
     * is running (it must not block: it tells a sink that waits for its consumer to give up; {@code onEnd} with
     * {@link ApiException.FellBehind} follows).
     */
    public AutoCloseable watch(
            RequestContext context,
            String namespace,
            WatchQuery query,
            Consumer<ObjectEvent> sink,
            Consumer<ApiException> onEnd,
            Runnable onCutOff) {
        return watch(namespace, query, new EventHandover(query) {
            @Override
            public void onEvent(WatchEvent event) {
                sink.accept(toObjectEvent(event));
            }

            @Override
            public void onClose(StorageException cause) {
                onEnd.accept(cause == null ? null : translate(cause, ""));
            }

            @Override
            public void onCutOff() {
                onCutOff.run();
            }
        });
    }

    /**
     * Starts a watch whose events {@code sink} takes on the thread that applies each change (and the initial events
     * before this returns), without blocking: no thread of the watch's own is woken per event. See {@link
     * InlineEventSink}.
     */
    public AutoCloseable watchInline(RequestContext context, String namespace, WatchQuery query, InlineEventSink sink) {
        final class Inline extends EventHandover implements io.dbprovision.apiserver.storage.InlineWatcher {
            Inline() {
                super(query);
            }

            @Override
            public void onEvent(WatchEvent event) {
                sink.onEvent(toObjectEvent(event));
            }

            @Override
            public void onClose(StorageException cause) {
                sink.onEnd(cause == null ? null : translate(cause, ""));
            }

            @Override
            public int waiting() {
                return sink.waiting();
            }

            @Override
            public long taken() {
                return sink.taken();
            }
        }
        return watch(namespace, query, new Inline());
    }

    private AutoCloseable watch(String namespace, WatchQuery query, Watcher watcher) {
        Selector selector = selector(query.labelSelector(), query.fieldSelector());
        WatchOptions options = new WatchOptions(
                resource,
                scope(namespace),
                selector,
                query.sinceResourceVersion(),
                query.initialEvents(),
                query.bookmarks());
        try {
            return awaitingFreshness(() -> storage.watch(options, watcher));
        } catch (StorageException e) {
            throw translate(e, "");
        }
    }

    /** A storage watcher that turns its events into the API's, marking the bookmark that ends the initial state. */
    private abstract class EventHandover implements Watcher {
        private boolean initialStateSent;

        EventHandover(WatchQuery query) {
            this.initialStateSent = !query.initialEvents();
        }

        ObjectEvent toObjectEvent(WatchEvent event) {
            boolean endOfInitialState = event.type() == WatchEvent.Type.BOOKMARK && !initialStateSent;
            initialStateSent |= event.type() == WatchEvent.Type.BOOKMARK;
            return ResourceStore.this.toObjectEvent(event, endOfInitialState);
        }
    }

    private ObjectEvent toObjectEvent(WatchEvent event, boolean endOfInitialState) {
        return switch (event.type()) {
            case ADDED -> new ObjectEvent(ObjectEvent.Type.ADDED, version(event.object()));
            case MODIFIED -> new ObjectEvent(ObjectEvent.Type.MODIFIED, version(event.object()));
            case DELETED -> new ObjectEvent(ObjectEvent.Type.DELETED, version(event.object()));
            case BOOKMARK -> {
                ObjectMeta.Builder meta =
                        ObjectMeta.newBuilder().setResourceVersion(Long.toString(event.resourceVersion()));
                if (endOfInitialState) {
                    meta.putAnnotations("k8s.io/initial-events-end", "true");
                }
                // apiVersion and kind as on every other event: clients decode a bookmark as an object of the kind
                yield new ObjectEvent(
                        ObjectEvent.Type.BOOKMARK,
                        unstored(Objects.withTypeMeta(
                                Objects.withMeta(kind.object(), meta.build()), kind.apiVersion(), kind.kind())));
            }
        };
    }

    // ---- helpers

    /**
     * Runs a read, and while storage answers that it has not reached the version asked for, runs it again until
     * {@link #FRESHNESS_WAIT} has passed (another replica's write may still be on its way, as Kubernetes' watch cache
     * waits for etcd); then the refusal stands (504, ResourceVersionTooLarge).
     */
    private static <T> T awaitingFreshness(Supplier<T> read) {
        long deadline = System.nanoTime() + FRESHNESS_WAIT.toNanos();
        while (true) {
            try {
                return read.get();
            } catch (StorageException.TooLargeResourceVersion e) {
                if (System.nanoTime() >= deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(FRESHNESS_POLL);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private ObjectVersion version(StoredObject stored) {
        return ObjectVersion.of(stored, this::decode, codec);
    }

    /** The version just written, whose message ({@code object} without a resourceVersion) is at hand. */
    private ObjectVersion written(StoredObject stored, Message object) {
        return ObjectVersion.of(stored, withVersion(object, stored.resourceVersion()), codec);
    }

    private ObjectVersion unstored(Message object) {
        return ObjectVersion.unstored(object, codec);
    }

    private Message decode(StoredObject stored) {
        try {
            Message object = kind.object().getParserForType().parseFrom(stored.value());
            return withVersion(object, stored.resourceVersion());
        } catch (InvalidProtocolBufferException e) {
            throw new ApiException.Internal("stored object " + stored.key() + " cannot be read", e);
        }
    }

    private static Message withVersion(Message object, long resourceVersion) {
        ObjectMeta meta = Objects.meta(object);
        return Objects.withMeta(
                object,
                meta.toBuilder()
                        .setResourceVersion(Long.toString(resourceVersion))
                        .build());
    }

    private static Message clearVersion(Message object) {
        return Objects.withMeta(
                object, Objects.meta(object).toBuilder().clearResourceVersion().build());
    }

    /** Labels and the selectable fields, which storage keeps beside the value for selectors. */
    public Attributes attributes(Message object) {
        ObjectMeta meta = Objects.meta(object);
        Map<String, String> fields = new HashMap<>();
        fields.put("metadata.name", meta.getName());
        fields.put("metadata.namespace", meta.getNamespace());
        for (String field : kind.selectableFields()) {
            fields.put(field, MessagePaths.text(object, field));
        }
        return new Attributes(meta.getLabelsMap(), fields);
    }

    private ObjectKey key(Message object) {
        ObjectMeta meta = Objects.meta(object);
        return key(meta.getNamespace(), meta.getName());
    }

    private ObjectKey key(String namespace, String name) {
        return new ObjectKey(resource, kind.clusterScoped() ? "" : namespace, name);
    }

    private String scope(String namespace) {
        return kind.clusterScoped() || namespace == null ? "" : namespace;
    }

    private void checkNamespace(String namespace, ObjectMeta meta) {
        if (kind.clusterScoped()) {
            return;
        }
        if (!meta.getNamespace().isEmpty() && !meta.getNamespace().equals(namespace)) {
            throw new ApiException.BadRequest(
                    "the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    private static long parseVersion(String version, String name) {
        try {
            return Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw new ApiException.BadRequest("invalid resourceVersion \"" + version + "\" for " + name);
        }
    }

    private String generatedName(String prefix) {
        String base = prefix.length() > 58 ? prefix.substring(0, 58) : prefix;
        StringBuilder name = new StringBuilder(base);
        for (int i = 0; i < 5; i++) {
            name.append(NAME_ALPHABET.charAt(random.nextInt(NAME_ALPHABET.length())));
        }
        return name.toString();
    }

    private void throwIfInvalid(Message object, Findings findings) {
        if (findings.hasErrors()) {
            throw invalid(Objects.meta(object).getName(), findings.errors());
        }
    }

    private ApiException.Invalid invalid(String name, List<FieldError> errors) {
        return new ApiException.Invalid(kind.group(), kind.kind(), name, errors);
    }

    private ApiException.Conflict conflict(String name) {
        return new ApiException.Conflict(
                subject(name),
                "the object has been modified; please apply your changes to the latest version and try again");
    }

    ApiException.Subject subject(String name) {
        return new ApiException.Subject(kind.group(), kind.plural(), name);
    }

    /** The one place storage errors become API errors. */
    private ApiException translate(StorageException e, String name) {
        return switch (e) {
            case StorageException.NotFound notFound -> new ApiException.NotFound(subject(name));
            case StorageException.AlreadyExists exists -> new ApiException.AlreadyExists(subject(name));
            case StorageException.Conflict conflict -> conflict(name);
            case StorageException.Expired expired -> new ApiException.Expired(expired.getMessage());
            case StorageException.TooLargeResourceVersion tooLarge ->
                new ApiException.TooLargeResourceVersion(tooLarge.requested(), tooLarge.current());
            // As Kubernetes ends a watcher that does not keep up: 410, and its HTTP client re-lists; an in-process
            // watcher may watch again from its last version if the window still has it.
            case StorageException.FellBehind behind -> new ApiException.FellBehind(behind.getMessage());
            case StorageException.Unavailable unavailable ->
                new ApiException.Unavailable("storage is unavailable: " + unavailable.getMessage(), unavailable);
            // As the kube-apiserver answers a value it cannot decrypt: 500, naming the object, never the key.
            case StorageException.Unreadable unreadable ->
                new ApiException.Internal(unreadable.getMessage(), unreadable);
        };
    }
}
