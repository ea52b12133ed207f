package io.dbprovision.apiserver.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving certificate of a delegated server as JSSE asks for it on every handshake: the chain of
 * {@code --tls-cert-file} (leaf first, intermediates after) and the key of {@code --tls-private-key-file}, read again
 * when either file's content changes, as k8s.io/apiserver's dynamic serving certificate does. A certificate renewed
 * in a mounted Secret (cert-manager) is served without a restart. The files are compared at most once per interval,
 * on the handshake path, so the cost is two small reads now and then.
 *
 * <p>A changed pair that cannot be read, or whose key does not belong to its certificate (the two files of a Secret
 * are updated together, but a reader can fall between them), keeps the previous pair and is tried again at the next
 * check. Each pair has its own alias, so a handshake that chose one pair's chain is given that pair's key even if the
 * files change in between.
 */
public final class ReloadingServingCertificate extends X509ExtendedKeyManager {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingServingCertificate.class);

    private final Path certificateFile;
    private final Path keyFile;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private volatile Pair current;
    private volatile Pair previous;
    private volatile long checkedAt;
    private int generation;

    /** One certificate chain with its key, and the file contents it was read from. */
    private record Pair(
            String alias, X509Certificate[] chain, PrivateKey key, byte[] certificateBytes, byte[] keyBytes) {
        boolean sameFiles(byte[] certificate, byte[] key) {
            return Arrays.equals(certificateBytes, certificate) && Arrays.equals(keyBytes, key);
        }
    }

    private ReloadingServingCertificate(Path certificateFile, Path keyFile, Duration interval, LongSupplier nanoTime) {
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.current = read(readBytes(certificateFile), readBytes(keyFile));
        this.checkedAt = nanoTime.getAsLong();
    }

    /**
     * Reads the pair now: files that cannot be read, or a key that does not belong to the certificate, stop the
     * server from starting with a message that names the file.
     */
    public static ReloadingServingCertificate fromFiles(Path certificateFile, Path keyFile, Duration checkInterval) {
        return new ReloadingServingCertificate(certificateFile, keyFile, checkInterval, System::nanoTime);
    }

    /** The certificate (first) and key served now. */
    public X509Certificate[] chain() {
        return refreshed().chain().clone();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = aliasFor(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Pair pair = byAlias(alias);
        return pair == null ? null : pair.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Pair pair = byAlias(alias);
        return pair == null ? null : pair.key();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null; // serves only
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }

    /** JSSE asks once per key type it could use (EC, RSA, …): only the served key's own type gets the alias. */
    private String aliasFor(String keyType) {
        Pair pair = refreshed();
        return pair.key().getAlgorithm().equals(keyType) ? pair.alias() : null;
    }

    private Pair byAlias(String alias) {
        Pair now = current;
        if (now.alias().equals(alias)) {
            return now;
        }
        Pair before = previous;
        return before != null && before.alias().equals(alias) ? before : null;
    }

    private Pair refreshed() {
        long now = nanoTime.getAsLong();
        if (now - checkedAt >= intervalNanos) {
            checkedAt = now;
            reloadIfChanged();
        }
        return current;
    }

    private synchronized void reloadIfChanged() {
        byte[] certificate;
        byte[] key;
        try {
            certificate = Files.readAllBytes(certificateFile);
            key = Files.readAllBytes(keyFile);
        } catch (IOException e) {
            LOG.warn(
                    "cannot read the serving certificate {} or its key ({}); serving the previous one",
                    certificateFile,
                    e.getClass().getSimpleName());
            return;
        }
        if (current.sameFiles(certificate, key)) {
            return;
        }
        try {
            Pair fresh = read(certificate, key);
            previous = current;
            current = fresh;
            LOG.info(
                    "serving certificate {} changed: now serving {} (valid until {})",
                    certificateFile,
                    fresh.chain()[0].getSubjectX500Principal().getName(),
                    fresh.chain()[0].getNotAfter().toInstant());
        } catch (IllegalArgumentException e) {
            LOG.warn(
                    "serving certificate {} changed but cannot be used ({}); serving the previous one",
                    certificateFile,
                    e.getMessage());
        }
    }

    private Pair read(byte[] certificateBytes, byte[] keyBytes) {
        X509Certificate[] chain = chain(certificateBytes);
        PrivateKey key = key(keyBytes);
        if (!belongTogether(chain[0], key)) {
            throw new IllegalArgumentException(
                    "the private key in " + keyFile + " does not belong to the certificate in " + certificateFile);
        }
        generation++;
        return new Pair("serving-" + generation, chain, key, certificateBytes, keyBytes);
    }

    private X509Certificate[] chain(byte[] pem) {
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate certificate :
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                chain.add((X509Certificate) certificate);
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException(certificateFile + " holds no certificate");
            }
            return chain.toArray(X509Certificate[]::new);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException(certificateFile + " is not a PEM certificate chain");
        }
    }

    /** PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC 1 ({@code EC PRIVATE KEY}), as Go reads. */
    private PrivateKey key(byte[] pem) {
        try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
        } catch (IOException | RuntimeException e) {
            // the message below says what is wrong without echoing any of the key
        }
        throw new IllegalArgumentException(keyFile + " is not an unencrypted PEM private key");
    }

    /** Signs a random challenge with the key and verifies it with the certificate's public key. */
    private static boolean belongTogether(X509Certificate certificate, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }
}
