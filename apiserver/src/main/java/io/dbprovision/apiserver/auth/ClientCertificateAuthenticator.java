package io.dbprovision.apiserver.auth;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * x509 client certificates signed by a trusted CA, with the client-auth usage: the user is the subject's CN, the
 * groups its O values, as Kubernetes reads them. The TLS layer accepts any certificate at handshake time (so that a
 * foreign certificate never aborts the handshake); the chain is verified here, against the CAs trusted at the time
 * of the request (in a cluster the client CA comes from a ConfigMap that may change while the server runs).
 */
public final class ClientCertificateAuthenticator implements Authenticator {
    private final Supplier<CaBundle> trustedCas;

    public ClientCertificateAuthenticator(List<X509Certificate> trustedCas) {
        CaBundle fixed = CaBundle.of(trustedCas);
        this.trustedCas = () -> fixed;
    }

    /** CAs that may change: {@code trustedCas} is asked on every request and must answer fast. */
    public ClientCertificateAuthenticator(Supplier<CaBundle> trustedCas) {
        this.trustedCas = trustedCas;
    }

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        List<X509Certificate> chain = credentials.clientChain();
        if (chain.isEmpty() || !trustedCas.get().verifiesClient(chain)) {
            return Optional.empty();
        }
        X509Certificate leaf = chain.getFirst();
        return CaBundle.commonName(leaf).map(user -> new UserInfo(user, "", CaBundle.attributes(leaf, "O"), Map.of()));
    }
}
