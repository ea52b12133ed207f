package io.dbprovision.apiserver.auth;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/** What a request presents to prove who it is: the TLS client certificate chain and the bearer token. */
public record Credentials(List<X509Certificate> clientChain, Optional<String> bearerToken) {}
