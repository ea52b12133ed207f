package io.dbprovision.apiserver.pipeline;

import io.dbprovision.apiserver.request.AuditedRequest;
import io.dbprovision.apiserver.request.RequestContext;
import java.time.Instant;

/** Where the audit filter (and the portal's gRPC calls) report each finished request; the audit log decides by its policy what to write. */
@FunctionalInterface
public interface RequestAuditor {
    RequestAuditor NONE = (request, context, code, completed) -> {};

    /**
     * @param code the status code answered
     * @param completed when the response was complete (the latency is from {@link RequestContext#received()})
     */
    void record(AuditedRequest request, RequestContext context, int code, Instant completed);
}
