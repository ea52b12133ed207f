package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.controller.Informer;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.controller.Reconciler;
import io.dbprovision.apiserver.controller.Result;
import io.dbprovision.apiserver.corev1.EventRecorder;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcile every dbops kind shares, around its {@link KindLogic}, in the order the system we re-create runs
 * it: read the object (gone: done) → the skip and pause annotations → a deleted object finishes (its logic applies
 * the deletion policy, then the finalizer goes) → the finalizer is added → the logic syncs → the status is written
 * through the status subresource (only when it changed, so a resync of a Ready object writes nothing) → events.
 * A {@link Waiting} makes the object Pending; a {@link ReconcileFailure} makes it Failed, recorded as a Warning
 * event, and is retried with backoff when transient.
 *
 * <p>Each reconcile has an id (8 hex characters) in its log lines and in {@code status.reconcileID}, so a status
 * can be traced to the log of the reconcile that wrote it.
 *
 * <p>It reads its own writes: a reconcile can be queued by an event of the previous one (the finalizer it added, a
 * Secret it wrote) and start before the informer has seen the status that one wrote last. Acting on that stale copy
 * — not Ready, an old observedGeneration — would call the engine and write the status a second time for nothing
 * (the reconcile benchmark's first runs saw it in 2 of 57 convergences). So the version of this reconciler's last write
 * to each object is remembered until the informer has caught up, and a reconcile that finds an older copy looks
 * again shortly instead ({@link #OWN_WRITE_RECHECK}); after {@link #OWN_WRITE_PATIENCE} it goes on with what the
 * informer has, so an informer that lags for long does not stall the object.
 */
public final class ObjectReconciler implements Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectReconciler.class);
    public static final String FIELD_MANAGER = "dbprovision-controller";
    public static final String SKIP = "dbops.dbprovision.io/skip-reconcile";
    public static final String PAUSE = "dbops.dbprovision.io/pause-reconcile";
    /** How soon an object waiting on another is looked at again even if no change to that one is seen. */
    static final Duration WAITING_RECHECK = Duration.ofMinutes(1);
    /** How soon an object whose spec the engine refused is tried again without a change. */
    static final Duration PERMANENT_RECHECK = Duration.ofMinutes(5);

    /** How soon a reconcile that found the informer behind this reconciler's own last write looks again. */
    static final Duration OWN_WRITE_RECHECK = Duration.ofMillis(50);
    /** How long a reconcile waits for the informer to show this reconciler's own last write before using its copy. */
    static final Duration OWN_WRITE_PATIENCE = Duration.ofSeconds(10);

    private static final WriteOptions AS_CONTROLLER = new WriteOptions(false, FIELD_MANAGER);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Informer<? extends Message> informer;
    private final ResourceStore store;
    private final KindLogic logic;
    private final EventRecorder events;
    private final RequestContext context;
    private final Clock clock;
    /** This reconciler's last write to each object, until the informer has shown it (see the class comment). */
    private final Map<NamespacedName, OwnWrite> ownWrites = new ConcurrentHashMap<>();

    /** A write of this reconciler: the object's uid, the resourceVersion written, and when. */
    private record OwnWrite(String uid, long resourceVersion, Instant at) {}

    public ObjectReconciler(
            Informer<? extends Message> informer,
            KindLogic logic,
            EventRecorder events,
            RequestContext context,
            Clock clock) {
        this.informer = informer;
        this.store = informer.store();
        this.logic = logic;
        this.events = events;
        this.context = context;
        this.clock = clock;
    }

    @Override
    public Result reconcile(NamespacedName key) {
        Optional<? extends Message> cached = informer.get(key);
        if (cached.isEmpty()) {
            ownWrites.remove(key);
            return Result.done();
        }
        Message object = cached.get();
        ObjectMeta meta = Objects.meta(object);
        if (behindOwnWrite(key, meta)) {
            return Result.requeueAfter(OWN_WRITE_RECHECK);
        }
        if ("true".equals(meta.getAnnotationsOrDefault(SKIP, ""))
                || "true".equals(meta.getAnnotationsOrDefault(PAUSE, ""))) {
            return Result.done();
        }
        String reconcileId = HexFormat.of().toHexDigits(RANDOM.nextInt());
        String what = store.kind().kind() + "(" + key + ") [" + reconcileId + "]";
        if (meta.hasDeletionTimestamp()) {
            return meta.getFinalizersList().contains(logic.finalizer())
                    ? finish(key, object, reconcileId, what)
                    : Result.done();
        }
        if (!meta.getFinalizersList().contains(logic.finalizer())) {
            object = addFinalizer(key);
            if (object == null) {
                return Result.done();
            }
        }
        StatusDraft status = new StatusDraft(object, clock.instant());
        try {
            Optional<Duration> again = logic.sync(object, status);
            write(key, status, reconcileId);
            return again.map(Result::requeueAfter).orElse(Result.done());
        } catch (Waiting waiting) {
            status.notReady("Pending", waiting.reason(), waiting.getMessage());
            write(key, status, reconcileId);
            LOG.debug("{} waits: {}", what, waiting.getMessage());
            return Result.requeueAfter(WAITING_RECHECK);
        } catch (ReconcileFailure failure) {
            status.notReady("Failed", failure.reason(), failure.getMessage());
            status.warningEvent("ReconcileFailed", failure.getMessage());
            write(key, status, reconcileId);
            LOG.warn("{} failed: {}", what, failure.getMessage());
            if (failure.transientFailure()) {
                throw failure; // backoff
            }
            return Result.requeueAfter(PERMANENT_RECHECK);
        }
    }

    private Result finish(NamespacedName key, Message object, String reconcileId, String what) {
        StatusDraft status = new StatusDraft(object, clock.instant());
        boolean finished;
        try {
            finished = logic.finish(object, status);
        } catch (Waiting waiting) {
            status.notReady("Deleting", waiting.reason(), waiting.getMessage());
            write(key, status, reconcileId);
            return Result.requeueAfter(WAITING_RECHECK);
        } catch (ReconcileFailure failure) {
            status.notReady("Deleting", failure.reason(), failure.getMessage());
            status.warningEvent("DeleteFailed", failure.getMessage());
            write(key, status, reconcileId);
            LOG.warn("{} deletion failed: {}", what, failure.getMessage());
            throw failure;
        }
        if (!finished) {
            write(key, status, reconcileId);
            return Result.requeueAfter(Duration.ofSeconds(10));
        }
        sendEvents(status);
        removeFinalizer(key, Objects.meta(object).getUid());
        LOG.info("{} finished", what);
        return Result.done();
    }

    private Message addFinalizer(NamespacedName key) {
        try {
            Message written = store.patch(
                            context,
                            key.namespace(),
                            key.name(),
                            current -> {
                                ObjectMeta meta = Objects.meta(current);
                                if (meta.getFinalizersList().contains(logic.finalizer())
                                        || meta.hasDeletionTimestamp()) {
                                    return current;
                                }
                                return Objects.withMeta(
                                        current,
                                        meta.toBuilder()
                                                .addFinalizers(logic.finalizer())
                                                .build());
                            },
                            AS_CONTROLLER,
                            false)
                    .object();
            return remember(key, written);
        } catch (ApiException.NotFound gone) {
            return null;
        }
    }

    private void removeFinalizer(NamespacedName key, String uid) {
        try {
            var written = store.patch(
                    context,
                    key.namespace(),
                    key.name(),
                    current -> {
                        ObjectMeta meta = Objects.meta(current);
                        if (!meta.getUid().equals(uid)
                                || !meta.getFinalizersList().contains(logic.finalizer())) {
                            return current;
                        }
                        ObjectMeta.Builder next = meta.toBuilder().clearFinalizers();
                        meta.getFinalizersList().stream()
                                .filter(f -> !f.equals(logic.finalizer()))
                                .forEach(next::addFinalizers);
                        return Objects.withMeta(current, next.build());
                    },
                    AS_CONTROLLER,
                    false);
            remember(key, written.object());
        } catch (ApiException.NotFound gone) {
            // already gone
        }
    }

    /** Writes the status when it changed, then sends the events (an event never describes a state not stored). */
    private void write(NamespacedName key, StatusDraft status, String reconcileId) {
        if (status.changed()) {
            Message next = status.build(reconcileId);
            String uid = Objects.meta(status.object()).getUid();
            try {
                var written = store.patch(
                        context,
                        key.namespace(),
                        key.name(),
                        current -> Objects.meta(current).getUid().equals(uid) ? withStatus(current, next) : current,
                        AS_CONTROLLER,
                        true);
                remember(key, written.object());
            } catch (ApiException.NotFound gone) {
                return;
            }
        }
        sendEvents(status);
    }

    /**
     * True when this reconciler wrote {@code key} at a version the informer's copy ({@code cached}) does not show yet,
     * and not so long ago that the informer should have caught up; forgets the write once it does.
     */
    private boolean behindOwnWrite(NamespacedName key, ObjectMeta cached) {
        OwnWrite own = ownWrites.get(key);
        if (own == null) {
            return false;
        }
        boolean behind = own.uid().equals(cached.getUid())
                && version(cached) < own.resourceVersion()
                && clock.instant().isBefore(own.at().plus(OWN_WRITE_PATIENCE));
        if (!behind) {
            ownWrites.remove(key, own);
        }
        return behind;
    }

    /** Remembers {@code written} as this reconciler's last write to {@code key}; returns it. */
    private Message remember(NamespacedName key, Message written) {
        ObjectMeta meta = Objects.meta(written);
        long version = version(meta);
        if (version > 0) {
            ownWrites.put(key, new OwnWrite(meta.getUid(), version, clock.instant()));
        }
        return written;
    }

    /** The resourceVersion as the number the store assigns, or 0 when it is not one. */
    private static long version(ObjectMeta meta) {
        try {
            return Long.parseLong(meta.getResourceVersion());
        } catch (NumberFormatException notANumber) {
            return 0;
        }
    }

    private void sendEvents(StatusDraft status) {
        for (StatusDraft.Event event : status.events()) {
            if (event.warning()) {
                events.warning(status.object(), event.reason(), event.message());
            } else {
                events.normal(status.object(), event.reason(), event.message());
            }
        }
    }

    private static Message withStatus(Message object, Message status) {
        return object.toBuilder()
                .setField(object.getDescriptorForType().findFieldByName("status"), status)
                .build();
    }
}
