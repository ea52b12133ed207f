package io.dbprovision.apiserver.audit;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Audit ids, as Kubernetes hands them out: a request that arrives with an {@value #HEADER} header (the kube-apiserver
 * sets it when it proxies a request to an aggregated server) keeps that id, so that both servers' events of one request
 * share it; any other request gets a new random UUID. The id is sent back in the response's {@value #HEADER} header.
 */
public final class AuditIds {
    /** The request and response header that carries the audit id. */
    public static final String HEADER = "Audit-ID";
    /** Kubernetes' ids are UUIDs (36 characters); a longer one is no id of a kube-apiserver. */
    static final int MAX_LENGTH = 128;

    private AuditIds() {}

    /** The id of a request whose {@value #HEADER} header holds {@code header} ({@code null} if absent). */
    public static String forRequest(String header) {
        if (header != null && isAcceptable(header)) {
            return header;
        }
        return randomUuid().toString();
    }

    /**
     * A version 4 UUID from {@link ThreadLocalRandom}, not {@link UUID#randomUUID()}: an audit id needs to be unique,
     * not unguessable (any client may choose its own in the header), and {@code randomUUID} draws on the shared
     * {@code SecureRandom}, whose lock and reads of the system's entropy cost every request a few per cent of its
     * CPU. Each request runs on a virtual thread of its own, whose generator gets a seed of its own, so two ids
     * coincide only if two threads' generators reached the same 64-bit state: as unlikely as for random ids.
     */
    static UUID randomUuid() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48); // IETF variant
        return new UUID(high, low);
    }

    /** Printable ASCII without spaces, so that an id copied from a log line finds the same id everywhere. */
    private static boolean isAcceptable(String id) {
        if (id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
