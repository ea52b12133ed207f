package io.dbprovision.provisioner.engine.tls;

import io.dbprovision.proto.engine.v1alpha1.Tls;
import io.dbprovision.proto.v1alpha1.SSLMode;
import io.dbprovision.provisioner.engine.EngineException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS material of one instance, parsed from the request's PEM text and held only in memory: the CA the server's
 * certificate must chain to and the optional client certificate and key. It builds what each driver needs — an
 * {@link SSLContext} (TLSv1.2 and later) for PostgreSQL, PKCS#12 key and trust stores in bytes for Connector/J — and
 * never writes any of it to a file. Verification follows libpq's modes: only verify-ca and verify-full check the
 * chain (and require a CA); the weaker modes encrypt without checking, as their names promise.
 */
public final class TlsMaterial {
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SSLMode mode;
    private final List<X509Certificate> ca;
    private final List<X509Certificate> clientChain;
    private final PrivateKey clientKey;

    private TlsMaterial(
            SSLMode mode, List<X509Certificate> ca, List<X509Certificate> clientChain, PrivateKey clientKey) {
        this.mode = mode;
        this.ca = ca;
        this.clientChain = clientChain;
        this.clientKey = clientKey;
    }

    /** Parses the request's TLS block; a malformed or incomplete block is an {@code InvalidDefinition}. */
    public static TlsMaterial of(Tls tls) {
        SSLMode mode = mode(tls);
        try {
            List<X509Certificate> ca = tls.getCaPem().isBlank() ? List.of() : Pem.certificates(tls.getCaPem(), "CA");
            if (verifies(mode) && ca.isEmpty()) {
                throw new EngineException.InvalidDefinition(
                        "instance.tls.caPem", "a CA is required for " + modeName(mode));
            }
            boolean hasCert = !tls.getClientCertPem().isBlank();
            boolean hasKey = !tls.getClientKeyPem().isBlank();
            if (hasCert != hasKey) {
                throw new EngineException.InvalidDefinition(
                        hasCert ? "instance.tls.clientKeyPem" : "instance.tls.clientCertPem",
                        "a client certificate needs its key and a key its certificate");
            }
            List<X509Certificate> chain =
                    hasCert ? Pem.certificates(tls.getClientCertPem(), "client certificate") : List.of();
            PrivateKey key = hasKey ? Pem.privateKey(tls.getClientKeyPem(), "client key") : null;
            return new TlsMaterial(mode, ca, chain, key);
        } catch (IllegalArgumentException e) {
            throw new EngineException.InvalidDefinition("instance.tls", e.getMessage());
        }
    }

    /** The mode in effect: unspecified means disable. */
    public static SSLMode mode(Tls tls) {
        SSLMode mode = tls.getMode();
        return mode == SSLMode.SSL_MODE_UNSPECIFIED || mode == SSLMode.UNRECOGNIZED ? SSLMode.SSL_MODE_DISABLE : mode;
    }

    /** libpq's spelling: disable, allow, prefer, require, verify-ca, verify-full. */
    public static String modeName(SSLMode mode) {
        return switch (mode) {
            case SSL_MODE_ALLOW -> "allow";
            case SSL_MODE_PREFER -> "prefer";
            case SSL_MODE_REQUIRE -> "require";
            case SSL_MODE_VERIFY_CA -> "verify-ca";
            case SSL_MODE_VERIFY_FULL -> "verify-full";
            default -> "disable";
        };
    }

    public SSLMode mode() {
        return mode;
    }

    public boolean verifiesChain() {
        return verifies(mode);
    }

    public boolean hasClientCertificate() {
        return clientKey != null;
    }

    private static boolean verifies(SSLMode mode) {
        return mode == SSLMode.SSL_MODE_VERIFY_CA || mode == SSLMode.SSL_MODE_VERIFY_FULL;
    }

    /** An SSLContext with the client key (if any) and, for the verifying modes, trust in exactly the CA. */
    public SSLContext sslContext() {
        try {
            KeyManager[] keyManagers = null;
            if (clientKey != null) {
                char[] password = new char[0];
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(keyStore(password), password);
                keyManagers = factory.getKeyManagers();
            }
            TrustManager[] trustManagers;
            if (verifiesChain()) {
                TrustManagerFactory factory =
                        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trustStore());
                trustManagers = factory.getTrustManagers();
            } else {
                trustManagers = new TrustManager[] {new EncryptOnlyTrustManager()};
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new EngineException.InvalidDefinition(
                    "instance.tls",
                    "cannot build a TLS context (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** A PKCS#12 key store holding the client key and chain, protected by {@code password}. */
    public byte[] keyStoreBytes(char[] password) {
        return bytes(() -> keyStore(password), password);
    }

    /** A PKCS#12 trust store holding the CA certificates. */
    public byte[] trustStoreBytes(char[] password) {
        return bytes(this::trustStore, password);
    }

    /** A random password for a store that only lives in memory (Connector/J insists on loading stores by URL). */
    public static char[] randomStorePassword() {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random).toCharArray();
    }

    private KeyStore keyStore(char[] password) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", clientKey, password, clientChain.toArray(X509Certificate[]::new));
        return store;
    }

    private KeyStore trustStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (int i = 0; i < ca.size(); i++) {
            store.setCertificateEntry("ca-" + i, ca.get(i));
        }
        return store;
    }

    private interface StoreSupplier {
        KeyStore get() throws GeneralSecurityException, IOException;
    }

    private static byte[] bytes(StoreSupplier supplier, char[] password) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            supplier.get().store(out, password);
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw new EngineException.InvalidDefinition(
                    "instance.tls", "cannot build a key store (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** allow / prefer / require: libpq encrypts without checking the server's certificate; so do we. */
    private static final class EncryptOnlyTrustManager implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("a client context never checks clients");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // Not verified by definition of the mode (require, prefer, allow).
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
