package io.dbprovision.apiserver.auth;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a request presents to prove who it is: the TLS client certificate chain, the bearer token, and its headers
 * (by name in any case), which a front proxy's {@code X-Remote-*} headers arrive in.
 */
public record Credentials(List<X509Certificate> clientChain, Optional<String> bearerToken, RequestHeaders headers) {
    public Credentials {
        clientChain = List.copyOf(clientChain);
    }

    public Credentials(List<X509Certificate> clientChain, Optional<String> bearerToken) {
        this(clientChain, bearerToken, RequestHeaders.NONE);
    }

    /** Headers from a map, names in any case. */
    public Credentials(
            List<X509Certificate> clientChain, Optional<String> bearerToken, Map<String, List<String>> headers) {
        this(clientChain, bearerToken, RequestHeaders.of(headers));
    }

    /** The values of a header, by its name in any case; empty when absent. */
    public List<String> header(String name) {
        return headers.values(name);
    }
}
