package io.dbprovision.apiserver.endpoints;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at every open watch stream about once a {@code interval}, on one thread, for what no event tells: a client
 * that went away (an HTTP/2 reset tells nothing else) and a write that made no progress for the write timeout
 * ({@link WatchStream#check}). The request threads of the watches wait without waking meanwhile.
 *
 * <p>Why one thread: each watch's request thread used to wake every second to look for itself. With a thousand
 * watches that was a thousand virtual-thread wake-ups a second — a timed wait each through the scheduler's delay
 * queue, a park, an unpark and a mount — about 5 % of a core at rest (async-profiler: the scheduler's timer thread and
 * the park/unpark paths held half of the carrier threads' samples that were not requests), where one pass over a
 * thousand streams costs well under a millisecond.
 *
 * <p>The thread runs only while streams are registered, so a server with no watch, and every test server that stops,
 * leaves no thread behind.
 */
final class WatchChecks {
    private static final Logger LOG = LoggerFactory.getLogger(WatchChecks.class);

    private final Duration interval;
    private final Set<WatchStream> streams = ConcurrentHashMap.newKeySet();
    private boolean running; // guarded by this

    WatchChecks(Duration interval) {
        this.interval = interval;
    }

    void add(WatchStream stream) {
        synchronized (this) {
            streams.add(stream);
            if (running) {
                return;
            }
            running = true;
        }
        Thread.ofVirtual().name("watch-checks").start(this::run);
    }

    void remove(WatchStream stream) {
        streams.remove(stream);
    }

    /** Whether the checks' thread runs (it stops once no stream is left). */
    synchronized boolean running() {
        return running;
    }

    private void run() {
        while (true) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                synchronized (this) {
                    running = false;
                }
                return;
            }
            for (WatchStream stream : streams) {
                try {
                    stream.check();
                } catch (RuntimeException e) {
                    LOG.warn("checking a watch stream failed", e);
                }
            }
            synchronized (this) {
                if (streams.isEmpty()) {
                    running = false;
                    return;
                }
            }
        }
    }
}
