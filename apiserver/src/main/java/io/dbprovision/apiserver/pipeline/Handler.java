package io.dbprovision.apiserver.pipeline;

import io.dbprovision.apiserver.endpoints.Call;
import io.dbprovision.apiserver.request.RequestContext;

/** What serves a request once the filters have let it through, and what each filter passes it on to. */
@FunctionalInterface
public interface Handler {
    void handle(Call call, RequestContext context);
}
