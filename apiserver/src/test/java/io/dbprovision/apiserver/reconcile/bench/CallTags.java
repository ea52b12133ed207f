package io.dbprovision.apiserver.reconcile.bench;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A server interceptor on the benchmark's provisioner: it names the call in the gRPC {@link Context} (so the
 * {@link SqlRecorder} knows which call sent a statement: a health check that happens to fall into a measured window
 * is left out of the replay) and counts the calls of each method and the time they took, from the call's arrival to
 * its close — how many engine calls a convergence costs and how much of its time they take.
 */
final class CallTags implements ServerInterceptor {
    private static final Context.Key<String> METHOD = Context.key("dbprb-method");
    /** Calls kept in the log between resets (a convergence of 1,000 databases makes a few thousand). */
    private static final int MAX_LOG = 100_000;

    /** One call: its method, when it arrived ({@link System#nanoTime()}) and how long it took until it closed. */
    record Call(String method, long startedAt, long nanos) {}

    /** Calls and their time per method, since the last {@link #reset}, and each call in the order they closed. */
    record Calls(Map<String, Long> counts, Map<String, Long> nanos, List<Call> log) {
        long total() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        long count(String method) {
            return counts.getOrDefault(method, 0L);
        }

        long totalNanos() {
            return nanos.values().stream().mapToLong(Long::longValue).sum();
        }

        /** {@code EnsureDatabase×1, ObserveDatabase×1, …}, in name order. */
        String text() {
            StringBuilder out = new StringBuilder();
            counts.forEach((method, count) -> {
                if (!out.isEmpty()) {
                    out.append(", ");
                }
                out.append(method).append("×").append(count);
            });
            return out.isEmpty() ? "none" : out.toString();
        }
    }

    private final Map<String, Long> counts = new TreeMap<>();
    private final Map<String, Long> nanos = new TreeMap<>();
    private final List<Call> log = new ArrayList<>();

    /** The method of the call running on this thread, or "" outside a call. */
    static String current() {
        String method = METHOD.get();
        return method == null ? "" : method;
    }

    synchronized void reset() {
        counts.clear();
        nanos.clear();
        log.clear();
    }

    synchronized Calls snapshot() {
        return new Calls(new TreeMap<>(counts), new TreeMap<>(nanos), List.copyOf(log));
    }

    private synchronized void record(String method, long startedAt, long took) {
        counts.merge(method, 1L, Long::sum);
        nanos.merge(method, took, Long::sum);
        if (log.size() < MAX_LOG) {
            log.add(new Call(method, startedAt, took));
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getBareMethodName();
        long start = System.nanoTime();
        ServerCall<Q, R> timed = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                record(method, start, System.nanoTime() - start);
                super.close(status, trailers);
            }
        };
        return Contexts.interceptCall(Context.current().withValue(METHOD, method), timed, headers, next);
    }
}
