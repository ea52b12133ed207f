package io.dbprovision.apiserver.pipeline;

import io.dbprovision.apiserver.auth.Authenticator;
import io.dbprovision.apiserver.auth.Credentials;
import io.dbprovision.apiserver.auth.HeaderNames;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.endpoints.Call;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.request.RequestContext;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Who makes the request: the authenticator's answer for the request's client certificate, bearer token and headers.
 * A request nobody vouches for is 401, unless anonymous requests are enabled or it asks for a path anyone may read
 * (health, version), which then continue as {@code system:anonymous}; authorization has the last word on those.
 *
 * <p>A request that continues can be stripped of the headers its credentials came in (as k8s.io/apiserver removes
 * {@code Authorization} and the front proxy's {@code X-Remote-*} headers), so that nothing downstream reads an
 * identity the authenticator did not vouch for.
 */
public final class Authentication implements Filter {
    private final Authenticator authenticator;
    private final boolean anonymous;
    private final Set<String> publicPaths;
    private final Supplier<List<String>> strippedHeaders;

    /**
     * @param anonymous let every unauthenticated request continue as {@code system:anonymous}
     * @param publicPaths paths unauthenticated requests may reach even when anonymous requests are off
     */
    public Authentication(Authenticator authenticator, boolean anonymous, Set<String> publicPaths) {
        this(authenticator, anonymous, publicPaths, List::of);
    }

    /**
     * @param strippedHeaders headers removed from a request that continues, as lower-case prefixes of their names
     *     (a name is its own prefix); asked per request, since the front proxy's header names can change
     */
    public Authentication(
            Authenticator authenticator,
            boolean anonymous,
            Set<String> publicPaths,
            Supplier<List<String>> strippedHeaders) {
        this.authenticator = authenticator;
        this.anonymous = anonymous;
        this.publicPaths = Set.copyOf(publicPaths);
        this.strippedHeaders = strippedHeaders;
    }

    @Override
    public void handle(Call call, RequestContext context, Handler next) {
        Optional<UserInfo> user = authenticator.authenticate(credentials(call.exchange()));
        if (user.isPresent()) {
            strip(call.exchange());
            next.handle(call, context.withUser(user.get()));
            return;
        }
        if (anonymous || publicPaths.contains(context.info().path())) {
            strip(call.exchange());
            next.handle(call, context.withUser(RequestContext.ANONYMOUS));
            return;
        }
        throw new ApiException.Unauthorized("Unauthorized");
    }

    private void strip(HttpServerExchange exchange) {
        List<String> prefixes = strippedHeaders.get();
        if (prefixes.isEmpty()) {
            return;
        }
        List<HttpString> names = null;
        for (HeaderValues values : exchange.getRequestHeaders()) {
            String name = values.getHeaderName().toString();
            for (String prefix : prefixes) {
                if (HeaderNames.startsWithIgnoringCase(name, prefix)) {
                    if (names == null) {
                        names = new ArrayList<>();
                    }
                    names.add(values.getHeaderName());
                    break;
                }
            }
        }
        if (names != null) {
            names.forEach(exchange.getRequestHeaders()::remove);
        }
    }

    private static Credentials credentials(HttpServerExchange exchange) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            var session = exchange.getConnection().getSslSessionInfo();
            if (session != null) {
                for (Certificate certificate : session.getPeerCertificates()) {
                    if (certificate instanceof X509Certificate x509) {
                        chain.add(x509);
                    }
                }
            }
        } catch (Exception e) {
            // no client certificate: fine, try the token
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        Optional<String> token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? Optional.of(authorization.substring(7).trim()).filter(t -> !t.isEmpty())
                : Optional.empty();
        return new Credentials(chain, token, new ExchangeHeaders(exchange.getRequestHeaders()));
    }
}
