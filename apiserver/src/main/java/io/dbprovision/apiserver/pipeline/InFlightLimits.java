package io.dbprovision.apiserver.pipeline;

import io.dbprovision.apiserver.endpoints.Call;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.request.RequestContext;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * Bounds the requests in flight, as the kube-apiserver's {@code --max-requests-inflight} and {@code
 * --max-mutating-requests-inflight} do, with watches counted apart (they are long-lived and cheap while idle):
 * past a bound the answer is 429 with {@code Retry-After: 1} and a Status whose {@code details.retryAfterSeconds} says
 * the same, at once, so that an overloaded server sheds load instead of queueing it. Health probes are never limited:
 * a busy server is not a dead one.
 *
 * <p>A request counts until its answer has been handed to the transport ({@link Call#onResponseWritten}), not
 * until its thread has also waited for the client to take the last bytes, as a Go server's handler returns (and the
 * kube-apiserver's filter frees its seat) before its buffered answer goes out. Otherwise a client that sends its next
 * request as soon as it has read an answer finds the request before still counted for a while: 128 such writers
 * over HTTP/2 held more than 200 seats at moments and were refused with 429, though never more than 128 requests
 * were being served. A watch counts until it ends.
 *
 * <p>The bounds are per kind of request, not per caller: this filter runs first, before anyone is authenticated, so
 * it cannot keep a pool for {@code system:masters} as the kube-apiserver's priority and fairness does (which runs
 * after authentication). A flood from anyone can delay everyone but the probes; the bounds keep the server itself
 * standing.
 */
public final class InFlightLimits implements Filter {
    private static final Set<String> EXEMPT = Set.of("/healthz", "/livez", "/readyz");

    /** The bounds; 0 means none. */
    public record Settings(int readOnly, int mutating, int watches) {
        public static final Settings DEFAULTS = new Settings(400, 200, 10_000);
    }

    private final Semaphore readOnly;
    private final Semaphore mutating;
    private final Semaphore watches;

    public InFlightLimits(Settings settings) {
        this.readOnly = semaphore(settings.readOnly());
        this.mutating = semaphore(settings.mutating());
        this.watches = semaphore(settings.watches());
    }

    @Override
    public void handle(Call call, RequestContext context, Handler next) {
        if (EXEMPT.contains(context.info().path())) {
            next.handle(call, context);
            return;
        }
        Semaphore limit = switch (context.info().verb()) {
            case "watch" -> watches;
            case "get", "list", "head" -> readOnly;
            default -> mutating;
        };
        if (limit == null) {
            next.handle(call, context);
            return;
        }
        if (!limit.tryAcquire()) {
            throw new ApiException.TooManyRequests("too many requests, please try again later");
        }
        Permit permit = new Permit(limit);
        call.onResponseWritten(permit::release);
        try {
            next.handle(call, context);
        } finally {
            permit.release();
        }
    }

    /** One request's place within a bound, given back once: when its answer is written, or when it ends. */
    private static final class Permit {
        private final Semaphore limit;
        private boolean released;

        Permit(Semaphore limit) {
            this.limit = limit;
        }

        /** Only the request's own thread calls this (its answer is written on that thread). */
        void release() {
            if (!released) {
                released = true;
                limit.release();
            }
        }
    }

    private static Semaphore semaphore(int permits) {
        return permits <= 0 ? null : new Semaphore(permits);
    }
}
