package io.dbprovision.provisioner.engine.tls;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLSocketFactory;

/**
 * In-memory TLS material by registration id, for drivers that take their TLS socket factory as a class name in
 * connection properties (pgjdbc's {@code sslfactory}, Connector/J's {@code socketFactory}) and so cannot be handed an
 * object: the factory they instantiate finds its material by the id in another connection property. A connection
 * pool registers its instance's material when it opens and releases it when it closes. Ids are random, so nothing
 * derived from a secret ever sits in connection properties.
 */
public final class TlsRegistry {
    /** The connection property carrying the registration id, for both drivers. */
    public static final String PROPERTY = "dbprovisionTls";

    private static final Map<String, Entry> ENTRIES = new ConcurrentHashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();

    private TlsRegistry() {}

    /** The material and the socket factory built from it once. */
    public static final class Entry {
        private final TlsMaterial material;
        private volatile SSLSocketFactory socketFactory;

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
    }

    /** Registers material; returns its new id. */
    public static String register(TlsMaterial material) {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        String id = HexFormat.of().formatHex(random);
        ENTRIES.put(id, new Entry(material));
        return id;
    }

    /** Forgets the material of an id. */
    public static void release(String id) {
        ENTRIES.remove(id);
    }

    public static Optional<Entry> find(String id) {
        return Optional.ofNullable(id == null ? null : ENTRIES.get(id));
    }

    static Entry get(String id) {
        return find(id).orElseThrow(() ->
                new IllegalStateException("no TLS material registered under " + id + " (its pool is closed)"));
    }
}
