package io.dbprovision.apiserver.audit;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How much of a request the audit policy asks to record, in Kubernetes' order ({@code audit.k8s.io/v1} {@code Level}).
 * This server records {@link #METADATA} at most: {@link #REQUEST} and {@link #REQUEST_RESPONSE} are accepted in a
 * policy but {@linkplain #recorded() recorded} as metadata, because a request or response body may hold credentials
 * (a Secret's data, a user's password) and the audit log must never carry them.
 */
public enum AuditLevel {
    NONE("None"),
    METADATA("Metadata"),
    REQUEST("Request"),
    REQUEST_RESPONSE("RequestResponse");

    private final String wireName;

    AuditLevel(String wireName) {
        this.wireName = wireName;
    }

    /** The spelling in a policy and in an event, e.g. {@code RequestResponse}. */
    public String wireName() {
        return wireName;
    }

    /** The level this server actually records for a request the policy puts at this level. */
    public AuditLevel recorded() {
        return this.compareTo(METADATA) > 0 ? METADATA : this;
    }

    /** The level spelled as in a policy; {@code null} if no level is spelled so. */
    static AuditLevel fromWireName(String name) {
        for (AuditLevel level : values()) {
            if (level.wireName.equals(name)) {
                return level;
            }
        }
        return null;
    }

    static String wireNames() {
        return Arrays.stream(values()).map(AuditLevel::wireName).collect(Collectors.joining(", "));
    }
}
