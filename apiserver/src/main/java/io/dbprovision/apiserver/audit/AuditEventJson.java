package io.dbprovision.apiserver.audit;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;

/**
 * Writes an {@link AuditEvent} as the one-line JSON of an {@code audit.k8s.io/v1} {@code Event}, with Kubernetes' field
 * names, order and omissions, so that tools that read a kube-apiserver's audit log read ours. Timestamps have
 * microsecond precision in UTC, as Kubernetes' {@code MicroTime}. The line never holds a request or response body.
 */
public final class AuditEventJson {
    private AuditEventJson() {}

    /** The event as one JSON object, without a line end. */
    public static String write(AuditEvent event) {
        return json(event).toString();
    }

    /** The event as one line of UTF-8, ending in {@code \n}. */
    public static byte[] line(AuditEvent event) {
        return json(event).endLine().bytes();
    }

    /** The event as one line of UTF-8, ending in {@code \n}, in a buffer of its own (no copy is made). */
    static ByteBuffer lineBuffer(AuditEvent event) {
        return json(event).endLine().asBuffer();
    }

    private static JsonLine json(AuditEvent event) {
        JsonLine json = new JsonLine().beginObject();
        json.field("kind", "Event")
                .field("apiVersion", "audit.k8s.io/v1")
                .field("level", event.level().wireName())
                .field("auditID", event.auditId())
                .field("stage", event.stage().wireName())
                .field("requestURI", event.requestUri())
                .field("verb", event.verb());
        user(json.name("user"), event.user());
        if (event.impersonatedUser() != null) {
            user(json.name("impersonatedUser"), event.impersonatedUser());
        }
        json.fieldIfNotEmpty("sourceIPs", event.sourceIps()).fieldIfNotEmpty("userAgent", event.userAgent());
        if (event.objectRef() != null) {
            AuditObjectRef ref = event.objectRef();
            json.name("objectRef")
                    .beginObject()
                    .fieldIfNotEmpty("resource", ref.resource())
                    .fieldIfNotEmpty("namespace", ref.namespace())
                    .fieldIfNotEmpty("name", ref.name())
                    .fieldIfNotEmpty("apiGroup", ref.apiGroup())
                    .fieldIfNotEmpty("apiVersion", ref.apiVersion())
                    .fieldIfNotEmpty("subresource", ref.subresource())
                    .endObject();
        }
        if (event.responseStatus() != null) {
            AuditResponseStatus status = event.responseStatus();
            json.name("responseStatus").beginObject();
            json.name("metadata").beginObject().endObject();
            json.fieldIfNotEmpty("status", status.status())
                    .fieldIfNotEmpty("message", status.message())
                    .fieldIfNotEmpty("reason", status.reason());
            if (status.code() != 0) {
                json.name("code").value(status.code());
            }
            json.endObject();
        }
        json.microTimeField("requestReceivedTimestamp", event.requestReceivedTimestamp())
                .microTimeField("stageTimestamp", event.stageTimestamp());
        annotations(json, event.annotations(), GoDuration.format(event.latency()));
        return json.endObject();
    }

    /**
     * The annotations in key order with the latency among them (replacing an annotation of that key), merged in
     * place: the event's annotations are sorted already (it keeps them in a {@code TreeMap}), so no sorted copy is
     * made per event.
     */
    private static void annotations(JsonLine json, Map<String, String> sorted, String latency) {
        json.name("annotations").beginObject();
        boolean latencyWritten = false;
        for (Map.Entry<String, String> annotation : sorted.entrySet()) {
            int order = annotation.getKey().compareTo(AuditEvent.LATENCY_ANNOTATION);
            if (!latencyWritten && order >= 0) {
                json.field(AuditEvent.LATENCY_ANNOTATION, latency);
                latencyWritten = true;
                if (order == 0) {
                    continue;
                }
            }
            json.field(annotation.getKey(), annotation.getValue());
        }
        if (!latencyWritten) {
            json.field(AuditEvent.LATENCY_ANNOTATION, latency);
        }
        json.endObject();
    }

    /** {@code 2025-01-31T08:15:42.123456Z}: the instant in UTC with microseconds, as Kubernetes' {@code MicroTime}. */
    static String microTime(Instant instant) {
        return new JsonLine().microTime(instant).toString();
    }

    private static void user(JsonLine json, AuditUser user) {
        json.beginObject()
                .field("username", user.username())
                .fieldIfNotEmpty("uid", user.uid())
                .fieldIfNotEmpty("groups", user.groups());
        if (!user.extra().isEmpty()) {
            json.listMap("extra", user.extra());
        }
        json.endObject();
    }
}
