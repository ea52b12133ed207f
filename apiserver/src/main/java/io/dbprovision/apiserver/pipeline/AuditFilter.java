package io.dbprovision.apiserver.pipeline;

import io.dbprovision.apiserver.endpoints.Call;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.request.RequestContext;
import io.undertow.util.AttachmentKey;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every request once it is answered — refused by authentication, impersonation or authorization, failed or
 * served — with the code it was answered with. It answers failures itself, so that the record holds the code the
 * client saw.
 *
 * <p>It stands in front of authentication and impersonation, as k8s.io/apiserver's audit filters do, so that refused
 * credentials (as {@code system:anonymous}) and refused impersonations (as the caller's request) are recorded too;
 * {@link #actingAs} stands behind each of them and tells the record who the request turned out to be.
 */
public final class AuditFilter implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(AuditFilter.class);
    private static final AttachmentKey<RequestContext> ACTING = AttachmentKey.create(RequestContext.class);

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
            RequestContext acting = call.exchange().getAttachment(ACTING);
            auditor.record(call, acting == null ? context : acting, call.statusCode(), clock.instant());
        }
    }

    /** The filter after impersonation: hands the context the request goes on with (its user, its impersonator). */
    public static Filter actingAs() {
        return (call, context, next) -> {
            call.exchange().putAttachment(ACTING, context);
            next.handle(call, context);
        };
    }
}
