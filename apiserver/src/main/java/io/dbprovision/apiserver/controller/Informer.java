package io.dbprovision.apiserver.controller;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.ListQuery;
import io.dbprovision.apiserver.registry.ObjectEvent;
import io.dbprovision.apiserver.registry.ObjectVersion;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.Page;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WatchQuery;
import io.dbprovision.apiserver.request.RequestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory, indexed copy of every object of one kind, kept current by a list and a watch of its
 * {@link ResourceStore} — the registry's own watch cache, in the same process, never an HTTP round trip — as
 * client-go's SharedInformer keeps one, only smaller. Controllers read objects from here instead of the store and
 * register {@link EventHandler}s to hear of changes.
 *
 * <p>It lists, then watches from the list's resourceVersion. When a watch ends (storage outage, a watcher cut off for
 * falling behind) it watches again from the last resourceVersion it saw, bookmarks included, so nothing is missed or
 * seen twice; when that version is too old (compacted: 410 Expired) it lists again and reports the difference as
 * adds, updates and deletes. Failures are retried with a backoff until the informer is closed.
 *
 * <p>Secondary indexes ({@link #addIndex}) map an object to index values, such as the instance a Database names in
 * {@code spec.instanceRef}: an instance's reconciler finds its dependants with {@link #byIndex}.
 */
public final class Informer<T extends Message> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Informer.class);
    private static final Backoff RETRY = Backoff.of(Duration.ofMillis(100), Duration.ofSeconds(10), 0.2);

    private final ResourceStore store;
    private final Class<T> type;
    private final RequestContext context;
    private final String kind;

    private final Map<NamespacedName, T> objects = new ConcurrentHashMap<>();
    /**
     * Guards changes to the cache and the indexes and the calls of the handlers, which follow them in order. Reads
     * take no lock (the maps are concurrent), so a handler of one informer may read another's index without any
     * order of locks to respect.
     */
    private final ReentrantLock lock = new ReentrantLock();

    private final Map<String, Function<? super T, ? extends Collection<String>>> indexers = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Set<NamespacedName>>> indexes = new ConcurrentHashMap<>();
    private final List<EventHandler<? super T>> handlers = new CopyOnWriteArrayList<>();
    private final CountDownLatch synced = new CountDownLatch(1);
    private volatile long resourceVersion;
    private final AtomicInteger lists = new AtomicInteger();
    private final AtomicInteger watches = new AtomicInteger();
    private volatile boolean closed;
    private volatile AutoCloseable watch;
    private Thread thread;

    /** @param context who the informer's lists and watches act as ({@link RequestContext#internal}) */
    public Informer(ResourceStore store, Class<T> type, RequestContext context) {
        if (!type.isInstance(store.kind().object())) {
            throw new IllegalArgumentException(
                    store.kind().kind() + " objects are not " + type.getSimpleName() + " messages");
        }
        this.store = store;
        this.type = type;
        this.context = context;
        this.kind = store.kind().kind();
    }

    public ResourceStore store() {
        return store;
    }

    /** The kind's name, as log lines name objects: {@code Kind(namespace/name)}. */
    public String kind() {
        return kind;
    }

    /** Starts listing and watching, on a virtual thread of its own; does nothing if started already. */
    public synchronized Informer<T> start() {
        if (thread == null && !closed) {
            thread =
                    Thread.ofVirtual().name("informer-" + store.kind().plural()).start(this::run);
        }
        return this;
    }

    /** Whether the first list has filled the cache. */
    public boolean hasSynced() {
        return synced.getCount() == 0;
    }

    /** Waits until the first list has filled the cache; false if that did not happen within {@code timeout}. */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        return synced.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The newest resourceVersion the informer has seen (of an object, a bookmark or a list). */
    public long resourceVersion() {
        return resourceVersion;
    }

    /** Lists made so far: one at start, one more for each resume from a version too old. */
    int lists() {
        return lists.get();
    }

    /** Watches started so far: one after each list, one more for each resume. */
    int watches() {
        return watches.get();
    }

    // ---- reads

    public Optional<T> get(NamespacedName key) {
        return Optional.ofNullable(objects.get(key));
    }

    public List<T> list() {
        return List.copyOf(objects.values());
    }

    public Set<NamespacedName> keys() {
        return Set.copyOf(objects.keySet());
    }

    /** The objects whose index {@code index} has {@code value}. */
    public List<T> byIndex(String index, String value) {
        Map<String, Set<NamespacedName>> byValue = indexes.get(index);
        if (byValue == null) {
            throw new IllegalArgumentException(kind + " informer has no index " + index);
        }
        List<T> found = new ArrayList<>();
        for (NamespacedName key : byValue.getOrDefault(value, Set.of())) {
            T object = objects.get(key);
            if (object != null) {
                found.add(object);
            }
        }
        return found;
    }

    // ---- indexes and handlers

    /** Adds an index, built over what is cached now and kept current from then on. */
    public Informer<T> addIndex(String name, Function<? super T, ? extends Collection<String>> indexer) {
        lock.lock();
        try {
            if (indexers.putIfAbsent(name, indexer) != null) {
                throw new IllegalArgumentException(kind + " informer has an index " + name + " already");
            }
            Map<String, Set<NamespacedName>> byValue = new ConcurrentHashMap<>();
            objects.forEach((key, object) -> index(byValue, indexer, key, null, object));
            indexes.put(name, byValue);
            return this;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds a handler. It first hears of every object cached now as added, then of every change after, so that a
     * handler added late misses nothing (as client-go replays the store to a late handler).
     */
    public void addHandler(EventHandler<? super T> handler) {
        lock.lock();
        try {
            handlers.add(handler);
            for (T object : objects.values()) {
                call(handler, h -> h.onAdd(object));
            }
        } finally {
            lock.unlock();
        }
    }

    public void removeHandler(EventHandler<? super T> handler) {
        lock.lock();
        try {
            handlers.remove(handler);
        } finally {
            lock.unlock();
        }
    }

    // ---- list and watch

    private void run() {
        boolean relist = true;
        int failures = 0;
        while (!closed) {
            try {
                if (relist) {
                    relist();
                    relist = false;
                }
                ApiException end = watchUntilEnd();
                failures = 0;
                if (end instanceof ApiException.Expired) {
                    LOG.info("{} informer: {}; listing again", kind, end.getMessage());
                    relist = true;
                } else if (end != null && !closed) {
                    LOG.debug("{} informer: watch ended ({}); watching again from {}", kind, end, resourceVersion);
                    pause(RETRY.delay(1));
                }
            } catch (ApiException.Expired e) {
                LOG.info("{} informer: {}; listing again", kind, e.getMessage());
                relist = true;
            } catch (ApiException e) {
                if (closed) {
                    return;
                }
                failures++;
                if (failures == 1) {
                    LOG.warn("{} informer: {}; retrying", kind, e.getMessage());
                }
                pause(RETRY.delay(failures));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("{} informer failed; retrying", kind, e);
                failures++;
                pause(RETRY.delay(failures));
            }
        }
    }

    /** Lists every object and makes the cache that list, telling the handlers what changed. */
    private void relist() {
        Page page = store.list(context, "", ListQuery.ALL);
        lists.incrementAndGet();
        Map<NamespacedName, T> listed = new HashMap<>();
        for (ObjectVersion version : page.versions()) {
            T object = type.cast(version.object());
            listed.put(NamespacedName.of(object), object);
        }
        lock.lock();
        try {
            for (NamespacedName key : List.copyOf(objects.keySet())) {
                if (!listed.containsKey(key)) {
                    T last = objects.remove(key);
                    unindex(key, last);
                    dispatch(h -> h.onDelete(last));
                }
            }
            for (T object : listed.values()) {
                upsert(object);
            }
            resourceVersion = Long.parseLong(page.resourceVersion());
        } finally {
            lock.unlock();
        }
        synced.countDown();
    }

    /** Watches from the last version seen until the watch ends; returns why it ended (null: closed). */
    private ApiException watchUntilEnd() throws InterruptedException {
        long since = resourceVersion;
        CompletableFuture<ApiException> ended = new CompletableFuture<>();
        // From 0 a watch starts "now", which could miss a write made since the list of an empty store: then the
        // watch starts with the current state instead, which the cache takes as updates where it has them already.
        watch = store.watch(context, "", new WatchQuery("", "", since, since == 0, true), this::apply, ended::complete);
        watches.incrementAndGet();
        if (closed) {
            closeWatch();
        }
        try {
            return ended.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            watch = null;
        }
    }

    private void apply(ObjectEvent event) {
        long version = Long.parseLong(Objects.meta(event.object()).getResourceVersion());
        lock.lock();
        try {
            switch (event.type()) {
                case ADDED, MODIFIED -> upsert(type.cast(event.object()));
                case DELETED -> {
                    T deleted = type.cast(event.object());
                    NamespacedName key = NamespacedName.of(deleted);
                    T last = objects.remove(key);
                    if (last != null) {
                        unindex(key, last);
                        dispatch(h -> h.onDelete(deleted));
                    }
                }
                case BOOKMARK -> {}
            }
            resourceVersion = Math.max(resourceVersion, version);
        } finally {
            lock.unlock();
        }
    }

    /** Caches {@code object} unless the cache has it at that version or newer; tells the handlers. */
    private void upsert(T object) {
        NamespacedName key = NamespacedName.of(object);
        T old = objects.get(key);
        if (old != null && version(old) >= version(object)) {
            return;
        }
        objects.put(key, object);
        indexers.forEach((name, indexer) -> index(indexes.get(name), indexer, key, old, object));
        if (old == null) {
            dispatch(h -> h.onAdd(object));
        } else {
            dispatch(h -> h.onUpdate(old, object));
        }
    }

    private static long version(Message object) {
        return Long.parseLong(Objects.meta(object).getResourceVersion());
    }

    /**
     * Moves {@code key} from the values {@code old} had to those {@code object} has; values both have are left alone,
     * so a reader never misses an object whose index values did not change.
     */
    private void index(
            Map<String, Set<NamespacedName>> byValue,
            Function<? super T, ? extends Collection<String>> indexer,
            NamespacedName key,
            T old,
            T object) {
        Set<String> now = Set.copyOf(indexer.apply(object));
        if (old != null) {
            for (String value : indexer.apply(old)) {
                if (!now.contains(value)) {
                    removeFrom(byValue, value, key);
                }
            }
        }
        for (String value : now) {
            byValue.computeIfAbsent(value, v -> ConcurrentHashMap.newKeySet()).add(key);
        }
    }

    private void unindex(NamespacedName key, T last) {
        indexers.forEach((name, indexer) -> {
            for (String value : indexer.apply(last)) {
                removeFrom(indexes.get(name), value, key);
            }
        });
    }

    private static void removeFrom(Map<String, Set<NamespacedName>> byValue, String value, NamespacedName key) {
        Set<NamespacedName> keys = byValue.get(value);
        if (keys != null && keys.remove(key) && keys.isEmpty()) {
            byValue.remove(value);
        }
    }

    private void dispatch(java.util.function.Consumer<EventHandler<? super T>> call) {
        for (EventHandler<? super T> handler : handlers) {
            call(handler, call);
        }
    }

    private void call(EventHandler<? super T> handler, java.util.function.Consumer<EventHandler<? super T>> call) {
        try {
            call.accept(handler);
        } catch (RuntimeException e) {
            // A failing handler must not end the watch for the others, nor leave them without the event.
            LOG.error("{} informer: an event handler failed", kind, e);
        }
    }

    private void pause(Duration delay) {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // only close() interrupts: the next wait ends the loop
        }
    }

    private void closeWatch() {
        AutoCloseable current = watch;
        if (current != null) {
            try {
                current.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
    }

    /** Stops watching; the cache keeps what it has and hears of nothing more. */
    @Override
    public void close() {
        closed = true;
        closeWatch();
        Thread running;
        synchronized (this) {
            running = thread;
        }
        if (running != null) {
            running.interrupt();
        }
    }
}
