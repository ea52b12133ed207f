package io.dbprovision.apiserver.server;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The serving TLS context. Client certificates are requested, not required, and accepted at handshake time whoever
 * signed them: a TrustManager that rejects an unknown certificate would abort the handshake even in "want" mode, so
 * the chain is checked by the authenticator instead. The accepted issuers advertised are the client CAs, which is
 * how a Go client (kubectl) decides to send its certificate at all.
 */
public final class ServerTls {
    /** TLS 1.2 and 1.3 only: 1.0 and 1.1 are broken and deprecated (RFC 8996). */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * The suites offered: TLS 1.3's three, and for TLS 1.2 only forward-secret ECDHE key exchange with an AEAD cipher
     * (the kube-apiserver's Go defaults without their CBC suites). No RSA key exchange (no forward secrecy), no CBC
     * (padding oracles: Lucky13, POODLE-style), no 3DES or RC4. Every client of this server (kubectl, client-go,
     * client-java, the aggregator) speaks these. HTTP/2 forbids the excluded ones anyway (RFC 9113, appendix A).
     */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private ServerTls() {}

    public static SSLContext context(
            Pki.Issued serving, List<X509Certificate> chainTail, List<X509Certificate> clientCas) {
        try {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            Certificate[] chain = new Certificate[1 + chainTail.size()];
            chain[0] = serving.certificate();
            for (int i = 0; i < chainTail.size(); i++) {
                chain[i + 1] = chainTail.get(i);
            }
            keyStore.setKeyEntry("serving", serving.key(), new char[0], chain);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), new TrustManager[] {new RequestAnyClientCertificate(clientCas)}, null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot set up TLS", e);
        }
    }

    private static final class RequestAnyClientCertificate implements X509TrustManager {
        private final X509Certificate[] issuers;

        RequestAnyClientCertificate(List<X509Certificate> issuers) {
            this.issuers = issuers.toArray(X509Certificate[]::new);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // verified per request by ClientCertificateAuthenticator
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("this trust manager only serves");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return issuers.clone();
        }
    }
}
