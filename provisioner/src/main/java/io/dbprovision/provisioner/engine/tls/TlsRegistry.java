package io.dbprovision.provisioner.engine.tls;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLSocketFactory;

/**
 * In-memory TLS material by registration id, for drivers that build their TLS from a class name or a URL given in
 * connection properties (pgjdbc's {@code sslfactory}, Connector/J's key store URLs) and so cannot be handed an object.
 * A connection pool registers its instance's material under an id derived from its key and releases it when it closes;
 * registrations are counted, so two holders of the same id share one entry.
 */
public final class TlsRegistry {
    private static final Map<String, Entry> ENTRIES = new ConcurrentHashMap<>();

    private TlsRegistry() {}

    /** What the drivers read: a socket factory (PostgreSQL) and PKCS#12 stores with their password (MySQL). */
    public static final class Entry {
        private final TlsMaterial material;
        private final char[] storePassword = TlsMaterial.randomStorePassword();
        private volatile SSLSocketFactory socketFactory;
        private volatile byte[] keyStore;
        private volatile byte[] trustStore;
        private int holders;

        private Entry(TlsMaterial material) {
            this.material = material;
        }

        public TlsMaterial material() {
            return material;
        }

        public SSLSocketFactory socketFactory() {
            SSLSocketFactory factory = socketFactory;
            if (factory == null) {
                factory = material.sslContext().getSocketFactory();
                socketFactory = factory;
            }
            return factory;
        }

        public byte[] keyStore() {
            byte[] bytes = keyStore;
            if (bytes == null) {
                bytes = material.keyStoreBytes(storePassword);
                keyStore = bytes;
            }
            return bytes;
        }

        public byte[] trustStore() {
            byte[] bytes = trustStore;
            if (bytes == null) {
                bytes = material.trustStoreBytes(storePassword);
                trustStore = bytes;
            }
            return bytes;
        }

        public String storePassword() {
            return new String(storePassword);
        }
    }

    /** Registers material under an id (or adds a holder to the existing registration). */
    public static Entry register(String id, TlsMaterial material) {
        return ENTRIES.compute(id, (key, existing) -> {
            Entry entry = existing == null ? new Entry(material) : existing;
            entry.holders++;
            return entry;
        });
    }

    /** Drops one holder; the material is forgotten with the last. */
    public static void release(String id) {
        ENTRIES.computeIfPresent(id, (key, entry) -> --entry.holders <= 0 ? null : entry);
    }

    public static Optional<Entry> find(String id) {
        return Optional.ofNullable(id == null ? null : ENTRIES.get(id));
    }

    static Entry get(String id) {
        return find(id).orElseThrow(() ->
                new IllegalStateException("no TLS material registered under " + id + " (its pool is closed)"));
    }
}
