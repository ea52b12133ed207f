package io.dbprovision.apiserver.provisioning;

import io.dbprovision.apiserver.server.Pki;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server's side of mutual TLS to the provisioner: its client certificate and key, and the CAs the
 * provisioner's serving certificate must chain to — with the host name checked against the certificate, as HTTPS
 * does. Either from PEM text held in memory, or from three files whose content is compared on {@link #reloadIfChanged}
 * (a fingerprint, not the modification time, which a fast replace can leave unchanged), as the provisioner's own
 * server does with its files. New connections use what changed; a half-written file or a key that does not (yet)
 * belong to its certificate keeps the previous material, so a rotation in progress never cuts the reconcilers off.
 */
public final class ProvisionerClientTls {
    private static final Logger LOG = LoggerFactory.getLogger(ProvisionerClientTls.class);
    private static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** The three files of {@link #fromFiles}. */
    public record PemFiles(Path caFile, Path certificateFile, Path keyFile) {
        public PemFiles {
            Objects.requireNonNull(caFile, "caFile");
            Objects.requireNonNull(certificateFile, "certificateFile");
            Objects.requireNonNull(keyFile, "keyFile");
        }
    }

    private final AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
    private final AdvancedTlsX509TrustManager trustManager;
    private final Optional<PemFiles> files;
    private byte[] fingerprint = new byte[0];

    private ProvisionerClientTls(Optional<PemFiles> files) {
        this.files = files;
        try {
            this.trustManager = AdvancedTlsX509TrustManager.newBuilder()
                    // The provisioner is a server: its chain and the name we dialled are both checked.
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS to the provisioner", e);
        }
    }

    /**
     * Material held in memory: {@code caPem} the CA certificate(s) the provisioner's serving certificate must chain
     * to, {@code certificatePem} our client certificate (leaf first, intermediates after), {@code keyPem} its key.
     */
    public static ProvisionerClientTls fromPem(String caPem, String certificatePem, String keyPem) {
        ProvisionerClientTls tls = new ProvisionerClientTls(Optional.empty());
        byte[] ca = caPem.getBytes(StandardCharsets.US_ASCII);
        byte[] certificate = certificatePem.getBytes(StandardCharsets.US_ASCII);
        byte[] key = keyPem.getBytes(StandardCharsets.US_ASCII);
        tls.load(ca, certificate, key, "the provisioner CA", "the client certificate", "the client key");
        return tls;
    }

    /**
     * Material in files ({@code --provisioner-ca-file}, {@code --provisioner-client-cert-file},
     * {@code --provisioner-client-key-file}), read now — files that cannot be used stop the server from starting,
     * naming the file — and again whenever {@link #reloadIfChanged} finds their content changed.
     */
    public static ProvisionerClientTls fromFiles(Path caFile, Path certificateFile, Path keyFile) {
        PemFiles files = new PemFiles(caFile, certificateFile, keyFile);
        ProvisionerClientTls tls = new ProvisionerClientTls(Optional.of(files));
        try {
            tls.loadFiles();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the provisioner's TLS files: " + e.getMessage(), e);
        }
        return tls;
    }

    /** Material issued in this process (the provisioner inside this server); see {@link #replace}. */
    static ProvisionerClientTls fromIssued(X509Certificate ca, Pki.Issued client) {
        ProvisionerClientTls tls = new ProvisionerClientTls(Optional.empty());
        tls.replace(ca, client);
        return tls;
    }

    /** The files it follows, if it came from files. */
    public Optional<PemFiles> files() {
        return files;
    }

    /**
     * Re-reads the files and swaps in what changed and can be used; returns whether anything was swapped. Never
     * throws: a file that cannot be read or used now is logged (by name, never by content) and tried again next time.
     * Material from memory never changes here.
     */
    public synchronized boolean reloadIfChanged() {
        if (files.isEmpty()) {
            return false;
        }
        try {
            return loadFiles();
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("provisioner TLS material unchanged: cannot use the new files: {}", e.getMessage());
            return false;
        }
    }

    /** Swaps in material issued in this process: new connections present {@code client} and trust {@code ca}. */
    synchronized void replace(X509Certificate ca, Pki.Issued client) {
        try {
            trustManager.updateTrustCredentials(new X509Certificate[] {ca});
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust the provisioner CA", e);
        }
        keyManager.updateIdentityCredentials(new X509Certificate[] {client.certificate()}, client.key());
    }

    /**
     * A Netty client context over the swappable managers (both providers ask them per handshake, so what
     * {@link #reloadIfChanged} swaps in is used by new connections): TLS 1.3/1.2 with OpenSSL (netty-tcnative's
     * BoringSSL, bundled with grpc-netty-shaded) where it loads — less CPU per call than the JDK's, which is the
     * fallback.
     */
    SslContext sslContext() {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forClient(), provider())
                    .keyManager(keyManager)
                    .trustManager(trustManager)
                    .protocols(TLS_PROTOCOLS)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS to the provisioner: " + e.getMessage(), e);
        }
    }

    /** OpenSSL where netty-tcnative loads on this platform, the JDK's TLS otherwise. */
    static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    private synchronized boolean loadFiles() throws IOException {
        PemFiles paths = files.orElseThrow();
        byte[] ca = Files.readAllBytes(paths.caFile());
        byte[] certificate = Files.readAllBytes(paths.certificateFile());
        byte[] key = Files.readAllBytes(paths.keyFile());
        return load(
                ca,
                certificate,
                key,
                paths.caFile().toString(),
                paths.certificateFile().toString(),
                paths.keyFile().toString());
    }

    /** Parses and swaps in material unless it is what is loaded already; throws IllegalArgumentException naming the part. */
    private synchronized boolean load(
            byte[] caPem, byte[] certificatePem, byte[] keyPem, String caName, String certificateName, String keyName) {
        byte[] now = fingerprint(caPem, certificatePem, keyPem);
        if (Arrays.equals(now, fingerprint)) {
            return false;
        }
        X509Certificate[] cas = Pki.certificates(caPem, caName);
        X509Certificate[] chain = Pki.certificates(certificatePem, certificateName);
        PrivateKey key = Pki.privateKey(keyPem, keyName);
        if (!Pki.keyBelongsTo(key, chain[0])) {
            throw new IllegalArgumentException(
                    "the private key in " + keyName + " does not belong to the certificate in " + certificateName);
        }
        try {
            trustManager.updateTrustCredentials(cas);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot trust the CAs in " + caName + ": " + e.getMessage(), e);
        }
        keyManager.updateIdentityCredentials(chain, key);
        fingerprint = now;
        LOG.info(
                "provisioner TLS: client certificate {} (until {}), {} CA certificate(s)",
                chain[0].getSubjectX500Principal().getName(),
                chain[0].getNotAfter().toInstant(),
                cas.length);
        return true;
    }

    private static byte[] fingerprint(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(Integer.toString(part.length).getBytes(StandardCharsets.US_ASCII));
                digest.update((byte) ':');
                digest.update(part);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
