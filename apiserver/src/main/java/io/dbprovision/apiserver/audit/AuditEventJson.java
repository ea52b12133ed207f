package io.dbprovision.apiserver.audit;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Writes an {@link AuditEvent} as the one-line JSON of an {@code audit.k8s.io/v1} {@code Event}, with Kubernetes' field
 * names, order and omissions, so that tools that read a kube-apiserver's audit log read ours. Timestamps have
 * microsecond precision in UTC, as Kubernetes' {@code MicroTime}. The line never holds a request or response body.
 */
public final class AuditEventJson {
    private static final DateTimeFormatter MICRO_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private AuditEventJson() {}

    /** The event as one JSON object, without a line end. */
    public static String write(AuditEvent event) {
        return json(event).toString();
    }

    /** The event as one line of UTF-8, ending in {@code \n}. */
    public static byte[] line(AuditEvent event) {
        return json(event).endLine();
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
        json.field("requestReceivedTimestamp", microTime(event.requestReceivedTimestamp()))
                .field("stageTimestamp", microTime(event.stageTimestamp()));
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

    /** {@code 2025-01-31T08:15:42.123456Z}, written by hand: a formatter took a good part of an event's cost. */
    static String microTime(Instant instant) {
        LocalDateTime time = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
        StringBuilder text = new StringBuilder(27);
        int year = time.getYear();
        if (year < 0 || year > 9999) {
            return MICRO_TIME.format(instant.truncatedTo(ChronoUnit.MICROS)); // never for a request of this era
        }
        pad(text, year, 4).append('-');
        pad(text, time.getMonthValue(), 2).append('-');
        pad(text, time.getDayOfMonth(), 2).append('T');
        pad(text, time.getHour(), 2).append(':');
        pad(text, time.getMinute(), 2).append(':');
        pad(text, time.getSecond(), 2).append('.');
        return pad(text, instant.getNano() / 1_000, 6).append('Z').toString();
    }

    private static StringBuilder pad(StringBuilder text, int value, int digits) {
        String number = Integer.toString(value);
        for (int i = number.length(); i < digits; i++) {
            text.append('0');
        }
        return text.append(number);
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
