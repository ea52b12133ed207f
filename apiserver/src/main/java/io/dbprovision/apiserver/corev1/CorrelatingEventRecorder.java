package io.dbprovision.apiserver.corev1;

import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.proto.k8s.core.v1.Event;
import io.dbprovision.proto.k8s.core.v1.EventSource;
import io.dbprovision.proto.k8s.core.v1.ObjectReference;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcilers' {@link EventRecorder}, in both modes, as client-go's recorder with its EventCorrelator: an Event
 * names its object ({@code involvedObject}), is called {@code <object name>.<16 hex digits>}, lives in the object's
 * namespace ({@code default} for a cluster-scoped object, as Kubernetes puts them), and comes from
 * {@value #COMPONENT} on the instance given. The same (object, type, reason, message) again within
 * {@link Settings#similarWindow()} of its last occurrence is counted on the Event already written ({@code count},
 * {@code lastTimestamp}) instead of written again; the recent ones are remembered in a bounded LRU.
 *
 * <p>Recording only puts the Event in a bounded queue; one background thread writes them to the {@link EventSink}.
 * When the queue is full the Event is dropped and counted, with a warning now and then, never a wait: a slow or absent
 * store must not slow a reconciler. Writes that may pass (503, 429, timeouts) are tried again a few times; nothing is
 * ever thrown into the caller. Messages are cut to {@value EventText#MAX_MESSAGE_BYTES} bytes; the recorder's own log
 * lines name the object, type and reason, never the message.
 */
public final class CorrelatingEventRecorder implements EventRecorder, AutoCloseable {
    /** The {@code source.component} and {@code reportingComponent} of every Event. */
    public static final String COMPONENT = ControllerIdentity.COMPONENT;

    static final String DEFAULT_NAMESPACE = "default";

    private static final Logger LOG = LoggerFactory.getLogger(CorrelatingEventRecorder.class);
    private static final Duration WARNING_INTERVAL = Duration.ofSeconds(30);

    /**
     * How the recorder holds up.
     *
     * @param queueCapacity Events waiting to be written before new ones are dropped
     * @param similarWindow how long after its last occurrence an Event is counted on rather than written anew
     * @param recentEvents how many distinct recent Events are remembered for counting (client-go: 4096)
     * @param writeAttempts tries of a write whose failure may pass (1: no retry)
     * @param retryPause the pause after the first failed try, growing with each
     * @param drainTimeout how long {@link #close()} lets the queue be written before it gives up on the rest
     */
    public record Settings(
            int queueCapacity,
            Duration similarWindow,
            int recentEvents,
            int writeAttempts,
            Duration retryPause,
            Duration drainTimeout) {
        public Settings {
            if (queueCapacity < 1 || recentEvents < 1 || writeAttempts < 1) {
                throw new IllegalArgumentException("queueCapacity, recentEvents and writeAttempts must be positive");
            }
            if (similarWindow.isNegative() || retryPause.isNegative() || drainTimeout.isNegative()) {
                throw new IllegalArgumentException("durations must not be negative");
            }
        }

        public static Settings defaults() {
            return new Settings(1_000, Duration.ofMinutes(10), 4_096, 3, Duration.ofMillis(500), Duration.ofSeconds(5));
        }

        public Settings withQueueCapacity(int capacity) {
            return new Settings(capacity, similarWindow, recentEvents, writeAttempts, retryPause, drainTimeout);
        }

        public Settings withRecentEvents(int count) {
            return new Settings(queueCapacity, similarWindow, count, writeAttempts, retryPause, drainTimeout);
        }

        public Settings withRetries(int attempts, Duration pause) {
            return new Settings(queueCapacity, similarWindow, recentEvents, attempts, pause, drainTimeout);
        }

        public Settings withDrainTimeout(Duration timeout) {
            return new Settings(queueCapacity, similarWindow, recentEvents, writeAttempts, retryPause, timeout);
        }
    }

    /** What a caller asked to record, taken when it asked. */
    private record Draft(ObjectReference object, String type, String reason, String message, Instant time) {
        Key key() {
            return new Key(
                    object.getApiVersion(),
                    object.getKind(),
                    object.getNamespace(),
                    object.getName(),
                    object.getUid(),
                    type,
                    reason,
                    message);
        }

        String describe() {
            String namespaced =
                    object.getNamespace().isEmpty() ? object.getName() : object.getNamespace() + "/" + object.getName();
            return type + " " + reason + " about " + object.getKind() + "(" + namespaced + ")";
        }
    }

    /** What makes two Events the same one, counted: client-go's event key less the source, which is always ours. */
    private record Key(
            String apiVersion,
            String kind,
            String namespace,
            String name,
            String uid,
            String type,
            String reason,
            String message) {}

    /** The last write of an Event: as stored, how often it occurred, when last. */
    private record LastWrite(Event event, int count, Instant last) {}

    private final EventSink sink;
    private final String reportingInstance;
    private final Clock clock;
    private final Settings settings;
    private final BlockingQueue<Draft> queue;
    /** Only the writer thread touches it. */
    private final Map<Key, LastWrite> recent;

    private final AtomicLong lastId = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final OccasionalWarning dropWarning = new OccasionalWarning(WARNING_INTERVAL);
    private final OccasionalWarning failureWarning = new OccasionalWarning(WARNING_INTERVAL);
    private volatile boolean closed;
    private final Thread writer;

    /**
     * With the defaults and the system clock.
     *
     * @param reportingInstance who records: this replica's identity (pod name, host name), its {@code
     *     reportingInstance} and {@code source.host}
     */
    public CorrelatingEventRecorder(EventSink sink, String reportingInstance) {
        this(sink, reportingInstance, Clock.systemUTC(), Settings.defaults());
    }

    public CorrelatingEventRecorder(EventSink sink, String reportingInstance, Clock clock, Settings settings) {
        this.sink = java.util.Objects.requireNonNull(sink, "sink");
        this.reportingInstance = EventText.clip(reportingInstance, EventText.MAX_REPORTING_INSTANCE);
        this.clock = java.util.Objects.requireNonNull(clock, "clock");
        this.settings = java.util.Objects.requireNonNull(settings, "settings");
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        int capacity = settings.recentEvents();
        this.recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, LastWrite> eldest) {
                return size() > capacity;
            }
        };
        this.writer = Thread.ofPlatform().daemon().name("event-recorder").start(this::run);
    }

    @Override
    public void normal(Message object, String reason, String message) {
        record(object, "Normal", reason, message);
    }

    @Override
    public void warning(Message object, String reason, String message) {
        record(object, "Warning", reason, message);
    }

    /** Events dropped so far: the queue was full, or the recorder closed. */
    public long dropped() {
        return dropped.get();
    }

    /** Events whose write failed for good so far. */
    public long failed() {
        return failed.get();
    }

    /** Writes (creates and counts) that succeeded so far. */
    public long written() {
        return written.get();
    }

    private void record(Message object, String type, String reason, String message) {
        try {
            Optional<ObjectReference> involved = InvolvedObject.of(object);
            if (involved.isEmpty()) {
                LOG.warn("an Event {} about an object without a name cannot be recorded", EventText.clip(reason, 64));
                return;
            }
            Draft draft = new Draft(
                    involved.get(),
                    type,
                    EventText.clip(reason, EventText.MAX_REASON),
                    EventText.message(message),
                    // Kubernetes keeps Event times to the second: so do we, so both modes count alike
                    clock.instant().truncatedTo(ChronoUnit.SECONDS));
            if (closed || !queue.offer(draft)) {
                drop(draft, closed ? "the recorder is closed" : "the queue is full");
            }
        } catch (RuntimeException e) {
            // a recorder must never fail its caller, whatever it was handed
            LOG.warn("an Event could not be recorded ({})", e.getClass().getSimpleName());
        }
    }

    private void drop(Draft draft, String why) {
        long count = dropped.incrementAndGet();
        if (dropWarning.due()) {
            LOG.warn("Event {} dropped: {} ({} dropped so far)", draft.describe(), why, count);
        }
    }

    // ---- the writer thread

    private void run() {
        while (true) {
            Draft draft;
            try {
                draft = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (draft == null) {
                if (closed) {
                    return;
                }
                continue;
            }
            try {
                write(draft);
            } catch (RuntimeException e) {
                fail(draft, e);
            }
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    private void write(Draft draft) {
        Key key = draft.key();
        LastWrite last = recent.get(key);
        LastWrite now;
        if (last != null && !draft.time().isAfter(last.last().plus(settings.similarWindow()))) {
            now = count(draft, last);
        } else {
            now = create(draft);
        }
        if (now != null) {
            recent.put(key, now);
        }
    }

    /** Another occurrence of an Event written before; written anew under its name when it is gone (expired). */
    private LastWrite count(Draft draft, LastWrite last) {
        int count = last.count() == Integer.MAX_VALUE ? last.count() : last.count() + 1;
        Event counted = last.event().toBuilder()
                .setCount(count)
                .setLastTimestamp(timestamp(draft.time()))
                .setMessage(draft.message())
                .build();
        try {
            return new LastWrite(attempt(draft, () -> sink.update(counted)), count, draft.time());
        } catch (ApiException.NotFound e) {
            Event again = counted.toBuilder()
                    .setMetadata(ObjectMeta.newBuilder()
                            .setNamespace(counted.getMetadata().getNamespace())
                            .setName(counted.getMetadata().getName()))
                    .build();
            return createNamed(draft, again, count);
        } catch (ApiException e) {
            fail(draft, e);
            return null;
        }
    }

    private LastWrite create(Draft draft) {
        ObjectReference object = draft.object();
        Timestamp time = timestamp(draft.time());
        Event event = Event.newBuilder()
                .setApiVersion("v1")
                .setKind("Event")
                .setMetadata(ObjectMeta.newBuilder()
                        .setNamespace(object.getNamespace().isEmpty() ? DEFAULT_NAMESPACE : object.getNamespace())
                        .setName(newName(object.getName())))
                .setInvolvedObject(object)
                .setReason(draft.reason())
                .setMessage(draft.message())
                .setType(draft.type())
                .setSource(EventSource.newBuilder().setComponent(COMPONENT).setHost(reportingInstance))
                .setFirstTimestamp(time)
                .setLastTimestamp(time)
                .setCount(1)
                .setReportingComponent(COMPONENT)
                .setReportingInstance(reportingInstance)
                .build();
        return createNamed(draft, event, 1);
    }

    /** Creates {@code event}; if its name is taken (by another replica's Event, unlikely), once more under a new one. */
    private LastWrite createNamed(Draft draft, Event event, int count) {
        try {
            return new LastWrite(attempt(draft, () -> sink.create(event)), count, draft.time());
        } catch (ApiException.AlreadyExists e) {
            Event renamed = event.toBuilder()
                    .setMetadata(event.getMetadata().toBuilder()
                            .setName(newName(draft.object().getName())))
                    .build();
            try {
                return new LastWrite(attempt(draft, () -> sink.create(renamed)), count, draft.time());
            } catch (ApiException again) {
                fail(draft, again);
                return null;
            }
        } catch (ApiException e) {
            fail(draft, e);
            return null;
        }
    }

    /** Runs a write, again after a growing pause while its failure may pass; the last failure is thrown. */
    private Event attempt(Draft draft, Supplier<Event> write) {
        for (int attempt = 1; ; attempt++) {
            try {
                Event stored = write.get();
                written.incrementAndGet();
                return stored;
            } catch (ApiException e) {
                if (attempt >= settings.writeAttempts() || !mayPass(e) || !pause(attempt)) {
                    throw e;
                }
                LOG.debug("Event {}: {}; trying again", draft.describe(), e.getMessage());
            }
        }
    }

    private static boolean mayPass(ApiException e) {
        return e instanceof ApiException.Unavailable
                || e instanceof ApiException.TooManyRequests
                || e instanceof ApiException.Timeout
                || e instanceof ApiException.TooLargeResourceVersion
                || e instanceof ApiException.Internal;
    }

    private boolean pause(int attempt) {
        try {
            Thread.sleep(settings.retryPause().multipliedBy(attempt));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing: give up on this Event, the loop ends
            return false;
        }
    }

    private void fail(Draft draft, RuntimeException e) {
        long count = failed.incrementAndGet();
        if (failureWarning.due()) {
            // the registry's messages name objects and causes, never an Event's message; anything else only by type
            String why = e instanceof ApiException api
                    ? api.getMessage()
                    : e.getClass().getSimpleName();
            LOG.warn("Event {} could not be written: {} ({} failed so far)", draft.describe(), why, count);
        }
    }

    /**
     * {@code <object name>.<16 hex digits>}: the digits are the clock's nanoseconds, made unique in this recorder, so
     * Events sort by object then time as client-go's do.
     */
    private String newName(String objectName) {
        Instant now = clock.instant();
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        long id = lastId.updateAndGet(last -> Math.max(last + 1, nanos));
        return EventText.namePrefix(objectName) + "." + String.format("%016x", id);
    }

    private static Timestamp timestamp(Instant time) {
        return Timestamp.newBuilder()
                .setSeconds(time.getEpochSecond())
                .setNanos(time.getNano())
                .build();
    }

    /**
     * Stops taking Events and lets the writer write what is queued for up to {@link Settings#drainTimeout()}; what is
     * left then is dropped.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            writer.join(settings.drainTimeout());
            if (writer.isAlive()) {
                writer.interrupt();
                writer.join(Duration.ofSeconds(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = queue.size();
        queue.clear();
        if (left > 0) {
            dropped.addAndGet(left);
            LOG.warn("{} Events were not written before the recorder closed", left);
        }
    }

    /** A warning logged at most once per interval, so a store that is down does not flood the log. */
    private static final class OccasionalWarning {
        private final long intervalNanos;
        private final AtomicLong next = new AtomicLong(Long.MIN_VALUE);

        OccasionalWarning(Duration interval) {
            this.intervalNanos = interval.toNanos();
        }

        boolean due() {
            long now = System.nanoTime();
            long due = next.get();
            return (due == Long.MIN_VALUE || now - due >= 0) && next.compareAndSet(due, now + intervalNanos);
        }
    }
}
