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
import io.dbprovision.apiserver.registry.Written;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
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
 */
public final class ObjectReconciler implements Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectReconciler.class);
    public static final String FIELD_MANAGER = "dbprovision-controller";
    public static final String SKIP = "dbops.dbprovision.io/skip-reconcile";
    public static final String PAUSE = "dbops.dbprovision.io/pause-reconcile";
    /** How soon an object waiting on another is looked at again even if no change to that one is seen. */
    static final Duration WAITING_RECHECK = Duration.ofMinutes(1);
    /**
     * When to try again after every connection to the server was busy ({@link ReconcileFailure#busy}): about as long
     * as a few engine calls take, not the growing backoff of a failure.
     */
    static final Duration BUSY_RECHECK = Duration.ofSeconds(1);
    /** How soon an object whose spec the engine refused is tried again without a change. */
    static final Duration PERMANENT_RECHECK = Duration.ofMinutes(5);

    private static final WriteOptions AS_CONTROLLER = new WriteOptions(false, FIELD_MANAGER);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Informer<? extends Message> informer;
    private final ResourceStore store;
    private final KindLogic logic;
    private final EventRecorder events;
    private final RequestContext context;
    private final Clock clock;
    /**
     * The resourceVersion of this reconciler's last write per object. The informer learns of a write a moment after
     * it: a reconcile that starts before then (queued by the finalizer it just added, say) reads the object from the
     * store instead of acting on a copy older than its own write — no second "create" for the same generation.
     */
    private final Map<NamespacedName, Long> lastWritten = new ConcurrentHashMap<>();

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
            lastWritten.remove(key);
            return Result.done();
        }
        Message object = cached.get();
        Long written = lastWritten.get(key);
        if (written != null && resourceVersion(object) < written) {
            try {
                object = store.get(context, key.namespace(), key.name());
            } catch (ApiException.NotFound gone) {
                lastWritten.remove(key);
                return Result.done();
            }
        }
        ObjectMeta meta = Objects.meta(object);
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
            if (status.onlyWaitingTargetChanged()) {
                // Still waiting on something that converges, only on another part of it now: not worth a write.
                sendEvents(status);
            } else {
                write(key, status, reconcileId);
            }
            LOG.debug("{} waits: {}", what, waiting.getMessage());
            return Result.requeueAfter(waiting.recheck());
        } catch (ReconcileFailure failure) {
            if (failure.busy()) {
                // Not a failure: the phase it was in, the wait in the Ready condition, no Warning; soon again.
                status.notReady(
                        status.phase().isEmpty() ? "Pending" : status.phase(), failure.reason(), failure.getMessage());
                write(key, status, reconcileId);
                LOG.debug("{} waits for a connection: {}", what, failure.getMessage());
                return Result.requeueAfter(BUSY_RECHECK);
            }
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
            if (failure.busy()) {
                write(key, status, reconcileId);
                return Result.requeueAfter(BUSY_RECHECK);
            }
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
            return remember(
                    key,
                    store.patch(
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
                            false));
        } catch (ApiException.NotFound gone) {
            return null;
        }
    }

    private Message remember(NamespacedName key, Written written) {
        Message object = written.object();
        lastWritten.put(key, resourceVersion(object));
        return object;
    }

    private static long resourceVersion(Message object) {
        try {
            return Long.parseLong(Objects.meta(object).getResourceVersion());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void removeFinalizer(NamespacedName key, String uid) {
        try {
            store.patch(
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
                remember(
                        key,
                        store.patch(
                                context,
                                key.namespace(),
                                key.name(),
                                current -> Objects.meta(current).getUid().equals(uid)
                                        ? withStatus(current, next)
                                        : current,
                                AS_CONTROLLER,
                                true));
            } catch (ApiException.NotFound gone) {
                return;
            }
        }
        sendEvents(status);
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
