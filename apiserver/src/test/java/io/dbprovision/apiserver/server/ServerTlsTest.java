package io.dbprovision.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The listener speaks TLS 1.2 and 1.3 with forward-secret AEAD suites only. Old protocol versions are probed with a
 * ClientHello written by hand: the JDK's own client refuses to offer TLS 1.1 at all, which would prove nothing about
 * the server.
 */
class ServerTlsTest {
    private static final int HANDSHAKE = 22;
    private static final int ALERT = 21;

    private static TestListener listener;

    @BeforeAll
    static void start() {
        listener = new TestListener(
                List.of(),
                (call, context) -> call.respondText(200, "ok"),
                ApiServer.Timeouts.DEFAULTS,
                Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        listener.close();
    }

    @Test
    void aTls11ClientIsRefusedWithAnAlert() throws Exception {
        assertThat(firstRecordType(0x0302, List.of(0xC009, 0xC013, 0x002F, 0x0035), false))
                .isEqualTo(ALERT);
    }

    @Test
    void aTls10ClientIsRefusedWithAnAlert() throws Exception {
        assertThat(firstRecordType(0x0301, List.of(0xC009, 0xC013, 0x002F, 0x0035), false))
                .isEqualTo(ALERT);
    }

    @Test
    void aTls12ClientOfferingOnlyCbcOrRsaKeyExchangeSuitesIsRefused() throws Exception {
        // ECDHE with CBC, and RSA key exchange with GCM and CBC
        assertThat(firstRecordType(0x0303, List.of(0xC009, 0xC023, 0xC013, 0x009C, 0x002F), true))
                .isEqualTo(ALERT);
    }

    @Test
    void aTls12ClientOfferingAForwardSecretAeadSuiteIsAnswered() throws Exception {
        // the control of the probes above: the same hand-written hello, with a suite the server serves
        assertThat(firstRecordType(0x0303, List.of(0xC02B), true)).isEqualTo(HANDSHAKE);
    }

    @Test
    void modernJdkClientsConnectWithTls12AndTls13() throws Exception {
        for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
            try (SSLSocket socket =
                    (SSLSocket) listener.clientTls().getSocketFactory().createSocket("127.0.0.1", listener.port())) {
                socket.setEnabledProtocols(new String[] {protocol});
                socket.startHandshake();
                assertThat(socket.getSession().getProtocol()).isEqualTo(protocol);
            }
        }
    }

    @Test
    void aJdkClientLimitedToCbcSuitesCannotConnect() throws Exception {
        try (SSLSocket socket =
                (SSLSocket) listener.clientTls().getSocketFactory().createSocket("127.0.0.1", listener.port())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setEnabledCipherSuites(
                    new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"
                    });
            assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLHandshakeException.class);
        }
    }

    /** Sends a ClientHello of {@code version} offering {@code suites}, and returns the type of the first record back. */
    private static int firstRecordType(int version, List<Integer> suites, boolean tls12Extensions) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", listener.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(clientHello(version, suites, tls12Extensions));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            return in.readUnsignedByte();
        }
    }

    private static byte[] clientHello(int version, List<Integer> suites, boolean tls12Extensions) {
        ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        extension(extensions, 0x000a, new byte[] {0, 4, 0, 0x17, 0, 0x18}); // supported_groups: P-256, P-384
        extension(extensions, 0x000b, new byte[] {1, 0}); // ec_point_formats: uncompressed
        if (tls12Extensions) {
            // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256
            extension(extensions, 0x000d, new byte[] {0, 6, 4, 3, 8, 4, 4, 1});
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(version >> 8);
        body.write(version & 0xFF);
        body.writeBytes(new byte[32]); // random
        body.write(0); // no session id
        short16(body, suites.size() * 2);
        suites.forEach(suite -> short16(body, suite));
        body.write(1); // one compression method: none
        body.write(0);
        short16(body, extensions.size());
        body.writeBytes(extensions.toByteArray());

        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        handshake.write(1); // client_hello
        handshake.write(0);
        short16(handshake, body.size());
        handshake.writeBytes(body.toByteArray());

        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(HANDSHAKE);
        record.write(3);
        record.write(1); // record layer version TLS 1.0, as clients send it
        short16(record, handshake.size());
        record.writeBytes(handshake.toByteArray());
        return record.toByteArray();
    }

    private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
        short16(out, type);
        short16(out, data.length);
        out.writeBytes(data);
    }

    private static void short16(ByteArrayOutputStream out, int value) {
        out.write(value >> 8 & 0xFF);
        out.write(value & 0xFF);
    }
}
