package io.dbprovision.provisioner.server;

import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's certificate, key and client CA as they are on disk now. It holds grpc's swappable key and trust
 * managers, which every new handshake asks; {@link #reloadIfChanged} compares the files' content (a fingerprint, not
 * only the modification time, which a fast replace can leave unchanged) and swaps in new material when it changed and
 * parses. A half-written or broken file keeps the previous material and is tried again on the next round, so a
 * rotation in progress never takes the server down.
 */
final class ReloadingTlsMaterial {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingTlsMaterial.class);

    private final TlsFiles files;
    private final AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
    private final Optional<AdvancedTlsX509TrustManager> trustManager;
    private byte[] identityFingerprint = new byte[0];
    private byte[] trustFingerprint = new byte[0];

    /** Loads the files once; fails when they cannot be read, as a server must not start without its identity. */
    ReloadingTlsMaterial(TlsFiles files) {
        this.files = files;
        try {
            this.trustManager = files.clientCa().isPresent()
                    ? Optional.of(AdvancedTlsX509TrustManager.newBuilder()
                            // Client certificates name a caller, not a host: the chain is what is checked.
                            .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                            .build())
                    : Optional.empty();
            reload();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the server's TLS material: " + e.getMessage(), e);
        }
    }

    AdvancedTlsX509KeyManager keyManager() {
        return keyManager;
    }

    Optional<AdvancedTlsX509TrustManager> trustManager() {
        return trustManager;
    }

    TlsFiles files() {
        return files;
    }

    /** Swaps in what changed on disk; returns whether anything was swapped. Never throws. */
    synchronized boolean reloadIfChanged() {
        try {
            return reload();
        } catch (IOException | GeneralSecurityException e) {
            LOG.warn("TLS material {} unchanged: cannot load the new files: {}", files.certificate(), e.getMessage());
            return false;
        }
    }

    private synchronized boolean reload() throws IOException, GeneralSecurityException {
        boolean changed = false;
        byte[] certificatePem = Files.readAllBytes(files.certificate());
        byte[] keyPem = Files.readAllBytes(files.privateKey());
        byte[] identity = fingerprint(certificatePem, keyPem);
        if (!Arrays.equals(identity, identityFingerprint)) {
            X509Certificate[] chain = PemFiles.certificates(certificatePem, "the certificate file");
            PrivateKey key = PemFiles.privateKey(keyPem, "the private key file");
            PemFiles.checkKeyMatches(key, chain[0]);
            keyManager.updateIdentityCredentials(chain, key);
            identityFingerprint = identity;
            changed = true;
            LOG.info(
                    "TLS identity {} loaded from {}: {} until {}",
                    files.certificate(),
                    files.certificate().getFileName(),
                    chain[0].getSubjectX500Principal().getName(),
                    chain[0].getNotAfter().toInstant());
        }
        if (trustManager.isPresent()) {
            Path caFile = files.clientCa().orElseThrow();
            byte[] caPem = Files.readAllBytes(caFile);
            byte[] trust = fingerprint(caPem);
            if (!Arrays.equals(trust, trustFingerprint)) {
                X509Certificate[] cas = PemFiles.certificates(caPem, "the client CA file");
                trustManager.get().updateTrustCredentials(cas);
                trustFingerprint = trust;
                changed = true;
                LOG.info("TLS client CA {} loaded: {} certificate(s)", caFile, cas.length);
            }
        }
        return changed;
    }

    private static byte[] fingerprint(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(Integer.toString(part.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                digest.update(part);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
