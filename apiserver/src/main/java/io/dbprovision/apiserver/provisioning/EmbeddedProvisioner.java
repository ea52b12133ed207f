package io.dbprovision.apiserver.provisioning;

import io.dbprovision.apiserver.server.Pki;
import io.dbprovision.provisioner.ProvisionerWiring;
import io.dbprovision.provisioner.server.ProvisionerServer;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioner running inside the API server, so that standalone mode is complete in one command (and
 * {@code serve} can do without a provisioner Deployment). It is the same engine service as the separate provisioner
 * ({@link ProvisionerWiring} behind a {@link ProvisionerServer}), reached the same way — gRPC over mutual TLS, here on
 * 127.0.0.1 and a free port — so the reconcilers cannot tell the two apart, and admin credentials of database
 * servers never cross an unencrypted socket, even on loopback.
 *
 * <p>Its certificates ({@link ProvisionerCertificates}) come from one CA: the standalone server's (kept in
 * {@code <data-dir>/pki/}) or one made in memory. The serving certificate names only 127.0.0.1 and localhost; a
 * client must present a certificate from that CA <em>and</em> be {@value #CLIENT_USER}, so the standalone admin's
 * client certificate (same CA) does not open the provisioner. Certificates near their end are issued again, at start
 * and every 12 hours while running, and swapped in for new connections on both sides.
 */
public final class EmbeddedProvisioner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedProvisioner.class);

    /** The user name (CN) of the API server's client certificate, the only caller the provisioner accepts. */
    public static final String CLIENT_USER = "system:dbprovision:apiserver";

    private static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final Duration RENEWAL_CHECK = Duration.ofHours(12);
    private static final Duration POOL_IDLE = Duration.ofMinutes(5);
    /** The reconcilers have stopped when this closes; calls still running get this long. */
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

    private final ProvisionerCertificates certificates;
    private final AdvancedTlsX509KeyManager servingKey = new AdvancedTlsX509KeyManager();
    private final ProvisionerWiring wiring;
    private final ProvisionerServer server;
    private final ProvisionerClientTls clientTls;
    private final ProvisionerClient client;
    private final ScheduledExecutorService renewal;

    private EmbeddedProvisioner(ProvisionerCertificates certificates) {
        this.certificates = certificates;
        servingKey.updateIdentityCredentials(
                new X509Certificate[] {certificates.serving().certificate()},
                certificates.serving().key());
        this.wiring = ProvisionerWiring.create(POOL_IDLE);
        try {
            this.server = ProvisionerServer.builder()
                    .serverBuilder(netty(servingKey, clientTrust(certificates.ca())))
                    .service(wiring.service())
                    .shutdownGrace(SHUTDOWN_GRACE)
                    .build()
                    .start();
        } catch (RuntimeException e) {
            wiring.close();
            throw e;
        }
        this.clientTls = ProvisionerClientTls.fromIssued(certificates.ca(), certificates.client());
        this.client = ProvisionerClient.connect(ProvisionerAddress.loopback(server.port()), clientTls);
        this.renewal = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("provisioner-cert-renewal").daemon().factory());
        renewal.scheduleWithFixedDelay(
                this::renewIfDue, RENEWAL_CHECK.toMinutes(), RENEWAL_CHECK.toMinutes(), TimeUnit.MINUTES);
        LOG.info(
                "in-process provisioner on 127.0.0.1:{}: mutual TLS, callers must be {} from {}",
                server.port(),
                CLIENT_USER,
                certificates.ca().getSubjectX500Principal().getName());
    }

    /**
     * Standalone mode: certificates issued by {@code ca} (the server's CA) and kept in {@code pkiDirectory}
     * ({@code provisioner.crt/.key} and {@code provisioner-client.crt/.key}), reused on restart.
     */
    public static EmbeddedProvisioner startWithCaIn(Path pkiDirectory, Pki.Issued ca) {
        return new EmbeddedProvisioner(ProvisionerCertificates.inDirectory(pkiDirectory, ca));
    }

    /** A CA of its own made now and held in memory only, as are the certificates it issues (used by {@code serve}). */
    public static EmbeddedProvisioner startWithMemoryCa() {
        return new EmbeddedProvisioner(ProvisionerCertificates.inMemory());
    }

    static EmbeddedProvisioner start(ProvisionerCertificates certificates) {
        return new EmbeddedProvisioner(certificates);
    }

    /** The API server's channel to it; closed by {@link #close}. */
    public ProvisionerClient client() {
        return client;
    }

    /** The port it listens on at 127.0.0.1. */
    public int port() {
        return server.port();
    }

    /** The CA its serving certificate chains to and client certificates must chain to. */
    public X509Certificate caCertificate() {
        return certificates.ca();
    }

    /** Issues certificates near their end again and swaps them in; returns whether it did. Never throws. */
    boolean renewIfDue() {
        try {
            if (!certificates.renewIfDue()) {
                return false;
            }
            servingKey.updateIdentityCredentials(
                    new X509Certificate[] {certificates.serving().certificate()},
                    certificates.serving().key());
            clientTls.replace(certificates.ca(), certificates.client());
            return true;
        } catch (RuntimeException e) {
            LOG.warn("cannot renew the in-process provisioner's certificates; trying again later: {}", e.getMessage());
            return false;
        }
    }

    /**
     * Closes the API server's channel, then the provisioner (calls in flight get a short grace, then are cancelled
     * with their statements), then its connection pools. Close the reconcilers before this.
     */
    @Override
    public void close() {
        renewal.shutdownNow();
        client.close();
        server.shutdown();
        wiring.close();
    }

    /** Netty on 127.0.0.1 with a free port, TLS 1.3/1.2 with a required client certificate. */
    private static NettyServerBuilder netty(AdvancedTlsX509KeyManager key, AdvancedTlsX509TrustManager trust) {
        SslContext ssl;
        try {
            // OpenSSL where it loads, as the client side: it asks client certificates from the CAs it was built with,
            // which is right here — the client CA is fixed for the server's life (renewal re-issues the leaves, and
            // the key manager is asked per handshake).
            ssl = GrpcSslContexts.configure(SslContextBuilder.forServer(key), ProvisionerClientTls.provider())
                    .protocols(TLS_PROTOCOLS)
                    .trustManager(trust)
                    .clientAuth(ClientAuth.REQUIRE)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for the in-process provisioner: " + e.getMessage(), e);
        }
        // The provisioner's own connection settings (ProvisionerServer): its pings after 60 s of silence, clients'
        // at most every 20 s, idle connections closed.
        return NettyServerBuilder.forAddress(new InetSocketAddress(loopback(), 0))
                .sslContext(ssl)
                .keepAliveTime(60, TimeUnit.SECONDS)
                .keepAliveTimeout(20, TimeUnit.SECONDS)
                .permitKeepAliveTime(20, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .maxConnectionIdle(15, TimeUnit.MINUTES)
                .maxConcurrentCallsPerConnection(1_000);
    }

    /** Client certificates must chain to {@code ca} and name {@value #CLIENT_USER}; anything else fails the handshake. */
    private static AdvancedTlsX509TrustManager clientTrust(X509Certificate ca) {
        try {
            AdvancedTlsX509TrustManager trust = AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                    .setSslSocketAndEnginePeerVerifier(new OnlyTheApiServer())
                    .build();
            trust.updateTrustCredentials(new X509Certificate[] {ca});
            return trust;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the in-process provisioner's client CA", e);
        }
    }

    private static InetAddress loopback() {
        try {
            // 127.0.0.1, not InetAddress.getLoopbackAddress(), which may be ::1: the certificate names 127.0.0.1.
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** After the chain is verified: only the API server's own client certificate is accepted. */
    private static final class OnlyTheApiServer implements AdvancedTlsX509TrustManager.SslSocketAndEnginePeerVerifier {
        private static final X500Principal API_SERVER = new X500Principal("CN=" + CLIENT_USER);

        @Override
        public void verifyPeerCertificate(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void verifyPeerCertificate(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        private static void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !API_SERVER.equals(chain[0].getSubjectX500Principal())) {
                throw new CertificateException("the in-process provisioner accepts only " + CLIENT_USER);
            }
        }
    }
}
