package io.dbprovision.apiserver.reconcile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a real database server, which can then die in the worst way for a client:
 * {@link #stall} keeps accepting connections and keeps the open ones open, but never answers again — connects
 * succeed, handshakes and queries wait until the client's own timeout (a hung server, a half-dead network path).
 * {@link #refuse} is the plain death: the port closes and the open connections are reset. Until then it forwards
 * bytes both ways, so an instance pointing at it turns Ready first, as a healthy server does.
 */
final class StallingTcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String upstreamHost;
    private final int upstreamPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean stalled;

    StallingTcpProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("stalling-proxy-accept").start(this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far (stalled ones included). */
    int accepted() {
        return accepted.get();
    }

    /** From now on nothing is answered: open connections go silent, new ones are accepted and ignored. */
    void stall() {
        stalled = true;
    }

    /** From now on nothing listens: the port closes and every open connection is reset. */
    void refuse() {
        close();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException closed) {
                return;
            }
            accepted.incrementAndGet();
            sockets.add(client);
            Thread.ofVirtual().start(() -> serve(client));
        }
    }

    private void serve(Socket client) {
        if (stalled) {
            drain(client); // accepted, read, never answered
            return;
        }
        Socket upstream;
        try {
            upstream = new Socket(upstreamHost, upstreamPort);
        } catch (IOException e) {
            closeQuietly(client);
            return;
        }
        sockets.add(upstream);
        Thread.ofVirtual().start(() -> pump(upstream, client));
        pump(client, upstream);
    }

    /** Copies {@code from} to {@code to} until either closes; once stalled, what is read is dropped. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (!stalled) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // one side went away: the other goes too, below
        }
        if (!stalled) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void drain(Socket client) {
        byte[] buffer = new byte[8192];
        try (InputStream in = client.getInputStream()) {
            while (in.read(buffer) >= 0) {
                // swallow
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
        sockets.forEach(StallingTcpProxy::closeQuietly);
        sockets.clear();
    }
}
