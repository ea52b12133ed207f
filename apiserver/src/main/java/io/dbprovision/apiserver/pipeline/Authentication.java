package io.dbprovision.apiserver.pipeline;

import io.dbprovision.apiserver.auth.Authenticator;
import io.dbprovision.apiserver.auth.Credentials;
import io.dbprovision.apiserver.auth.HeaderNames;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.endpoints.Call;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.request.RequestContext;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.SSLSessionInfo;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLSession;

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

    /** The name under which a TLS session keeps its client's chain, as this filter read it. */
    private static final String PEER_CHAIN = Authentication.class.getName() + ".peerChain";

    /** A client's chain, kept in its TLS session. */
    private record PeerChain(List<X509Certificate> certificates) {}

    /**
     * The TLS client's certificate chain, empty when it sent none. Read once per TLS session and kept in it: the peer
     * of a session never changes (a renegotiation makes a new session), and asking the JDK for the certificates of a
     * session without any constructs an exception, with its stack trace, on every request of a token client (HTTP/2
     * asks the session each time; that was most of this filter's cost for the admin's requests).
     */
    private static List<X509Certificate> clientChain(HttpServerExchange exchange) {
        if (exchange.getConnection() == null) {
            return List.of(); // an exchange made in a test or a benchmark: no connection, no client certificate
        }
        try {
            SSLSessionInfo info = exchange.getConnection().getSslSessionInfo();
            if (info == null) {
                return List.of();
            }
            SSLSession session = info.getSSLSession();
            if (session != null && session.getValue(PEER_CHAIN) instanceof PeerChain known) {
                return known.certificates();
            }
            List<X509Certificate> chain = peerChain(info);
            if (session != null) {
                session.putValue(PEER_CHAIN, new PeerChain(chain));
            }
            return chain;
        } catch (RuntimeException e) {
            return List.of(); // no connection (a test's exchange): no client certificate
        }
    }

    private static List<X509Certificate> peerChain(SSLSessionInfo info) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate certificate : info.getPeerCertificates()) {
                if (certificate instanceof X509Certificate x509) {
                    chain.add(x509);
                }
            }
        } catch (Exception e) {
            return List.of(); // no client certificate: fine, the token is tried
        }
        return List.copyOf(chain);
    }

    private static Credentials credentials(HttpServerExchange exchange) {
        List<X509Certificate> chain = clientChain(exchange);
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        Optional<String> token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? Optional.of(authorization.substring(7).trim()).filter(t -> !t.isEmpty())
                : Optional.empty();
        return new Credentials(chain, token, new ExchangeHeaders(exchange.getRequestHeaders()));
    }
}
