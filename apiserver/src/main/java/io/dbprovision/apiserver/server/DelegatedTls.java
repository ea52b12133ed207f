package io.dbprovision.apiserver.server;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The serving TLS context of delegated mode. Unlike {@link ServerTls} (a fixed certificate, fixed client CAs), both
 * sides change while the server runs: the serving certificate comes from a key manager that follows its files, and
 * the client CAs advertised in the handshake's certificate request are asked for on every handshake, because the
 * cluster's client CA and the front proxy's CA arrive in a ConfigMap that can change. A Go client (the kube-aggregator,
 * kubectl) sends its client certificate only when its issuer is advertised, so advertising stale CAs would silently
 * turn the front proxy into an anonymous caller.
 *
 * <p>As in {@link ServerTls}, client certificates are requested, not required, and accepted at handshake time
 * whoever signed them: rejecting an unknown one would abort the handshake even in "want" mode. The chain, its key
 * usage and the proxy's name are checked per request by the authenticators.
 */
public final class DelegatedTls {
    private DelegatedTls() {}

    public static SSLContext context(
            X509ExtendedKeyManager serving, Supplier<List<X509Certificate>> acceptedClientIssuers) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    new X509ExtendedKeyManager[] {serving},
                    new TrustManager[] {new AdvertiseClientIssuers(acceptedClientIssuers)},
                    null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS", e);
        }
    }

    /**
     * Accepts any client chain at handshake time and advertises the issuers asked for now. Extended (not a plain
     * {@code X509TrustManager}) so that JSSE does not wrap it with checks of its own that could end the handshake.
     */
    static final class AdvertiseClientIssuers extends X509ExtendedTrustManager {
        private final Supplier<List<X509Certificate>> issuers;

        AdvertiseClientIssuers(Supplier<List<X509Certificate>> issuers) {
            this.issuers = issuers;
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return issuers.get().toArray(X509Certificate[]::new);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // verified per request by the authenticators
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            // verified per request by the authenticators
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            // verified per request by the authenticators
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("this trust manager only serves");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("this trust manager only serves");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("this trust manager only serves");
        }
    }
}
