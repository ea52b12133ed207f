package io.dbprovision.apiserver.request;

import io.dbprovision.apiserver.auth.UserInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the server knows about one request, as k8s.io/apiserver keeps it in a request's context: who asks (after
 * impersonation; the authenticated caller as {@link #impersonator} when it impersonates), what the request names,
 * its audit id and when it arrived. The filters of the pipeline add to it, the registry receives it with every call
 * (admission decides on its user), and the audit record is written from it. Internal callers (controllers) use
 * {@link #internal}.
 *
 * @param user who the request acts as
 * @param impersonator the authenticated user when the request impersonates {@code user}
 * @param info what the request names: verb, group, resource, namespace, name, subresource or path
 * @param auditId the request's id in the audit log: the {@code Audit-ID} the kube-apiserver forwards (so a request
 *     has one id in both logs, as k8s.io/apiserver keeps it), else a new UUID
 * @param received when the request arrived
 * @param sourceIp the client's address
 * @param userAgent the client's User-Agent
 * @param annotations written to the audit record (the authorization decision and its reason), added as filters run
 */
public record RequestContext(
        UserInfo user,
        Optional<UserInfo> impersonator,
        RequestInfo info,
        String auditId,
        Instant received,
        String sourceIp,
        String userAgent,
        Map<String, String> annotations) {

    /** The user of requests nobody authenticated: only paths that are always allowed accept them. */
    public static final UserInfo ANONYMOUS =
            new UserInfo("system:anonymous", "", List.of("system:unauthenticated"), Map.of());

    /** A request as it arrives, before authentication: anonymous. */
    public static RequestContext arriving(
            RequestInfo info, String auditId, Instant received, String sourceIp, String userAgent) {
        return new RequestContext(
                ANONYMOUS, Optional.empty(), info, auditId, received, sourceIp, userAgent, new ConcurrentHashMap<>());
    }

    /** The context of work the server does itself (a controller's writes), as {@code user}. */
    public static RequestContext internal(String user) {
        return new RequestContext(
                new UserInfo(user, "", List.of("system:masters", "system:authenticated"), Map.of()),
                Optional.empty(),
                RequestInfo.nonResource("", ""),
                UUID.randomUUID().toString(),
                Instant.now(),
                "",
                "",
                new ConcurrentHashMap<>());
    }

    public RequestContext withUser(UserInfo authenticated) {
        return new RequestContext(
                authenticated, impersonator, info, auditId, received, sourceIp, userAgent, annotations);
    }

    /** The same request acting as {@code impersonated}; the caller is kept as the impersonator. */
    public RequestContext impersonating(UserInfo impersonated) {
        return new RequestContext(
                impersonated, Optional.of(user), info, auditId, received, sourceIp, userAgent, annotations);
    }

    public void annotate(String key, String value) {
        annotations.put(key, value);
    }
}
