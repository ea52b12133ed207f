package io.dbprovision.apiserver.portal;

import io.dbprovision.apiserver.audit.AuditIds;
import io.dbprovision.apiserver.auth.Authenticator;
import io.dbprovision.apiserver.auth.Credentials;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.pipeline.Impersonation;
import io.dbprovision.apiserver.pipeline.RequestAuditor;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.request.AuditedRequest;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.request.RequestInfo;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Authentication and impersonation of a portal gRPC call, before its request message is read, with the server's own
 * {@link Authenticator} (the REST pipeline's: client certificates, the admin token and the token file standalone,
 * TokenReview in a cluster) and {@link Impersonation} ({@code impersonate-user}, {@code impersonate-group},
 * {@code impersonate-uid} and {@code impersonate-extra-*} metadata, each authorized with the {@code impersonate} verb).
 * The credentials are the TLS peer's certificate chain and {@code authorization: Bearer} metadata — no front-proxy
 * headers: nobody proxies this port. The {@link Caller} goes into the call's context; authorization happens per
 * registry operation, once the request says what it touches.
 *
 * <p>A call nobody vouches for ends UNAUTHENTICATED (unless anonymous requests are on), a refused impersonation
 * PERMISSION_DENIED, malformed impersonation metadata INVALID_ARGUMENT; each is audited as a request to the method's
 * path, as REST audits refused credentials.
 */
final class CallerInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> FIELD_MANAGER =
            Metadata.Key.of("x-field-manager", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUDIT_ID = Metadata.Key.of("audit-id", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> USER_AGENT =
            Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER);
    private static final int MAX_FIELD_MANAGER_LENGTH = 128;

    private final Authenticator authenticator;
    private final Impersonation impersonation;
    private final boolean anonymous;
    private final RequestAuditor auditor;
    private final Clock clock;

    CallerInterceptor(
            Authenticator authenticator,
            Impersonation impersonation,
            boolean anonymous,
            RequestAuditor auditor,
            Clock clock) {
        this.authenticator = authenticator;
        this.impersonation = impersonation;
        this.anonymous = anonymous;
        this.auditor = auditor;
        this.clock = clock;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String auditId = AuditIds.forRequest(headers.get(AUDIT_ID));
        Metadata responseHeaders = new Metadata();
        responseHeaders.put(AUDIT_ID, auditId);
        String path = "/" + call.getMethodDescriptor().getFullMethodName();
        String userAgent = Optional.ofNullable(headers.get(USER_AGENT)).orElse("");
        String sourceIp = sourceIp(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        RequestContext context = RequestContext.arriving(
                RequestInfo.nonResource(path, "post"), auditId, clock.instant(), sourceIp, userAgent);
        Caller caller;
        try {
            caller = caller(call, headers, context);
        } catch (ApiException e) {
            auditor.record(new MethodRequest(path), context, e.code(), clock.instant());
            call.close(
                    PortalErrors.toStatus(e).getStatus(),
                    PortalErrors.toStatus(e).getTrailers());
            return new ServerCall.Listener<>() {};
        } catch (InvalidArgument e) {
            auditor.record(new MethodRequest(path), context, 400, clock.instant());
            call.close(
                    PortalErrors.toStatus(e).getStatus(),
                    PortalErrors.toStatus(e).getTrailers());
            return new ServerCall.Listener<>() {};
        }
        ServerCall<Q, R> withAuditId = new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata sent) {
                sent.merge(responseHeaders);
                super.sendHeaders(sent);
            }
        };
        return Contexts.interceptCall(Context.current().withValue(Caller.KEY, caller), withAuditId, headers, next);
    }

    private Caller caller(ServerCall<?, ?> call, Metadata headers, RequestContext arriving) {
        Iterable<String> tokens = headers.getAll(AUTHORIZATION);
        List<String> authorization = new ArrayList<>();
        if (tokens != null) {
            tokens.forEach(authorization::add);
        }
        if (authorization.size() > 1) {
            throw new ApiException.BadRequest("the call has more than one authorization header");
        }
        Optional<String> token = authorization.stream()
                .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).trim())
                .filter(value -> !value.isEmpty())
                .findFirst();
        Credentials credentials = new Credentials(peerChain(call), token);
        Optional<UserInfo> user = authenticator.authenticate(credentials);
        RequestContext context;
        if (user.isPresent()) {
            context = arriving.withUser(user.get());
        } else if (anonymous) {
            context = arriving;
        } else {
            throw new ApiException.Unauthorized("Unauthorized");
        }
        context = impersonation.impersonate(context, impersonationHeaders(headers));
        return new Caller(
                context.user(),
                context.impersonator(),
                context.auditId(),
                context.sourceIp(),
                context.userAgent(),
                fieldManager(headers.get(FIELD_MANAGER)));
    }

    /** {@code x-field-manager}, checked as Kubernetes checks {@code fieldManager}: printable, at most 128. */
    static String fieldManager(String value) {
        if (value == null || value.isEmpty()) {
            return Caller.DEFAULT_FIELD_MANAGER;
        }
        if (value.length() > MAX_FIELD_MANAGER_LENGTH) {
            throw new InvalidArgument("x-field-manager", "must be no more than 128 characters");
        }
        if (!value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new InvalidArgument("x-field-manager", "must only contain printable characters");
        }
        return value;
    }

    private static Map<String, List<String>> impersonationHeaders(Metadata headers) {
        Map<String, List<String>> asked = new LinkedHashMap<>();
        for (String key : headers.keys()) {
            String name = key.toLowerCase(Locale.ROOT);
            if (!name.startsWith("impersonate-") || name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                continue;
            }
            Iterable<String> values = headers.getAll(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
            List<String> list = new ArrayList<>();
            if (values != null) {
                values.forEach(list::add);
            }
            asked.put(name, list);
        }
        return asked;
    }

    private static List<X509Certificate> peerChain(ServerCall<?, ?> call) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        List<X509Certificate> chain = new ArrayList<>();
        if (session == null) {
            return chain;
        }
        try {
            for (Certificate certificate : session.getPeerCertificates()) {
                if (certificate instanceof X509Certificate x509) {
                    chain.add(x509);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            // no client certificate: fine, the token decides
        }
        return chain;
    }

    private static String sourceIp(SocketAddress address) {
        return address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress()
                : "";
    }

    /** A call refused before it named a resource: audited as a request to its method's path. */
    record MethodRequest(String requestUri) implements AuditedRequest {
        @Override
        public String header(String name) {
            return "";
        }
    }
}
