package io.dbprovision.apiserver.pipeline;

import io.dbprovision.apiserver.audit.AuditIds;
import io.dbprovision.apiserver.endpoints.Call;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.request.RequestInfo;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry of every HTTP request: moves it off Undertow's I/O thread onto a virtual thread, reads what its path
 * names ({@link RequestInfo}), gives it a {@link RequestContext}, and runs it through the filters to the router.
 * The filters are, in order: limits → audit → authentication → impersonation → authorization (see {@code
 * ServerAssembly}). Whatever fails leaves as a Kubernetes {@code Status}; nothing unexpected leaves as anything
 * but a 500 without internals.
 */
public final class RequestPipeline implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(RequestPipeline.class);

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Handler chain;
    private final Clock clock;
    private final Duration bodyTimeout;

    public RequestPipeline(List<Filter> filters, Handler router, Clock clock) {
        this(filters, router, clock, Call.DEFAULT_BODY_TIMEOUT);
    }

    /** @param bodyTimeout how long a request body may take to arrive (408 after it) */
    public RequestPipeline(List<Filter> filters, Handler router, Clock clock, Duration bodyTimeout) {
        this.chain = Filter.chain(filters, router);
        this.clock = clock;
        this.bodyTimeout = bodyTimeout;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(executor, this);
            return;
        }
        exchange.startBlocking();
        Call call = new Call(exchange, bodyTimeout);
        try {
            checkFraming(call);
            RequestInfo info = RequestInfo.parse(call.method(), call.path(), call.watchRequested());
            RequestContext context = RequestContext.arriving(
                    info,
                    AuditIds.forRequest(call.header(AuditIds.HEADER)),
                    clock.instant(),
                    sourceIp(exchange),
                    call.header("User-Agent"));
            call.setHeader("Audit-Id", context.auditId());
            chain.handle(call, context);
        } catch (ApiException e) {
            call.fail(e);
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", call.method(), call.path(), e);
            call.fail(new ApiException.Internal("an internal error occurred", e));
        }
    }

    /**
     * Refuses, before anyone reads them, headers whose meaning is ambiguous: two Authorization or Content-Type headers
     * (which one would authentication or the decoder take?), a transfer coding other than chunked (the body's end
     * would be unknown), or Transfer-Encoding together with Content-Length (the classic request-smuggling pair).
     * Undertow has already refused what does not parse as HTTP at all.
     */
    private static void checkFraming(Call call) {
        for (String header : SINGLE_HEADERS) {
            if (call.headerCount(header) > 1) {
                call.exchange().setPersistent(false);
                throw new ApiException.BadRequest("the request has more than one " + header + " header");
            }
        }
        for (var parameter : call.exchange().getQueryParameters().entrySet()) {
            // Undertow decodes escapes as UTF-8 and leaves U+FFFD where the bytes were not UTF-8
            boolean malformed = parameter.getKey().indexOf('\uFFFD') >= 0
                    || parameter.getValue().stream().anyMatch(value -> value.indexOf('\uFFFD') >= 0);
            if (malformed) {
                throw new ApiException.BadRequest("the query parameters of the request are not valid UTF-8");
            }
        }
        String transferEncoding = call.header("Transfer-Encoding");
        if (call.headerCount("Transfer-Encoding") > 0) {
            call.exchange().setPersistent(false);
            if (!transferEncoding.trim().equalsIgnoreCase("chunked") || call.headerCount("Transfer-Encoding") > 1) {
                throw new ApiException.BadRequest("only the chunked transfer coding is supported");
            }
            if (call.headerCount("Content-Length") > 0) {
                throw new ApiException.BadRequest("a request may not have both Content-Length and Transfer-Encoding");
            }
        }
    }

    private static final List<String> SINGLE_HEADERS =
            List.of("Authorization", "Content-Type", "Content-Length", "Impersonate-User", "Impersonate-Uid");

    private static String sourceIp(HttpServerExchange exchange) {
        InetSocketAddress address = exchange.getSourceAddress();
        return address == null || address.getAddress() == null
                ? ""
                : address.getAddress().getHostAddress();
    }
}
