package io.dbprovision.provisioner.engine.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Properties;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The {@code sslfactory} pgjdbc instantiates for our connections: pgjdbc calls the {@link Properties} constructor with
 * the connection's properties (ObjectFactory.instantiate), which carry the {@link TlsRegistry} id of the instance's
 * in-memory material under {@link #PROPERTY}. So no certificate or key is ever written to a file for libpq-style
 * settings. pgjdbc still checks the host name itself for verify-full after the handshake (MakeSSL.verifyPeerName runs
 * for any factory), and verify-ca checks the chain through the context's trust managers. Only TLSv1.2 and later.
 */
public final class PostgresSslSocketFactory extends SSLSocketFactory {
    /** The connection property naming the registration. */
    public static final String PROPERTY = "dbprovisionTls";

    private final SSLSocketFactory delegate;

    public PostgresSslSocketFactory(Properties info) {
        this.delegate = TlsRegistry.get(info.getProperty(PROPERTY)).socketFactory();
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        return restrict(delegate.createSocket(socket, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return restrict(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return restrict(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return restrict(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return restrict(delegate.createSocket(address, port, localAddress, localPort));
    }

    private static Socket restrict(Socket socket) {
        if (socket instanceof SSLSocket ssl) {
            ssl.setEnabledProtocols(TlsMaterial.PROTOCOLS);
        }
        return socket;
    }
}
