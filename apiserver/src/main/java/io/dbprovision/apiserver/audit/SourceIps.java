package io.dbprovision.apiserver.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code sourceIPs} of an event, listed as Kubernetes lists them: the addresses of {@code X-Forwarded-For} (the
 * client first, then each proxy), then {@code X-Real-Ip}, then the peer of the connection, each once. The headers are
 * whatever the client sent, so only the last entry is known to be true; Kubernetes records them all the same, and so do
 * we. Entries that are not IP addresses are left out; no name is ever looked up.
 */
public final class SourceIps {
    private SourceIps() {}

    /**
     * @param forwardedFor the {@code X-Forwarded-For} header, or {@code null}
     * @param realIp the {@code X-Real-Ip} header, or {@code null}
     * @param peer the connection's remote address (an IP literal), or {@code null}
     */
    public static List<String> of(String forwardedFor, String realIp, String peer) {
        List<String> ips = new ArrayList<>();
        if (forwardedFor != null) {
            for (String entry : forwardedFor.split(",", 32)) {
                String ip = entry.strip();
                if (isIpLiteral(ip)) {
                    ips.add(ip);
                }
            }
        }
        if (realIp != null && isIpLiteral(realIp.strip()) && !ips.contains(realIp.strip())) {
            ips.add(realIp.strip());
        }
        if (peer != null
                && isIpLiteral(peer)
                && (ips.isEmpty() || !ips.get(ips.size() - 1).equals(peer))) {
            ips.add(peer);
        }
        return ips;
    }

    /** An IPv4 dotted quad or an IPv6 literal (hex groups and colons, possibly ending in a dotted quad). */
    static boolean isIpLiteral(String text) {
        if (text.isEmpty() || text.length() > 45) {
            return false;
        }
        if (text.indexOf(':') >= 0) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                if (!hex && c != ':' && c != '.') {
                    return false;
                }
            }
            return true;
        }
        // a dotted quad, parsed in one pass (every request is audited): four groups of 1-3 digits, each at most 255
        int dots = 0;
        int digits = 0;
        int octet = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.') {
                if (digits == 0) {
                    return false;
                }
                dots++;
                digits = 0;
                octet = 0;
            } else if (c >= '0' && c <= '9') {
                octet = octet * 10 + (c - '0');
                if (++digits > 3 || octet > 255) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return dots == 3 && digits > 0;
    }
}
