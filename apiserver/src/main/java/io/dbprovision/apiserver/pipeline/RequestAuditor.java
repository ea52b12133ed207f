package io.dbprovision.apiserver.pipeline;

import io.dbprovision.apiserver.endpoints.Call;
import io.dbprovision.apiserver.request.RequestContext;
import java.time.Instant;

/** Where the audit filter reports each finished request; the audit log decides by its policy what to write. */
@FunctionalInterface
public interface RequestAuditor {
    RequestAuditor NONE = (call, context, code, completed) -> {};

    /**
     * @param code the status code answered
     * @param completed when the response was complete (the latency is from {@link RequestContext#received()})
     */
    void record(Call call, RequestContext context, int code, Instant completed);
}
