package io.dbprovision.apiserver.storage;

/**
 * A {@link Watcher} without a thread of its own: the store calls {@link #onEvent} on the thread that applies the
 * change (the cache's writer, holding the cache's lock), and the initial events on the thread that starts the watch,
 * before {@code watch} returns. So one change reaches a thousand such watchers without waking a thousand threads
 * (what an HTTP watch stream needs: it hands the event to its connection's I/O thread and writes it there without
 * blocking).
 *
 * <p>In return {@link #onEvent} must never block nor do much: it queues the event for its consumer. It is called
 * once per event, in resourceVersion order, never concurrently with itself. Since the store cannot see such a
 * watcher's queue, the watcher reports it: {@link #waiting()} events handed over and not yet consumed (the initial
 * events excepted: an initial state of any size is allowed through), {@link #taken()} events consumed so far (a
 * count that only grows). The store judges it as any watcher with a queue of its own (see {@code Subscription}) and
 * cuts it off when it falls behind: {@link #onClose} with {@link StorageException.FellBehind}, after which no event
 * follows. {@link #onClose} may run on any thread (the cache's writer, the one that closes the watch, shutdown);
 * {@link #onCutOff} is not called.
 */
public interface InlineWatcher extends Watcher {
    /** Events handed to {@link #onEvent} since the initial ones that the consumer has not taken yet. */
    int waiting();

    /** Events the consumer has taken, initial ones included; it only grows. */
    long taken();
}
