package io.dbprovision.apiserver.pipeline;

import io.dbprovision.apiserver.endpoints.Call;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.request.RequestInfo;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.net.InetSocketAddress;
import java.time.Clock;
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

    public RequestPipeline(List<Filter> filters, Handler router, Clock clock) {
        this.chain = Filter.chain(filters, router);
        this.clock = clock;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(executor, this);
            return;
        }
        exchange.startBlocking();
        Call call = new Call(exchange);
        try {
            RequestInfo info = RequestInfo.parse(call.method(), call.path(), call.flag("watch"));
            RequestContext context =
                    RequestContext.arriving(info, clock.instant(), sourceIp(exchange), call.header("User-Agent"));
            call.setHeader("Audit-Id", context.auditId());
            chain.handle(call, context);
        } catch (ApiException e) {
            call.fail(e);
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", call.method(), call.path(), e);
            call.fail(new ApiException.Internal("an internal error occurred", e));
        }
    }

    private static String sourceIp(HttpServerExchange exchange) {
        InetSocketAddress address = exchange.getSourceAddress();
        return address == null || address.getAddress() == null
                ? ""
                : address.getAddress().getHostAddress();
    }
}
