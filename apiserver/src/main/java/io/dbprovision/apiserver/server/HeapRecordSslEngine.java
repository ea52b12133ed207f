package io.dbprovision.apiserver.server;

import java.nio.ByteBuffer;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An {@link SSLEngine} that encrypts a record into a heap buffer and copies it into the caller's buffer when that
 * one is direct, and is otherwise the JDK's engine unchanged (every other call is delegated).
 *
 * <p>Why: Undertow's TLS layer ({@code SslConduit}) wraps into direct buffers from its own pool, which we cannot
 * choose, and the JDK encrypts a TLS 1.3 record in place in its output buffer; AES-GCM over a direct buffer takes
 * the JDK's slow path (chunked copies into temporary arrays around the intrinsic), AES-GCM over a heap array the fast
 * one. Measured on this JDK (Temurin 25, AMD EPYC) for 18.7 MiB in 16 KiB records, the server's work for a LIST of
 * 10,000 objects: about 15 ms of CPU into a direct buffer, about 6 ms into a heap buffer plus the copy (see
 * docs/performance.md, issue 11). The bytes on the wire are the same: the same engine makes the same record.
 *
 * <p>The staging buffer is per platform thread (Undertow's I/O threads, where large bodies are written); on a
 * virtual thread (a request's blocking write) the engine writes straight into the caller's buffer as before, so
 * that no buffer is kept per connection or per request.
 */
final class HeapRecordSslEngine extends SSLEngine {
    /** Room for one TLS record of any version (16 KiB of data, the header, padding, tag). */
    private static final int STAGING = 17 * 1024 + 512;

    private static final ThreadLocal<ByteBuffer> STAGED = ThreadLocal.withInitial(() -> ByteBuffer.allocate(STAGING));

    private final SSLEngine engine;
    /** The selector as given, for its getter; the JDK's engine holds one that passes this engine to it. */
    private BiFunction<SSLEngine, List<String>, String> protocolSelector;

    private HeapRecordSslEngine(SSLEngine engine) {
        super(engine.getPeerHost(), engine.getPeerPort());
        this.engine = engine;
    }

    static SSLEngine of(SSLEngine engine) {
        return new HeapRecordSslEngine(engine);
    }

    /** {@code context}, whose engines are {@link HeapRecordSslEngine}s; its sockets and sessions are its own. */
    static SSLContext context(SSLContext context) {
        return new HeapRecordContext(context);
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        if (!dst.isDirect() || Thread.currentThread().isVirtual() || dst.remaining() > STAGING) {
            return engine.wrap(srcs, offset, length, dst);
        }
        ByteBuffer staged = STAGED.get();
        staged.clear().limit(dst.remaining()); // the engine reports BUFFER_OVERFLOW exactly as it would for dst
        SSLEngineResult result = engine.wrap(srcs, offset, length, staged);
        dst.put(staged.flip());
        return result;
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        return engine.unwrap(src, dsts, offset, length);
    }

    @Override
    public Runnable getDelegatedTask() {
        return engine.getDelegatedTask();
    }

    @Override
    public void closeInbound() throws SSLException {
        engine.closeInbound();
    }

    @Override
    public boolean isInboundDone() {
        return engine.isInboundDone();
    }

    @Override
    public void closeOutbound() {
        engine.closeOutbound();
    }

    @Override
    public boolean isOutboundDone() {
        return engine.isOutboundDone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return engine.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return engine.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        engine.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return engine.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return engine.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        engine.setEnabledProtocols(protocols);
    }

    @Override
    public SSLSession getSession() {
        return engine.getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return engine.getHandshakeSession();
    }

    @Override
    public void beginHandshake() throws SSLException {
        engine.beginHandshake();
    }

    @Override
    public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
        return engine.getHandshakeStatus();
    }

    @Override
    public void setUseClientMode(boolean mode) {
        engine.setUseClientMode(mode);
    }

    @Override
    public boolean getUseClientMode() {
        return engine.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        engine.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return engine.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        engine.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return engine.getWantClientAuth();
    }

    @Override
    public void setEnableSessionCreation(boolean flag) {
        engine.setEnableSessionCreation(flag);
    }

    @Override
    public boolean getEnableSessionCreation() {
        return engine.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return engine.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        engine.setSSLParameters(params);
    }

    @Override
    public String getApplicationProtocol() {
        return engine.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return engine.getHandshakeApplicationProtocol();
    }

    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
        // the selector is called with the JDK's engine; callers compare with (or look up) this one
        protocolSelector = selector;
        engine.setHandshakeApplicationProtocolSelector(
                selector == null ? null : (ignored, protocols) -> selector.apply(this, protocols));
    }

    @Override
    public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return protocolSelector;
    }

    @Override
    public String toString() {
        return engine.toString();
    }

    /** An {@link SSLContext} over another whose engines are wrapped; everything else is the other context's. */
    private static final class HeapRecordContext extends SSLContext {
        HeapRecordContext(SSLContext context) {
            super(new Spi(context), context.getProvider(), context.getProtocol());
        }
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext context;

        Spi(SSLContext context) {
            this.context = context;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
                throws KeyManagementException {
            context.init(km, tm, random);
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return context.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return context.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return of(context.createSSLEngine());
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return of(context.createSSLEngine(host, port));
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return context.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return context.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return context.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return context.getSupportedSSLParameters();
        }
    }
}
