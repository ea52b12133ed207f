package io.dbprovision.apiserver.storage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The in-memory image of the store: every live object, the newest resourceVersion applied, a window of recent
 * changes and the watchers. Changes are applied in resourceVersion order by one writer; reads see whole batches.
 * Reads and watches are served from here; only reads of older versions go to the log.
 *
 * <p>Applying a change and feeding it to the watchers are two steps ({@link #applyState}, {@link #feed}), so that the
 * store can answer its writers in between: a write is acknowledged once it is durable and readable, and a thousand
 * watchers are fed after that, as Kubernetes answers a write when etcd has it and feeds its watch cache
 * asynchronously. The watchers still see every change once and in order: they are fed under a lock of their own
 * ({@code feedLock}), in resourceVersion order, and a watch registered between the two steps already has the changes
 * it saw in its initial events, which its feed then skips ({@link Subscription#offer}).
 */
final class WatchCache {
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    /**
     * Held while watchers are fed, registered or offered a bookmark, so that none of these runs beside another: a
     * watcher's events are handed over one at a time and in order. Taken before {@code lock}, never after it.
     */
    private final ReentrantLock feedLock = new ReentrantLock();

    private final Map<String, NavigableMap<ObjectKey, StoredObject>> byResource = new HashMap<>();
    private final ArrayDeque<Change> recent = new ArrayDeque<>();
    private final int recentCapacity;
    private final int maxBatch;
    /** The resourceVersion of the newest change of each resource, so older pages can still come from memory. */
    private final Map<String, Long> lastChangeByResource = new HashMap<>();

    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private long resourceVersion;
    /** The newest resourceVersion fed to the watchers; guarded by feedLock. */
    private long fedVersion;

    /** @param maxBatch most changes handed to watchers as one batch (see {@link Subscription}) */
    WatchCache(int recentCapacity, int maxBatch) {
        this.recentCapacity = recentCapacity;
        this.maxBatch = maxBatch;
    }

    /** Loads the state at {@code resourceVersion}; the cache starts there with no recent changes. */
    void reset(List<StoredObject> objects, long resourceVersion) {
        lock.writeLock().lock();
        try {
            byResource.clear();
            recent.clear();
            lastChangeByResource.clear();
            for (StoredObject object : objects) {
                resource(object.key().resource()).put(object.key(), object);
                // What changed before the load is unknown: treat every loaded resource as changed at the load.
                lastChangeByResource.put(object.key().resource(), resourceVersion);
            }
            this.resourceVersion = resourceVersion;
        } finally {
            lock.writeLock().unlock();
        }
        feedLock.lock();
        try {
            fedVersion = resourceVersion; // what was before the load is not fed to anyone
        } finally {
            feedLock.unlock();
        }
    }

    long resourceVersion() {
        lock.readLock().lock();
        try {
            return resourceVersion;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Applies committed changes (in order, starting right after the cache's version) and feeds the watchers. */
    void apply(List<Change> changes) {
        applyState(changes);
        feed(changes);
    }

    /**
     * Applies committed changes (in order, starting right after the cache's version) to what reads see, without
     * feeding the watchers: the caller then calls {@link #feed} with the same changes (the store's writes are
     * serialised, so feeds come in the order of their applies).
     */
    void applyState(List<Change> changes) {
        lock.writeLock().lock();
        try {
            for (Change change : changes) {
                if (change.resourceVersion() <= resourceVersion) {
                    continue; // already applied (a replica's catch-up may overlap its own commit)
                }
                NavigableMap<ObjectKey, StoredObject> objects =
                        resource(change.key().resource());
                if (change.deleted()) {
                    objects.remove(change.key());
                } else {
                    objects.put(change.key(), change.object());
                }
                recent.addLast(change);
                if (recent.size() > recentCapacity) {
                    recent.removeFirst();
                }
                resourceVersion = change.resourceVersion();
                lastChangeByResource.put(change.key().resource(), resourceVersion);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Hands applied changes to the watchers, in batches of at most {@code maxBatch} changes (a replica catching up
     * may apply many more at once). Changes already fed are skipped. Reads are not held up meanwhile.
     */
    void feed(List<Change> changes) {
        for (int from = 0; from < changes.size(); from += maxBatch) {
            feedBatch(changes.subList(from, Math.min(changes.size(), from + maxBatch)));
        }
    }

    private void feedBatch(List<Change> changes) {
        feedLock.lock();
        try {
            if (changes.getLast().resourceVersion() <= fedVersion) {
                return;
            }
            for (Subscription subscription : subscriptions) {
                subscription.beginBatch();
            }
            for (Change change : changes) {
                if (change.resourceVersion() <= fedVersion) {
                    continue;
                }
                for (Subscription subscription : subscriptions) {
                    subscription.offer(change);
                }
                fedVersion = change.resourceVersion();
            }
        } finally {
            feedLock.unlock();
        }
    }

    Optional<StoredObject> get(ObjectKey key) {
        lock.readLock().lock();
        try {
            NavigableMap<ObjectKey, StoredObject> objects = byResource.get(key.resource());
            return Optional.ofNullable(objects == null ? null : objects.get(key));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** A page of the current state; {@code after} is the last key of the previous page, or null. */
    ListResult list(String resource, String namespace, Selector selector, ObjectKey after, int limit) {
        lock.readLock().lock();
        try {
            return page(resource, namespace, selector, after, limit, resourceVersion);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * A page of the state at {@code atRv}, if memory still has it: when the resource has not changed since, its
     * current state is its state then (a continue page after writes to other resources). Empty otherwise.
     */
    Optional<ListResult> listAt(
            String resource, String namespace, Selector selector, ObjectKey after, int limit, long atRv) {
        lock.readLock().lock();
        try {
            if (atRv > resourceVersion || lastChangeByResource.getOrDefault(resource, 0L) > atRv) {
                return Optional.empty();
            }
            return Optional.of(page(resource, namespace, selector, after, limit, atRv));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Call with the lock held. */
    private ListResult page(
            String resource, String namespace, Selector selector, ObjectKey after, int limit, long atRv) {
        NavigableMap<ObjectKey, StoredObject> objects = byResource.getOrDefault(resource, new TreeMap<>());
        NavigableMap<ObjectKey, StoredObject> range = scope(objects, resource, namespace);
        if (after != null) {
            range = range.tailMap(after, false);
        }
        List<StoredObject> items = new ArrayList<>(limit > 0 ? Math.min(limit, range.size()) : range.size());
        long remaining = 0;
        for (StoredObject object : range.values()) {
            if (!selector.matches(object.attributes())) {
                continue;
            }
            if (limit > 0 && items.size() >= limit) {
                remaining++;
            } else {
                items.add(object);
            }
        }
        String token = remaining > 0
                ? new ContinueToken(
                                atRv,
                                items.getLast().key().namespace(),
                                items.getLast().key().name())
                        .encode()
                : "";
        return new ListResult(items, atRv, token, remaining > 0 ? remaining : -1);
    }

    /**
     * Registers a watch. Returns false if its start version is older than the recent window, in which case the
     * caller replays history from the log and calls {@link #subscribeAfterReplay}.
     */
    boolean subscribe(Subscription subscription) {
        WatchOptions options = subscription.options();
        feedLock.lock();
        lock.readLock().lock();
        try {
            List<WatchEvent> initial = new ArrayList<>();
            long since = options.sinceResourceVersion();
            if (options.initialEvents() || since == 0) {
                if (options.initialEvents()) {
                    for (StoredObject object : scope(
                                    byResource.getOrDefault(options.resource(), new TreeMap<>()),
                                    options.resource(),
                                    options.namespace())
                            .values()) {
                        if (options.selector().matches(object.attributes())) {
                            initial.add(new WatchEvent(WatchEvent.Type.ADDED, object, resourceVersion));
                        }
                    }
                    initial.add(WatchEvent.bookmark(resourceVersion)); // the end of the initial state
                }
            } else {
                if (!coveredByRecent(since)) {
                    return false;
                }
                addRecentEvents(subscription, since, initial);
            }
            register(subscription, initial);
            return true;
        } finally {
            lock.readLock().unlock();
            feedLock.unlock();
        }
    }

    /** Registers a watch whose changes up to {@code replayedUpTo} the caller read from the log. */
    boolean subscribeAfterReplay(Subscription subscription, List<WatchEvent> replayed, long replayedUpTo) {
        feedLock.lock();
        lock.readLock().lock();
        try {
            if (replayedUpTo < resourceVersion && !coveredByRecent(replayedUpTo)) {
                return false; // the cache moved past the window meanwhile: the caller replays more
            }
            List<WatchEvent> initial = new ArrayList<>(replayed);
            addRecentEvents(subscription, replayedUpTo, initial);
            register(subscription, initial);
            return true;
        } finally {
            lock.readLock().unlock();
            feedLock.unlock();
        }
    }

    /**
     * Adds the subscription and starts its delivery; call with both locks held. Its initial events cover every
     * change up to the cache's version, fed or not: the feed skips those ({@link Subscription#seenUpTo}). An inline
     * watcher is handed its initial events first, so that no bookmark (offered under the feed lock too) comes
     * between them.
     */
    private void register(Subscription subscription, List<WatchEvent> initial) {
        subscription.seenUpTo(resourceVersion);
        if (subscription.startsInline()) {
            subscription.start(initial);
            if (!subscription.ended()) { // its watcher may have failed on an initial event
                subscriptions.add(subscription);
            }
        } else {
            subscriptions.add(subscription);
            subscription.start(initial);
        }
    }

    /** The events a watcher sees of the recent changes after {@code after}; call with the lock held. */
    private void addRecentEvents(Subscription subscription, long after, List<WatchEvent> into) {
        for (Change change : recent) {
            if (change.resourceVersion() > after && subscription.inScope(change.key())) {
                WatchEvent event = change.eventFor(subscription.options().selector());
                if (event != null) {
                    into.add(event);
                }
            }
        }
    }

    /** True if every change after {@code rv} is in the recent window. */
    private boolean coveredByRecent(long rv) {
        if (rv >= resourceVersion) {
            return true;
        }
        return !recent.isEmpty() && recent.getFirst().resourceVersion() <= rv + 1;
    }

    void unsubscribe(Subscription subscription) {
        subscriptions.remove(subscription);
    }

    /**
     * Offers every watcher a bookmark at the version it has been fed up to (applied changes not yet fed are not
     * covered). Under the feed lock, so that no change is queued between reading the version and queueing the
     * bookmark: a bookmark behind a newer event would move the watcher's resourceVersion backwards.
     */
    void bookmarkAll() {
        feedLock.lock();
        try {
            for (Subscription subscription : subscriptions) {
                subscription.offerBookmark(fedVersion);
            }
        } finally {
            feedLock.unlock();
        }
    }

    /** Ends every watch, with {@code cause} (null on shutdown). */
    void endAll(StorageException cause) {
        for (Subscription subscription : subscriptions) {
            subscription.end(cause);
        }
    }

    /** The resources that have live objects now. */
    List<String> resources() {
        lock.readLock().lock();
        try {
            List<String> out = new ArrayList<>();
            byResource.forEach((resource, objects) -> {
                if (!objects.isEmpty()) {
                    out.add(resource);
                }
            });
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    int watcherCount() {
        return subscriptions.size();
    }

    private NavigableMap<ObjectKey, StoredObject> resource(String resource) {
        return byResource.computeIfAbsent(resource, r -> new TreeMap<>());
    }

    private static NavigableMap<ObjectKey, StoredObject> scope(
            NavigableMap<ObjectKey, StoredObject> objects, String resource, String namespace) {
        if (namespace.isEmpty()) {
            return objects;
        }
        ObjectKey from = new ObjectKey(resource, namespace, "\0");
        ObjectKey to = new ObjectKey(resource, namespace + "\0", "\0");
        return objects.subMap(from, true, to, false);
    }
}
