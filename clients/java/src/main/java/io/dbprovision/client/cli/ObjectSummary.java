package io.dbprovision.client.cli;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * The columns a human table shows of any kind's object — NAMESPACE, NAME, PHASE, READY (the Ready condition), AGE —
 * read from the object's Kubernetes JSON form, so every kind is read the same way and spelled as kubectl spells it.
 */
record ObjectSummary(String namespace, String name, String phase, String ready, String age, String message) {
    static final List<String> HEADERS = List.of("NAMESPACE", "NAME", "PHASE", "READY", "AGE");

    static ObjectSummary of(KubeCodec codec, Message object, Instant now) {
        Map<String, Object> tree = codec.toTree(object);
        Map<?, ?> metadata = map(tree.get("metadata"));
        Map<?, ?> status = map(tree.get("status"));
        String ready = "";
        if (status.get("conditions") instanceof List<?> conditions) {
            for (Object condition : conditions) {
                Map<?, ?> c = map(condition);
                if ("Ready".equals(c.get("type"))) {
                    ready = text(c.get("status"));
                }
            }
        }
        return new ObjectSummary(
                text(metadata.get("namespace")),
                text(metadata.get("name")),
                text(status.get("phase")),
                ready,
                age(text(metadata.get("creationTimestamp")), now),
                text(status.get("message")));
    }

    List<String> row() {
        return List.of(namespace, name, orNone(phase), orNone(ready), orNone(age));
    }

    private static String age(String timestamp, Instant now) {
        if (timestamp.isEmpty()) {
            return "";
        }
        try {
            return Durations.age(Duration.between(Instant.parse(timestamp), now));
        } catch (DateTimeParseException e) {
            return "";
        }
    }

    private static String orNone(String value) {
        return value.isEmpty() ? "<none>" : value;
    }

    private static Map<?, ?> map(Object value) {
        return value instanceof Map<?, ?> map ? map : Map.of();
    }

    private static String text(Object value) {
        return value == null ? "" : String.valueOf(value);
    }
}
