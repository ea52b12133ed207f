package io.dbprovision.apiserver.portal;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.ObjectEvent;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WatchQuery;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Watch calls: the registry's watch streamed to the client as it happens, each on a virtual thread of its own (the
 * call's own executor must stay free to deliver its cancellation). Events wait in a bounded queue while the client is
 * not ready for more (HTTP/2 flow control); a client that falls {@value #MAX_QUEUED} events behind loses its watch
 * with RESOURCE_EXHAUSTED and watches again from the last version it saw, rather than the server buffering without
 * end. The watch ends when the client cancels or goes away, when the registry ends it (OUT_OF_RANGE when the start
 * version is too old), or at shutdown (UNAVAILABLE).
 */
final class Watches implements AutoCloseable {
    static final int MAX_QUEUED = 100_000;
    private static final Object CLOSED = new Object();
    private static final Object CANCELLED = new Object();
    private static final Object SHUTDOWN = new Object();
    private static final Object OVERFLOW = new Object();

    private final Set<BlockingQueue<Object>> active = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    <M extends Message> void serve(
            Operations.Started operation,
            ResourceStore store,
            String namespace,
            WatchQuery query,
            ServerCallStreamObserver<M> observer,
            Function<ObjectEvent, M> toEvent) {
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>(MAX_QUEUED + 2);
        Object ready = new Object();
        observer.setOnCancelHandler(() -> queue.offer(CANCELLED));
        observer.setOnReadyHandler(() -> {
            synchronized (ready) {
                ready.notifyAll();
            }
        });
        AutoCloseable handle;
        try {
            handle = store.watch(
                    operation.context(),
                    namespace,
                    query,
                    event -> {
                        if (queue.remainingCapacity() <= 2 || !queue.offer(event)) {
                            // behind by too much: nothing queued matters any more, the client watches again
                            queue.clear();
                            queue.offer(OVERFLOW);
                        }
                    },
                    cause -> queue.offer(cause == null ? CLOSED : cause));
        } catch (RuntimeException e) {
            observer.onError(Replies.status(operation.fail(e)));
            return;
        }
        active.add(queue);
        if (closed) {
            queue.offer(SHUTDOWN);
        }
        Thread.ofVirtual().name("portal-watch").start(() -> {
            try (handle) {
                drain(queue, ready, observer, toEvent, operation);
            } catch (Exception e) {
                // closing the registry's watch failed: nothing left to tell the client
            } finally {
                active.remove(queue);
            }
        });
    }

    private static <M extends Message> void drain(
            BlockingQueue<Object> queue,
            Object ready,
            ServerCallStreamObserver<M> observer,
            Function<ObjectEvent, M> toEvent,
            Operations.Started operation) {
        try {
            while (true) {
                Object next = queue.poll(30, TimeUnit.SECONDS);
                if (next == null) {
                    if (observer.isCancelled()) {
                        operation.finish(200);
                        return;
                    }
                    continue;
                }
                if (next == CANCELLED) {
                    operation.finish(200);
                    return;
                }
                if (next == CLOSED) {
                    operation.finish(200);
                    observer.onCompleted();
                    return;
                }
                if (next == SHUTDOWN) {
                    operation.finish(200);
                    observer.onError(Status.UNAVAILABLE
                            .withDescription("the server is shutting down: watch again from the last resource version")
                            .asRuntimeException());
                    return;
                }
                if (next == OVERFLOW) {
                    operation.finish(200);
                    observer.onError(Status.RESOURCE_EXHAUSTED
                            .withDescription("the watch fell more than " + MAX_QUEUED
                                    + " events behind: watch again from the last resource version")
                            .asRuntimeException());
                    return;
                }
                if (next instanceof ApiException error) {
                    observer.onError(Replies.status(operation.fail(error)));
                    return;
                }
                if (!awaitReady(ready, observer)) {
                    operation.finish(200);
                    return;
                }
                observer.onNext(toEvent.apply((ObjectEvent) next));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            operation.finish(200);
        } catch (RuntimeException e) {
            // the call is gone (cancelled while sending)
            operation.finish(200);
        }
    }

    /** Waits until the client can take another message; false when the call is cancelled meanwhile. */
    private static boolean awaitReady(Object ready, ServerCallStreamObserver<?> observer) throws InterruptedException {
        synchronized (ready) {
            while (!observer.isReady()) {
                if (observer.isCancelled()) {
                    return false;
                }
                ready.wait(1000);
            }
        }
        return !observer.isCancelled();
    }

    /** Ends every watch (UNAVAILABLE): the server is shutting down. */
    @Override
    public void close() {
        closed = true;
        for (BlockingQueue<Object> queue : active) {
            queue.clear();
            queue.offer(SHUTDOWN);
        }
    }
}
