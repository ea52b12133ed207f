package io.dbprovision.apiserver.portal;

import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.request.RequestInfo;
import io.grpc.Context;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who makes a gRPC call, as authentication and impersonation established it once for the call, and what every
 * registry operation of the call shares: the audit id, the peer's address, the user agent and the field manager its
 * writes are recorded under. {@link CallerInterceptor} puts it in the call's {@link Context}.
 *
 * @param user who the call acts as
 * @param impersonator the authenticated user when the call impersonates {@code user}
 * @param fieldManager {@code x-field-manager}, else {@value #DEFAULT_FIELD_MANAGER}
 */
public record Caller(
        UserInfo user,
        Optional<UserInfo> impersonator,
        String auditId,
        String sourceIp,
        String userAgent,
        String fieldManager) {
    public static final String DEFAULT_FIELD_MANAGER = "dbprovision-portal";

    static final Context.Key<Caller> KEY = Context.key("dbprovision-caller");

    /** The caller of the current call (set by the interceptor; absent only for a service served without it). */
    static Caller current() {
        Caller caller = KEY.get();
        if (caller == null) {
            throw new IllegalStateException(
                    "no caller in the gRPC context: the service is served without its interceptor");
        }
        return caller;
    }

    /** The request context of one registry operation of this call, arriving now. */
    RequestContext context(RequestInfo info, Instant received) {
        return new RequestContext(
                user, impersonator, info, auditId, received, sourceIp, userAgent, new ConcurrentHashMap<>());
    }
}
