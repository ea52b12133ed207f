package io.dbprovision.apiserver.server;

import io.dbprovision.apiserver.audit.Audit;
import io.dbprovision.apiserver.audit.AuditAttributes;
import io.dbprovision.apiserver.audit.AuditEvent;
import io.dbprovision.apiserver.audit.AuditObjectRef;
import io.dbprovision.apiserver.audit.AuditStage;
import io.dbprovision.apiserver.audit.AuditUser;
import io.dbprovision.apiserver.audit.SourceIps;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.pipeline.Authorization;
import io.dbprovision.apiserver.pipeline.RequestAuditor;
import io.dbprovision.apiserver.request.AuditedRequest;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.request.RequestInfo;
import java.time.Duration;
import java.time.Instant;

/**
 * The audit filter's records written to the audit log: one {@code ResponseComplete} event per request, for the
 * authenticated user (the policy matches on them, as Kubernetes' does) with the impersonated one beside it, the
 * authorization decision, the code and the latency. Never a body.
 */
final class AuditRecorder implements RequestAuditor {
    private final Audit audit;

    AuditRecorder(Audit audit) {
        this.audit = audit;
    }

    @Override
    public void record(AuditedRequest request, RequestContext context, int code, Instant completed) {
        RequestInfo info = context.info();
        AuditUser caller = user(context.impersonator().orElse(context.user()));
        AuditAttributes attributes = info.resourceRequest()
                ? AuditAttributes.resource(
                        caller,
                        info.verb(),
                        new AuditObjectRef(
                                info.resource(),
                                info.namespace(),
                                info.name(),
                                info.group(),
                                info.version(),
                                info.subresource()),
                        info.path())
                : AuditAttributes.nonResource(caller, info.verb(), info.path());
        long elapsed = Duration.between(context.received(), completed).toNanos();
        AuditEvent.Builder event =
                audit.begin(attributes, context.auditId(), context.received(), System.nanoTime() - elapsed);
        event.requestUri(request.requestUri())
                .sourceIps(SourceIps.of(
                        request.header("X-Forwarded-For"), request.header("X-Real-Ip"), context.sourceIp()))
                .userAgent(context.userAgent());
        if (context.impersonator().isPresent()) {
            event.impersonatedUser(user(context.user()));
        }
        String decision = context.annotations().get(Authorization.DECISION);
        if (decision != null) {
            event.authorization(decision.equals("allow"), context.annotations().getOrDefault(Authorization.REASON, ""));
        }
        event.responseCode(code);
        audit.record(event, AuditStage.RESPONSE_COMPLETE);
    }

    private static AuditUser user(UserInfo user) {
        return new AuditUser(user.name(), user.uid(), user.groups(), user.extra());
    }
}
