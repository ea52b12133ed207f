package io.dbprovision.apiserver.portal;

import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.pipeline.Authorization;
import io.dbprovision.apiserver.pipeline.RequestAuditor;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.request.RequestContext;
import java.time.Clock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST pipeline's authorization and audit steps for one registry operation of a gRPC call: the operation is
 * authorized as its {@link RestRequest} with the server's {@link Authorizer} ({@link Authorization#check}, so the
 * decision and its reason land in the audit record as they do for REST), then runs against the registry (whose write
 * path admits it), and produces the audit line that request would, with the HTTP code it would have been answered
 * with. A gRPC call may perform several (RequestDatabase creates three objects): each is checked and audited alone.
 */
final class Operations {
    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);

    private final Authorizer authorizer;
    private final RequestAuditor auditor;
    private final Clock clock;

    Operations(Authorizer authorizer, RequestAuditor auditor, Clock clock) {
        this.authorizer = authorizer;
        this.auditor = auditor;
        this.clock = clock;
    }

    /**
     * Runs {@code operation} as {@code request} for the current call's caller.
     *
     * @param successCode the HTTP code the REST request answers on success (200, or 201 for a create)
     * @throws ApiException as the operation or authorization failed (an unexpected failure as Internal)
     */
    <T> T run(RestRequest request, int successCode, Function<RequestContext, T> operation) {
        Started started = start(request);
        try {
            T result = operation.apply(started.context());
            started.finish(successCode);
            return result;
        } catch (RuntimeException e) {
            throw started.fail(e);
        }
    }

    /**
     * Whether the current caller may do {@code request}, asked without an audit line: for a call that needs one of
     * several permissions, so that only the request it goes ahead as is audited.
     */
    boolean allows(RestRequest request) {
        RequestContext context = Caller.current().context(request.info(), clock.instant());
        return authorizer
                .authorize(Authorization.attributes(context.user(), request.info()))
                .allowed();
    }

    /** An operation whose end comes later (a watch): authorized now, audited when {@link Started#finish} is called. */
    Started start(RestRequest request) {
        RequestContext context = Caller.current().context(request.info(), clock.instant());
        Started started = new Started(request, context);
        try {
            Authorization.check(authorizer, context);
        } catch (RuntimeException e) {
            throw started.fail(e);
        }
        return started;
    }

    /** An authorized operation under way. */
    final class Started {
        private final RestRequest request;
        private final RequestContext context;
        private boolean audited;

        private Started(RestRequest request, RequestContext context) {
            this.request = request;
            this.context = context;
        }

        RequestContext context() {
            return context;
        }

        /** Audits the operation as answered with {@code code} (once; later calls do nothing). */
        synchronized void finish(int code) {
            if (!audited) {
                audited = true;
                auditor.record(request, context, code, clock.instant());
            }
        }

        /**
         * Audits the failure and returns what the caller gets: an {@link ApiException} (unexpected failures as
         * Internal) or an {@link InvalidArgument} (a 400).
         */
        RuntimeException fail(Throwable failure) {
            if (failure instanceof InvalidArgument invalid) {
                finish(400);
                return invalid;
            }
            if (failure instanceof io.grpc.StatusRuntimeException status
                    && status.getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION) {
                // an operation's own precondition answer (credentials not issued yet): REST answers it with 409
                finish(409);
                return status;
            }
            ApiException error = asApiException(failure, request);
            finish(error.code());
            return error;
        }
    }

    static ApiException asApiException(Throwable failure, RestRequest request) {
        if (failure instanceof ApiException api) {
            return api;
        }
        LOG.error("portal: {} failed", request.requestUri(), failure);
        return new ApiException.Internal("an internal error occurred", failure);
    }
}
