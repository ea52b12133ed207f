package io.dbprovision.provisioner.server;

import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;

/**
 * A Netty server TLS context that can be rebuilt while the server runs: every new connection gets its engine from
 * the context built last; connections already open keep theirs. The transport is handed this one object once.
 *
 * <p>Why: OpenSSL (netty-tcnative's BoringSSL) asks client certificates from the CAs its context was built with, once,
 * so a reloaded client CA would be checked (the trust manager is asked per handshake) but not asked for — and an
 * ordinary client only sends a certificate whose issuer was asked for. Rebuilding the context when the material
 * changes keeps "a replaced client CA is used by new connections" with OpenSSL's cheaper record processing.
 */
final class SwappableSslContext extends SslContext {
    private final Supplier<SslContext> build;
    private volatile SslContext current;

    SwappableSslContext(Supplier<SslContext> build) {
        this.build = Objects.requireNonNull(build);
        this.current = build.get();
    }

    /** Builds the context again from what the managers hold now; new connections use it. */
    void rebuild() {
        current = build.get();
    }

    /** The provider-specific context new connections use now. */
    SslContext current() {
        return current;
    }

    @Override
    public boolean isClient() {
        return current.isClient();
    }

    @Override
    public List<String> cipherSuites() {
        return current.cipherSuites();
    }

    @Override
    public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
        return current.applicationProtocolNegotiator();
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc) {
        return current.newEngine(alloc);
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
        return current.newEngine(alloc, peerHost, peerPort);
    }

    @Override
    public SSLSessionContext sessionContext() {
        return current.sessionContext();
    }
}
