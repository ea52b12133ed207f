package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Deadline;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * At most {@code permits} provisioner calls at once per database server ({@link ServerKey}), across every controller:
 * the work queues limit reconciles per server and kind, but a Database, a DatabaseUser and a DatabaseGrant on one
 * server reconcile in different controllers, and each call takes one of the provisioner's pooled connections to that
 * server. With as many permits as the pool has connections, calls wait here, in order, instead of in the pool, whose
 * wait runs out after the connect timeout. A call holds its permit from sending its request until it closes; the wait
 * for one is bounded by the call's deadline and ends as {@link ReconcileFailure#busy} ({@link EngineCalls#failure}).
 *
 * <p>Health checks ({@code CheckInstance}) do not wait here: they must be able to tell that a server hangs while calls
 * stuck on it hold every permit.
 */
final class ServerGate implements ClientInterceptor {
    private final int permits;
    private final Map<String, Semaphore> servers = new ConcurrentHashMap<>();

    ServerGate(int permits) {
        if (permits < 1) {
            throw new IllegalArgumentException("a server needs at least one permit, not " + permits);
        }
        this.permits = permits;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        ClientCall<Q, R> call = next.newCall(method, options);
        if (method.getBareMethodName().equals("CheckInstance")) {
            return call;
        }
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
            /** The permit this call holds; guarded by {@code this}, as the call may close on another thread. */
            private Semaphore held;

            private boolean closed;

            @Override
            public void start(Listener<R> listener, Metadata headers) {
                super.start(
                        new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                closed();
                                super.onClose(status, trailers);
                            }
                        },
                        headers);
            }

            @Override
            public void sendMessage(Q message) {
                String server = message instanceof Message request ? serverOf(request) : null;
                if (server != null && !holding()) {
                    hold(acquire(server, options.getDeadline()));
                }
                super.sendMessage(message);
            }

            private synchronized boolean holding() {
                return held != null;
            }

            private synchronized void hold(Semaphore permit) {
                if (closed) {
                    permit.release(); // closed (cancelled, deadline) while it waited: nothing will release it
                } else {
                    held = permit;
                }
            }

            private synchronized void closed() {
                closed = true;
                if (held != null) {
                    held.release();
                    held = null;
                }
            }
        };
    }

    /** A permit for {@code server}, waiting for one until {@code deadline} (none: the wait is unbounded). */
    private Semaphore acquire(String server, Deadline deadline) {
        Semaphore semaphore = servers.computeIfAbsent(server, key -> new Semaphore(permits, true));
        long started = System.nanoTime();
        try {
            boolean acquired;
            if (deadline == null) {
                semaphore.acquire();
                acquired = true;
            } else {
                acquired = semaphore.tryAcquire(
                        Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS)), TimeUnit.NANOSECONDS);
            }
            if (!acquired) {
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                throw Status.RESOURCE_EXHAUSTED
                        .withDescription(String.format(
                                Locale.ROOT,
                                "all %d calls this server may send at once to %s are under way; waited %.1f s for one",
                                permits,
                                server,
                                waited / 1000.0))
                        .asRuntimeException(busyTrailers());
            }
            return semaphore;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Status.CANCELLED
                    .withDescription("interrupted while waiting to call " + server)
                    .asRuntimeException();
        }
    }

    /** Trailers saying the wait was for this server's own limit, read by {@link EngineCalls#failure}. */
    static Metadata busyTrailers() {
        Metadata trailers = new Metadata();
        trailers.put(EngineCalls.LOCAL_REASON, EngineCalls.REASON_SERVER_BUSY);
        return trailers;
    }

    private static String serverOf(Message request) {
        FieldDescriptor field = request.getDescriptorForType().findFieldByName("instance");
        if (field == null || field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || !request.hasField(field)) {
            return null;
        }
        return request.getField(field) instanceof Instance instance ? ServerKey.of(instance) : null;
    }
}
