package io.dbprovision.apiserver.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Events for the log tests, each carrying a number in its audit id, and the reading back of what a log holds. */
final class AuditLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditLines() {}

    static AuditEvent numbered(String writer, int number) {
        Instant now = Instant.now();
        return new AuditEvent(
                AuditLevel.METADATA,
                writer + "-" + number,
                AuditStage.RESPONSE_COMPLETE,
                "/apis/dbops.dbprovision.io/v1alpha1/namespaces/team-a/databases/db-" + number,
                "get",
                AuditUser.of("alice", List.of("developers", "system:authenticated")),
                null,
                List.of("127.0.0.1"),
                "kubectl/v1.30.0 (linux/amd64) kubernetes/abcdef",
                new AuditObjectRef("databases", "team-a", "db-" + number, "dbops.dbprovision.io", "v1alpha1", ""),
                AuditResponseStatus.of(200),
                now,
                now,
                Duration.ofMillis(1),
                Map.of(AuditEvent.DECISION_ANNOTATION, "allow", AuditEvent.REASON_ANNOTATION, ""));
    }

    /** The audit ids of every line of the files, in order; every line must be a whole event. */
    static List<String> auditIds(List<Path> files) {
        List<String> ids = new ArrayList<>();
        for (Path file : files) {
            ids.addAll(auditIds(read(file)));
        }
        return ids;
    }

    static List<String> auditIds(String text) {
        List<String> ids = new ArrayList<>();
        if (text.isEmpty()) {
            return ids;
        }
        assertThat(text).endsWith("\n");
        for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
            JsonNode event;
            try {
                event = JSON.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("not one whole event: " + line, e);
            }
            assertThat(event.get("kind").asText()).isEqualTo("Event");
            ids.add(event.get("auditID").asText());
        }
        return ids;
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
