package io.dbprovision.apiserver.pipeline;

import io.dbprovision.apiserver.endpoints.Call;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.request.RequestContext;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every request that got past authentication and impersonation once it is answered — refused by
 * authorization, failed or served — with the code it was answered with. It answers failures itself, so that the
 * record holds the code the client saw.
 */
public final class AuditFilter implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(AuditFilter.class);

    private final RequestAuditor auditor;
    private final Clock clock;

    public AuditFilter(RequestAuditor auditor, Clock clock) {
        this.auditor = auditor;
        this.clock = clock;
    }

    @Override
    public void handle(Call call, RequestContext context, Handler next) {
        try {
            next.handle(call, context);
        } catch (ApiException e) {
            call.fail(e);
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", call.method(), call.path(), e);
            call.fail(new ApiException.Internal("an internal error occurred", e));
        } finally {
            auditor.record(call, context, call.statusCode(), clock.instant());
        }
    }
}
