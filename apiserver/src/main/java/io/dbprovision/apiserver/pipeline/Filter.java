package io.dbprovision.apiserver.pipeline;

import io.dbprovision.apiserver.endpoints.Call;
import io.dbprovision.apiserver.request.RequestContext;

/**
 * One step of the request pipeline, as a handler of k8s.io/apiserver's chain: it refuses the request by throwing an
 * {@link io.dbprovision.apiserver.registry.ApiException}, or passes it on to {@code next}, perhaps with a context
 * that knows more (the authenticated user).
 */
@FunctionalInterface
public interface Filter {
    void handle(Call call, RequestContext context, Handler next);

    /** {@code filters} in order in front of {@code last}. */
    static Handler chain(java.util.List<Filter> filters, Handler last) {
        Handler handler = last;
        for (int i = filters.size() - 1; i >= 0; i--) {
            Filter filter = filters.get(i);
            Handler next = handler;
            handler = (call, context) -> filter.handle(call, context, next);
        }
        return handler;
    }
}
