package io.dbprovision.apiserver.audit;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * When during a request an event is written ({@code audit.k8s.io/v1} {@code Stage}). This server writes
 * {@link #RESPONSE_COMPLETE} for every audited request, and {@link #RESPONSE_STARTED} as well for a long-running
 * request (a watch) when its response headers are sent, as Kubernetes does; {@link #PANIC} when a request failed with an
 * internal error before its response was complete. A policy's {@code omitStages} suppresses a stage.
 */
public enum AuditStage {
    REQUEST_RECEIVED("RequestReceived"),
    RESPONSE_STARTED("ResponseStarted"),
    RESPONSE_COMPLETE("ResponseComplete"),
    PANIC("Panic");

    private final String wireName;

    AuditStage(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    static AuditStage fromWireName(String name) {
        for (AuditStage stage : values()) {
            if (stage.wireName.equals(name)) {
                return stage;
            }
        }
        return null;
    }

    static String wireNames() {
        return Arrays.stream(values()).map(AuditStage::wireName).collect(Collectors.joining(", "));
    }
}
