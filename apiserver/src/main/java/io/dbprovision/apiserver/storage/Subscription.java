package io.dbprovision.apiserver.storage;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watcher's view of the change feed: a bounded queue filled by the cache without blocking, drained by a
 * virtual thread of its own that calls the {@link Watcher}. A watcher that lets the queue fill up is cut off, so
 * one slow client never delays the feed for the others.
 */
final class Subscription implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Subscription.class);
    private static final WatchEvent END = WatchEvent.bookmark(-1);

    private final WatchOptions options;
    private final Watcher watcher;
    private final BlockingQueue<WatchEvent> queue;
    private final java.util.function.Consumer<Subscription> onEnd;
    private volatile StorageException endCause;
    private volatile boolean ended;
    private volatile long lastSentRv;
    private Thread thread;

    Subscription(WatchOptions options, Watcher watcher, int capacity, java.util.function.Consumer<Subscription> onEnd) {
        this.options = options;
        this.watcher = watcher;
        this.queue = new LinkedBlockingQueue<>(capacity);
        this.onEnd = onEnd;
    }

    WatchOptions options() {
        return options;
    }

    /** Starts delivery; {@code initial} events (replay or initial state) are delivered before anything queued. */
    void start(java.util.List<WatchEvent> initial) {
        thread = Thread.ofVirtual().name("watch-" + options.resource()).start(() -> run(initial));
    }

    /** Offers a change; called by the cache with its lock held, so it never blocks. */
    void offer(Change change) {
        if (ended || !inScope(change.key())) {
            return;
        }
        WatchEvent event = change.eventFor(options.selector());
        if (event != null && !queue.offer(event)) {
            end(new StorageException.Unavailable(
                    "the watcher fell too far behind (" + queue.size() + " events queued) and was cut off; "
                            + "start a new watch",
                    null));
        }
    }

    /** A bookmark, if the watcher asked for them and nothing is waiting to be sent. */
    void offerBookmark(long resourceVersion) {
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
        if (ended) {
            return;
        }
        endCause = cause;
        ended = true;
        queue.clear();
        queue.offer(END);
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
                deliver(event);
            }
            while (!ended || !queue.isEmpty()) {
                WatchEvent event = queue.take();
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
