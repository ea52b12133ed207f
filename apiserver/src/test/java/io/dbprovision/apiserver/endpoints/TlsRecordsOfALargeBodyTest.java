package io.dbprovision.apiserver.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.request.RequestContext;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large body leaves in whole TLS records: each of Undertow's buffers, with what HTTP/2 adds to it as a DATA frame,
 * fits one record. When it did not (buffers of 16 KiB − 20), every frame spilled a few bytes into a second, tiny
 * record — and a second socket write — which doubled the writes of a LIST over HTTP/2 (docs/performance.md, issue
 * 11). A relay between the client and the server reads the server's TLS record headers (they are in clear text).
 */
class TlsRecordsOfALargeBodyTest {
    private static final RequestContext CTX = RequestContext.internal("test");
    private static final String NAMESPACE = "records";
    private static final int OBJECTS = 300;
    private static final int APPLICATION_DATA = 23;

    @TempDir
    Path dir;

    @Test
    void overHttp2EachFrameOfALargeListIsOneTlsRecord() throws Exception {
        try (AdminTlsServer server = AdminTlsServer.start(dir);
                RecordCountingRelay relay = new RecordCountingRelay(server.port())) {
            server.createLargeInstances(NAMESPACE, OBJECTS);
            HttpClient client = server.client(HttpClient.Version.HTTP_2);
            try {
                HttpResponse<byte[]> list = client.send(
                        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + relay.port()
                                        + "/apis/dbops.dbprovision.io/v1alpha1/namespaces/" + NAMESPACE
                                        + "/databaseinstances"))
                                .header("Authorization", "Bearer " + AdminTlsServer.TOKEN)
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(list.statusCode()).isEqualTo(200);
                assertThat(list.version()).isEqualTo(HttpClient.Version.HTTP_2);
                assertThat(list.body().length).isGreaterThan(OBJECTS * 6_000);
            } finally {
                client.shutdownNow();
            }
            List<Integer> records = relay.serverRecords();
            long full = records.stream().filter(length -> length > 16_000).count();
            long tiny = records.stream().filter(length -> length < 100).count();
            // ~110 full records for ~1.8 MB; a handful of small ones (settings, headers, the last frame) is expected,
            // one tiny record per full one is the defect
            assertThat(full).as("full records of %s", records).isGreaterThan(100);
            assertThat(tiny).as("tiny records beside %d full ones", full).isLessThan(full / 10);
        }
    }

    /**
     * Relays one client connection to the server and records the length of every application-data record the server
     * sends.
     */
    private static final class RecordCountingRelay implements AutoCloseable {
        private final ServerSocket listener;
        private final List<Integer> serverRecords = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        RecordCountingRelay(int serverPort) throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Socket client = listener.accept();
                        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                        Thread.ofVirtual().start(() -> copy(client, upstream));
                        Thread.ofVirtual().start(() -> copyRecords(upstream, client));
                    }
                } catch (IOException closed) {
                    // the relay is closed
                }
            });
        }

        int port() {
            return listener.getLocalPort();
        }

        List<Integer> serverRecords() {
            return List.copyOf(serverRecords);
        }

        private static void copy(Socket from, Socket to) {
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException ended) {
                // either side closed
            } finally {
                closeQuietly(to);
            }
        }

        /** Copies record by record: a 5-byte header (type, version, length), then the record. */
        private void copyRecords(Socket from, Socket to) {
            try (DataInputStream in = new DataInputStream(from.getInputStream());
                    OutputStream out = to.getOutputStream()) {
                byte[] header = new byte[5];
                while (true) {
                    in.readFully(header);
                    int length = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
                    byte[] record = new byte[length];
                    in.readFully(record);
                    if (header[0] == APPLICATION_DATA) {
                        serverRecords.add(length);
                    }
                    out.write(header);
                    out.write(record);
                    out.flush();
                }
            } catch (EOFException ended) {
                // the server closed
            } catch (IOException ended) {
                // either side closed
            } finally {
                closeQuietly(to);
            }
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            acceptor.interrupt();
        }
    }
}
