package io.dbprovision.provisioner.engine.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.net.spi.URLStreamHandlerProvider;

/**
 * Serves the PKCS#12 key and trust stores of {@link TlsRegistry} entries under the private URL scheme
 * {@value #SCHEME}. Connector/J loads client and trust stores only from URLs ({@code clientCertificateKeyStoreUrl},
 * {@code trustCertificateKeyStoreUrl}; ExportControlled opens them with {@code new URL(..).openStream()}), so this is
 * how the material reaches it without a file. Registered in {@code META-INF/services}.
 */
public final class InMemoryKeyStoreUrls extends URLStreamHandlerProvider {
    public static final String SCHEME = "dbprovision-tls";

    /** The URL of an entry's client key store. */
    public static String keyStoreUrl(String id) {
        return SCHEME + ":/" + id + "/key";
    }

    /** The URL of an entry's trust store. */
    public static String trustStoreUrl(String id) {
        return SCHEME + ":/" + id + "/trust";
    }

    @Override
    public URLStreamHandler createURLStreamHandler(String protocol) {
        return SCHEME.equals(protocol) ? new Handler() : null;
    }

    private static final class Handler extends URLStreamHandler {
        @Override
        protected URLConnection openConnection(URL url) {
            return new URLConnection(url) {
                @Override
                public void connect() {
                    connected = true;
                }

                @Override
                public InputStream getInputStream() throws IOException {
                    String path = url.getPath().replaceFirst("^/+", "");
                    int slash = path.lastIndexOf('/');
                    if (slash < 0) {
                        throw new IOException("not a key store URL: " + url);
                    }
                    TlsRegistry.Entry entry = TlsRegistry.find(path.substring(0, slash))
                            .orElseThrow(() -> new IOException("no TLS material under " + url));
                    return switch (path.substring(slash + 1)) {
                        case "key" -> new ByteArrayInputStream(entry.keyStore());
                        case "trust" -> new ByteArrayInputStream(entry.trustStore());
                        default -> throw new IOException("not a key store URL: " + url);
                    };
                }
            };
        }
    }
}
