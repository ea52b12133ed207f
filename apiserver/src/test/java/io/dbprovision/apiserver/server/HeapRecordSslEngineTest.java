package io.dbprovision.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/**
 * The serving engine's records are the JDK engine's whether it writes into a direct or a heap buffer, on a platform
 * or a virtual thread: a JDK client engine reads back every byte, and a destination too small for a record gets
 * {@code BUFFER_OVERFLOW} with nothing consumed or written, as from the JDK's engine.
 */
class HeapRecordSslEngineTest {
    private static final Duration DAY = Duration.ofDays(1);

    @Test
    void aLargeBodyWrittenIntoDirectBuffersIsReadBackByteForByte() throws Exception {
        Pair pair = handshake();
        byte[] body = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(body);
        assertThat(pair.send(body, true)).isEqualTo(body);
        assertThat(pair.send(body, false)).isEqualTo(body);
        AtomicReference<byte[]> onVirtual = new AtomicReference<>();
        AtomicReference<Exception> failed = new AtomicReference<>();
        Thread.ofVirtual()
                .start(() -> {
                    try {
                        onVirtual.set(pair.send(body, true));
                    } catch (Exception e) {
                        failed.set(e);
                    }
                })
                .join();
        assertThat(failed.get()).isNull();
        assertThat(onVirtual.get()).isEqualTo(body);
    }

    @Test
    void aDestinationTooSmallForARecordOverflowsWithNothingConsumed() throws Exception {
        Pair pair = handshake();
        ByteBuffer source = ByteBuffer.wrap(new byte[16 * 1024]);
        ByteBuffer small = ByteBuffer.allocateDirect(1024);
        SSLEngineResult result = pair.server.wrap(source, small);
        assertThat(result.getStatus()).isEqualTo(SSLEngineResult.Status.BUFFER_OVERFLOW);
        assertThat(result.bytesConsumed()).isZero();
        assertThat(small.position()).isZero();
        assertThat(source.position()).isZero();
    }

    @Test
    void theApplicationProtocolIsNegotiatedThroughTheWrapper() throws Exception {
        List<SSLEngine> askedWith = new ArrayList<>();
        Pair pair = handshake(server -> server.setHandshakeApplicationProtocolSelector((engine, offered) -> {
            askedWith.add(engine);
            return offered.contains("h2") ? "h2" : null;
        }));
        assertThat(pair.server.getApplicationProtocol()).isEqualTo("h2");
        assertThat(pair.client.getApplicationProtocol()).isEqualTo("h2");
        assertThat(askedWith).containsExactly(pair.server);
    }

    private record Pair(SSLEngine server, SSLEngine client) {
        /** {@code body} from the server to the client, through direct (or heap) network buffers. */
        byte[] send(byte[] body, boolean direct) throws Exception {
            ByteBuffer source = ByteBuffer.wrap(body);
            ByteBuffer received = ByteBuffer.allocate(body.length + 64 * 1024);
            ByteBuffer network = direct ? ByteBuffer.allocateDirect(17408) : ByteBuffer.allocate(17408);
            while (source.hasRemaining()) {
                network.clear();
                SSLEngineResult wrapped = server.wrap(source, network);
                assertThat(wrapped.getStatus()).isEqualTo(SSLEngineResult.Status.OK);
                network.flip();
                while (network.hasRemaining()) {
                    SSLEngineResult unwrapped = client.unwrap(network, received);
                    assertThat(unwrapped.getStatus()).isEqualTo(SSLEngineResult.Status.OK);
                }
            }
            byte[] out = new byte[received.position()];
            received.flip().get(out);
            return out;
        }
    }

    private static Pair handshake() throws Exception {
        return handshake(server -> {});
    }

    private static Pair handshake(java.util.function.Consumer<SSLEngine> configureServer) throws Exception {
        Pki.Issued ca = Pki.newCa("heap-record-test-ca", DAY);
        Pki.Issued serving = Pki.newServing(ca, "localhost", List.of("localhost"), List.of(), DAY);
        SSLContext serverContext =
                HeapRecordSslEngine.context(ServerTls.context(serving, List.of(ca.certificate()), List.of()));
        SSLEngine server = serverContext.createSSLEngine();
        assertThat(server).isInstanceOf(HeapRecordSslEngine.class);
        server.setUseClientMode(false);
        configureServer.accept(server);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, new TrustManager[] {new TrustAll()}, null);
        SSLEngine client = clientContext.createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        SSLParameters parameters = client.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        client.setSSLParameters(parameters);

        ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
        ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
        ByteBuffer ignored = ByteBuffer.allocate(1 << 17);
        client.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < 50; round++) {
            step(client, toServer, toClient, ignored);
            step(server, toClient, toServer, ignored);
        }
        // the post-handshake messages (TLS 1.3 session tickets) still in flight
        deliver(toClient, client, ignored);
        deliver(toServer, server, ignored);
        assertThat(server.getHandshakeStatus()).isEqualTo(SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING);
        assertThat(client.getHandshakeStatus()).isEqualTo(SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING);
        return new Pair(server, client);
    }

    /** One move of {@code engine}: write into {@code out} or read from {@code in}, as its handshake asks. */
    private static void step(SSLEngine engine, ByteBuffer out, ByteBuffer in, ByteBuffer ignored) throws Exception {
        switch (engine.getHandshakeStatus()) {
            case NEED_WRAP -> engine.wrap(ByteBuffer.allocate(0), out);
            case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                in.flip();
                ignored.clear();
                engine.unwrap(in, ignored);
                in.compact();
            }
            case NEED_TASK -> {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
            }
            default -> {}
        }
    }

    private static void deliver(ByteBuffer pending, SSLEngine reader, ByteBuffer ignored) throws Exception {
        pending.flip();
        while (pending.hasRemaining()) {
            ignored.clear();
            reader.unwrap(pending, ignored);
            Runnable task;
            while ((task = reader.getDelegatedTask()) != null) {
                task.run();
            }
        }
        pending.clear();
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[0];
        }
    }
}
