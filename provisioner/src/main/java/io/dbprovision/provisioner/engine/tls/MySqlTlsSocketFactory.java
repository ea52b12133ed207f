package io.dbprovision.provisioner.engine.tls;

import com.mysql.cj.conf.PropertySet;
import com.mysql.cj.log.Log;
import com.mysql.cj.protocol.ServerSession;
import com.mysql.cj.protocol.SocketConnection;
import com.mysql.cj.protocol.StandardSocketFactory;
import io.dbprovision.proto.v1alpha1.SSLMode;
import java.io.Closeable;
import java.io.IOException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The {@code socketFactory} Connector/J instantiates for our MySQL and MariaDB connections; it performs the TLS
 * handshake itself with the instance's in-memory material, found in {@link TlsRegistry} by the id in the user-defined
 * connection property {@link TlsRegistry#PROPERTY} (Connector/J keeps unknown properties in its property set).
 * Connector/J 9+ loads key and trust stores only from local files, and material must never be written to a file, so
 * this replaces its handshake (ExportControlled) rather than feeding it. Connector/J still decides whether TLS is
 * negotiated at all ({@code sslMode}); here verify-ca checks the chain against the CA only, verify-full also the host
 * name (RFC 2818 rules through the JDK's endpoint identification), and only TLSv1.2 and later are offered.
 */
public final class MySqlTlsSocketFactory extends StandardSocketFactory {
    @Override
    public <T extends Closeable> T performTlsHandshake(SocketConnection connection, ServerSession serverSession)
            throws IOException {
        return performTlsHandshake(connection, serverSession, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends Closeable> T performTlsHandshake(
            SocketConnection connection, ServerSession serverSession, Log log) throws IOException {
        TlsRegistry.Entry entry = entry(connection.getPropertySet());
        SSLSocket socket = (SSLSocket)
                entry.socketFactory().createSocket(rawSocket, connection.getHost(), connection.getPort(), true);
        socket.setEnabledProtocols(TlsMaterial.PROTOCOLS);
        if (entry.material().mode() == SSLMode.SSL_MODE_VERIFY_FULL) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
        }
        socket.startHandshake();
        sslSocket = socket;
        return (T) socket;
    }

    private static TlsRegistry.Entry entry(PropertySet properties) throws IOException {
        try {
            String id = properties.getStringProperty(TlsRegistry.PROPERTY).getValue();
            return TlsRegistry.find(id).orElseThrow(() -> new IOException("the instance's TLS material is gone"));
        } catch (RuntimeException e) {
            throw new IOException("no TLS material for this connection", e);
        }
    }
}
