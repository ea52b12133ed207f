package io.dbprovision.apiserver.audit;

import java.util.UUID;

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
        return UUID.randomUUID().toString();
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
