package io.dbprovision.apiserver.portal;

import io.dbprovision.apiserver.server.ServerTls;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import javax.net.ssl.SSLContext;

/**
 * The portal port's TLS: the very {@link SSLContext} the HTTPS listener serves with — its serving certificate (the
 * reloading one in delegated mode), its trust manager that requests a client certificate, accepts any at handshake
 * time and advertises the client CAs, so that the authenticator verifies the chain per call exactly as for REST —
 * with the same protocols and cipher suites ({@link ServerTls}), and ALPN offering only {@code h2}, which gRPC
 * needs.
 */
final class PortalTls {
    private PortalTls() {}

    static SslContext of(SSLContext context) {
        return new JdkSslContext(
                context,
                false,
                ServerTls.CIPHER_SUITES,
                IdentityCipherSuiteFilter.INSTANCE,
                new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        "h2"),
                ClientAuth.OPTIONAL,
                ServerTls.PROTOCOLS.toArray(String[]::new),
                false);
    }
}
