package io.dbprovision.apiserver.storage;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watcher's view of the change feed: a queue filled by the cache without blocking, drained by a virtual thread
 * of its own that calls the {@link Watcher}. A watcher that falls behind is cut off, so one slow client never delays
 * the feed for the others.
 *
 * <p>Falling behind is judged when a batch of changes arrives, not per event: a group commit hands over a whole
 * batch at once, faster than any watcher can take it, and on a busy machine a watcher's thread may not run at all
 * between two commits. So a watcher is cut off when more than {@code backlog} events wait as a batch arrives and it
 * took none since the previous batch (it is stuck), or, to bound memory, when more than {@code ceiling} wait at any
 * time (it is too slow for the write rate).
 *
 * <p>An {@link InlineWatcher} has no queue or thread here: the cache calls it directly (it queues the event itself,
 * without blocking), and the same rules are applied to the queue it reports ({@link InlineWatcher#waiting()}, {@link
 * InlineWatcher#taken()}).
 */
final class Subscription implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Subscription.class);
    private static final WatchEvent END = WatchEvent.bookmark(-1);

    private final WatchOptions options;
    private final Watcher watcher;
    /** The watcher if it takes its events on the cache's thread (no delivery thread then), else null. */
    private final InlineWatcher inline;

    private final BlockingQueue<WatchEvent> queue = new LinkedBlockingQueue<>();
    private final int backlog;
    private final int ceiling;
    private final java.util.function.Consumer<Subscription> onEnd;
    private volatile StorageException endCause;
    private volatile boolean ended;
    private volatile long lastSentRv;
    private volatile long progress; // events taken from the queue or the initial list; this thread writes it
    private long progressAtLastBatch; // only the cache's feed reads and writes it
    private long seenUpTo; // the cache's version when this watch was registered; under the cache's feed lock
    private Thread thread;

    /**
     * @param backlog events that may still wait when a batch arrives
     * @param ceiling events that may wait at any time (the backlog plus the largest batch)
     */
    Subscription(
            WatchOptions options,
            Watcher watcher,
            int backlog,
            int ceiling,
            java.util.function.Consumer<Subscription> onEnd) {
        this.options = options;
        this.watcher = watcher;
        this.inline = watcher instanceof InlineWatcher direct ? direct : null;
        this.backlog = backlog;
        this.ceiling = Math.max(backlog, ceiling);
        this.onEnd = onEnd;
    }

    WatchOptions options() {
        return options;
    }

    /** True if the cache must call {@link #start} before it offers this subscription any change. */
    boolean startsInline() {
        return inline != null;
    }

    /**
     * Starts delivery; {@code initial} events (replay or initial state) are delivered before anything queued. An
     * inline watcher is handed them here, on the caller's thread.
     */
    void start(java.util.List<WatchEvent> initial) {
        if (inline != null) {
            try {
                for (WatchEvent event : initial) {
                    if (ended) {
                        return;
                    }
                    deliver(event);
                }
            } catch (RuntimeException e) {
                LOG.warn("watcher of {} failed; ending its watch", options.resource(), e);
                end(null);
            }
            return;
        }
        thread = Thread.ofVirtual().name("watch-" + options.resource()).start(() -> run(initial));
    }

    /**
     * The watch's initial events cover every change up to {@code resourceVersion} (the cache's version when it was
     * registered, which may be ahead of what the cache has fed to its watchers): those are not offered again.
     */
    void seenUpTo(long resourceVersion) {
        this.seenUpTo = resourceVersion;
    }

    /** A batch of changes follows; called by the cache's feed, under its feed lock. */
    void beginBatch() {
        long now = inline != null ? inline.taken() : progress;
        if (!ended && waiting() > backlog && now == progressAtLastBatch) {
            cutOff();
        }
        progressAtLastBatch = now;
    }

    /** Offers a change; called by the cache's feed, under its feed lock, so it never blocks. */
    void offer(Change change) {
        if (ended || change.resourceVersion() <= seenUpTo || !inScope(change.key())) {
            return;
        }
        WatchEvent event = change.eventFor(options.selector());
        if (event != null) {
            if (inline != null) {
                deliverInline(event);
            } else {
                queue.add(event);
            }
            if (waiting() > ceiling) {
                cutOff();
            }
        }
    }

    private int waiting() {
        return inline != null ? inline.waiting() : queue.size();
    }

    private void deliverInline(WatchEvent event) {
        try {
            deliver(event);
        } catch (RuntimeException e) {
            LOG.warn("watcher of {} failed; ending its watch", options.resource(), e);
            end(null);
        }
    }

    /**
     * Ends the watch for falling behind. Its delivery thread is not interrupted: a watcher's {@code onEvent} may be
     * anywhere (an HTTP response's write, a database read of an in-process informer), and an interrupt there closes
     * channels under it. The watcher is told instead ({@link Watcher#onCutOff}), so that an {@code onEvent} waiting
     * for its consumer gives up at once.
     */
    private void cutOff() {
        if (ended) {
            return;
        }
        end(new StorageException.FellBehind("the watcher fell too far behind (" + waiting()
                + " events waiting) and was cut off; start a new watch"));
        if (inline != null) {
            return; // told by onClose already; nothing of it is waiting on a thread
        }
        try {
            watcher.onCutOff();
        } catch (RuntimeException e) {
            LOG.warn("watcher of {} failed on its cut-off", options.resource(), e);
        }
    }

    /**
     * A bookmark, if the watcher asked for them and nothing is waiting to be sent; {@code fedVersion} is what the
     * cache has fed its watchers up to (this one has also seen everything up to its {@link #seenUpTo}).
     */
    void offerBookmark(long fedVersion) {
        long resourceVersion = Math.max(fedVersion, seenUpTo);
        if (inline != null) {
            synchronized (this) { // against end(), which may run on any thread
                if (!ended && options.bookmarks() && inline.waiting() == 0 && resourceVersion > lastSentRv) {
                    deliverInline(WatchEvent.bookmark(resourceVersion));
                }
            }
            return;
        }
        if (!ended && options.bookmarks() && queue.isEmpty() && resourceVersion > lastSentRv) {
            queue.offer(WatchEvent.bookmark(resourceVersion));
        }
    }

    boolean inScope(ObjectKey key) {
        return key.resource().equals(options.resource())
                && (options.namespace().isEmpty() || options.namespace().equals(key.namespace()));
    }

    /** Ends the watch: {@code cause} null for a normal close. Idempotent. */
    void end(StorageException cause) {
        if (inline != null) {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
            }
            onEnd.accept(this);
            watcher.onClose(cause);
            return;
        }
        if (ended) {
            return;
        }
        endCause = cause;
        ended = true;
        queue.clear();
        queue.offer(END);
    }

    boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        end(null);
    }

    private void run(java.util.List<WatchEvent> initial) {
        try {
            for (WatchEvent event : initial) {
                if (ended) {
                    break;
                }
                progress++;
                deliver(event);
            }
            while (!ended || !queue.isEmpty()) {
                WatchEvent event = queue.take();
                progress++;
                if (event == END) {
                    break;
                }
                deliver(event);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("watcher of {} failed; ending its watch", options.resource(), e);
        } finally {
            ended = true;
            onEnd.accept(this);
            watcher.onClose(endCause);
        }
    }

    private void deliver(WatchEvent event) {
        watcher.onEvent(event);
        lastSentRv = event.resourceVersion();
    }
}
