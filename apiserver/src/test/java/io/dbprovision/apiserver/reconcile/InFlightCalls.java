package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the reconcilers' provisioner calls in flight, per port of the instance they go to, and the most there ever
 * were at once: a worker waiting on a dead server is a call in flight, so this is how many workers an instance holds.
 * Health checks ({@code CheckInstance}, the instance controller's) are left out: only what the object controllers
 * send is counted.
 */
final class InFlightCalls implements ClientInterceptor {
    private final Map<Integer, AtomicInteger> now = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> most = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> finished = new ConcurrentHashMap<>();

    /** The most calls to {@code port} that were in flight at once. */
    int most(int port) {
        return most.getOrDefault(port, new AtomicInteger()).get();
    }

    /** Calls to {@code port} that have ended (answered or failed). */
    int finished(int port) {
        return finished.getOrDefault(port, new AtomicInteger()).get();
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        boolean counted = !method.getBareMethodName().equals("CheckInstance");
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            private final AtomicBoolean started = new AtomicBoolean();
            private volatile int port = -1;

            @Override
            public void start(Listener<R> listener, Metadata headers) {
                super.start(
                        new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                if (started.get()) {
                                    now.get(port).decrementAndGet();
                                    finished.computeIfAbsent(port, p -> new AtomicInteger())
                                            .incrementAndGet();
                                }
                                super.onClose(status, trailers);
                            }
                        },
                        headers);
            }

            @Override
            public void sendMessage(Q message) {
                if (counted && message instanceof Message request && started.compareAndSet(false, true)) {
                    port = portOf(request);
                    int inFlight =
                            now.computeIfAbsent(port, p -> new AtomicInteger()).incrementAndGet();
                    most.computeIfAbsent(port, p -> new AtomicInteger()).accumulateAndGet(inFlight, Math::max);
                }
                super.sendMessage(message);
            }
        };
    }

    private static int portOf(Message request) {
        FieldDescriptor field = request.getDescriptorForType().findFieldByName("instance");
        if (field == null) {
            return 0;
        }
        Message instance = (Message) request.getField(field);
        return (Integer) instance.getField(instance.getDescriptorForType().findFieldByName("port"));
    }
}
