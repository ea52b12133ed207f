package io.dbprovision.apiserver.hostile;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * An HTTP/1.1 client over TLS that writes exactly the bytes it is given: lying Content-Lengths, broken chunking,
 * duplicated or non-UTF-8 headers, unencoded paths. java.net.http refuses to send most of these. One connection per
 * request; the response is read until its framing says it ended, or the server closes the connection.
 */
final class RawHttps {
    private final SSLContext tls;
    private final int port;

    RawHttps(SSLContext tls, int port) {
        this.tls = tls;
        this.port = port;
    }

    /** A client that trusts only the CA in {@code caFile}. */
    static RawHttps trusting(Path caFile, int port) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return new RawHttps(context, port);
    }

    SSLContext tls() {
        return tls;
    }

    /** What came back; {@code code} is -1 when the server closed the connection without a response. */
    record Response(int code, Map<String, String> headers, byte[] body, Duration took) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }
    }

    /** Sends {@code request} as is and reads the answer, giving up after {@code timeout} without one. */
    Response exchange(byte[] request, Duration timeout) throws IOException {
        return exchange(out -> out.write(request), timeout);
    }

    /** Writes with {@code writer} (which may pause between parts) and reads the answer. */
    Response exchange(Writer writer, Duration timeout) throws IOException {
        long start = System.nanoTime();
        try (SSLSocket socket = open(timeout)) {
            OutputStream out = socket.getOutputStream();
            try {
                writer.write(out);
                out.flush();
            } catch (IOException e) {
                // the server may answer (413) and close before the whole request is written: read what it said
            }
            Response response = read(socket.getInputStream());
            return new Response(
                    response.code(), response.headers(), response.body(), Duration.ofNanos(System.nanoTime() - start));
        }
    }

    SSLSocket open(Duration timeout) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout((int) timeout.toMillis());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    /** Writes a request in parts. */
    @FunctionalInterface
    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    static Response read(InputStream in) throws IOException {
        String statusLine;
        try {
            statusLine = line(in);
        } catch (EOFException e) {
            return new Response(-1, Map.of(), new byte[0], Duration.ZERO);
        } catch (SocketTimeoutException e) {
            return new Response(-2, Map.of(), new byte[0], Duration.ZERO);
        }
        String[] parts = statusLine.split(" ", 3);
        int code = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.merge(
                    header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    header.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if (headers.getOrDefault("transfer-encoding", "").contains("chunked")) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
                    size > 0;
                    size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                chunks.write(in.readNBytes(size));
                line(in);
            }
            body = chunks.toByteArray();
        } else {
            body = in.readAllBytes();
        }
        return new Response(code, headers, body, Duration.ZERO);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            if (b == '\n') {
                break;
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
