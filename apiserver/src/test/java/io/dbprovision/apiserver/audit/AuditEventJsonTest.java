package io.dbprovision.apiserver.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * An event is one line of {@code audit.k8s.io/v1} {@code Event} JSON that Jackson reads back field for field, whatever
 * the strings a client controls hold, and it never has a body in it.
 */
class AuditEventJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant RECEIVED = Instant.parse("2025-01-31T08:15:42.123456789Z");

    private static AuditEvent event(AuditUser user, String uri, String userAgent, AuditObjectRef ref) {
        return new AuditEvent(
                AuditLevel.METADATA,
                "6b0c6e4e-6d5c-4e43-9d7a-1f2a3b4c5d6e",
                AuditStage.RESPONSE_COMPLETE,
                uri,
                "get",
                user,
                new AuditUser("bob", "uid-2", List.of("team-b"), Map.of()),
                List.of("10.0.0.7", "127.0.0.1"),
                userAgent,
                ref,
                AuditResponseStatus.failure(403, "Forbidden", "databases \"payroll\" is forbidden"),
                RECEIVED,
                RECEIVED.plusNanos(1_234_567),
                Duration.ofNanos(1_234_567),
                Map.of(AuditEvent.DECISION_ANNOTATION, "forbid", AuditEvent.REASON_ANNOTATION, "no rule"));
    }

    private static AuditEvent sample() {
        return event(
                new AuditUser(
                        "alice",
                        "uid-1",
                        List.of("developers", "system:authenticated"),
                        Map.of("scopes", List.of("read", "write"), "alpha", List.of())),
                "/apis/dbops.dbprovision.io/v1alpha1/namespaces/team-a/databases/payroll?timeout=5s",
                "kubectl/v1.30.0 (linux/amd64)",
                new AuditObjectRef("databases", "team-a", "payroll", "dbops.dbprovision.io", "v1alpha1", "status"));
    }

    @Test
    void theLatencyTakesItsPlaceAmongTheAnnotationsInKeyOrder() throws Exception {
        AuditEvent base = sample();
        for (Map<String, String> annotations : List.of(
                Map.<String, String>of(),
                Map.of("a/first", "1"),
                Map.of("z/last", "1"),
                Map.of("a/first", "1", "z/last", "2"),
                Map.of("a/first", "1", AuditEvent.LATENCY_ANNOTATION, "a client's value", "z/last", "2"))) {
            AuditEvent event = new AuditEvent(
                    base.level(),
                    base.auditId(),
                    base.stage(),
                    base.requestUri(),
                    base.verb(),
                    base.user(),
                    base.impersonatedUser(),
                    base.sourceIps(),
                    base.userAgent(),
                    base.objectRef(),
                    base.responseStatus(),
                    base.requestReceivedTimestamp(),
                    base.stageTimestamp(),
                    base.latency(),
                    annotations);
            JsonNode written = JSON.readTree(AuditEventJson.write(event)).get("annotations");

            TreeMap<String, String> expected = new TreeMap<>(annotations);
            expected.put(AuditEvent.LATENCY_ANNOTATION, "1.234ms");
            assertThat(fieldNames(written)).as("%s", annotations).containsExactlyElementsOf(expected.keySet());
            expected.forEach(
                    (key, value) -> assertThat(written.get(key).asText()).isEqualTo(value));
            assertThat(new String(AuditEventJson.line(event), StandardCharsets.UTF_8))
                    .isEqualTo(AuditEventJson.write(event) + "\n");
        }
    }

    @Test
    void everyFieldIsWrittenWithKubernetesNames() throws Exception {
        String line = AuditEventJson.write(sample());
        JsonNode event = JSON.readTree(line);

        assertThat(fieldNames(event))
                .containsExactly(
                        "kind",
                        "apiVersion",
                        "level",
                        "auditID",
                        "stage",
                        "requestURI",
                        "verb",
                        "user",
                        "impersonatedUser",
                        "sourceIPs",
                        "userAgent",
                        "objectRef",
                        "responseStatus",
                        "requestReceivedTimestamp",
                        "stageTimestamp",
                        "annotations");
        assertThat(event.get("kind").asText()).isEqualTo("Event");
        assertThat(event.get("apiVersion").asText()).isEqualTo("audit.k8s.io/v1");
        assertThat(event.get("level").asText()).isEqualTo("Metadata");
        assertThat(event.get("auditID").asText()).isEqualTo("6b0c6e4e-6d5c-4e43-9d7a-1f2a3b4c5d6e");
        assertThat(event.get("stage").asText()).isEqualTo("ResponseComplete");
        assertThat(event.get("requestURI").asText())
                .isEqualTo("/apis/dbops.dbprovision.io/v1alpha1/namespaces/team-a/databases/payroll?timeout=5s");
        assertThat(event.get("verb").asText()).isEqualTo("get");

        JsonNode user = event.get("user");
        assertThat(fieldNames(user)).containsExactly("username", "uid", "groups", "extra");
        assertThat(user.get("username").asText()).isEqualTo("alice");
        assertThat(user.get("uid").asText()).isEqualTo("uid-1");
        assertThat(strings(user.get("groups"))).containsExactly("developers", "system:authenticated");
        assertThat(fieldNames(user.get("extra"))).containsExactly("alpha", "scopes"); // sorted, as Go writes maps
        assertThat(strings(user.get("extra").get("scopes"))).containsExactly("read", "write");
        assertThat(user.get("extra").get("alpha").isArray()).isTrue();

        JsonNode impersonated = event.get("impersonatedUser");
        assertThat(fieldNames(impersonated)).containsExactly("username", "uid", "groups");
        assertThat(impersonated.get("username").asText()).isEqualTo("bob");

        assertThat(strings(event.get("sourceIPs"))).containsExactly("10.0.0.7", "127.0.0.1");
        assertThat(event.get("userAgent").asText()).isEqualTo("kubectl/v1.30.0 (linux/amd64)");

        JsonNode ref = event.get("objectRef");
        assertThat(fieldNames(ref))
                .containsExactly("resource", "namespace", "name", "apiGroup", "apiVersion", "subresource");
        assertThat(ref.get("resource").asText()).isEqualTo("databases");
        assertThat(ref.get("namespace").asText()).isEqualTo("team-a");
        assertThat(ref.get("name").asText()).isEqualTo("payroll");
        assertThat(ref.get("apiGroup").asText()).isEqualTo("dbops.dbprovision.io");
        assertThat(ref.get("apiVersion").asText()).isEqualTo("v1alpha1");
        assertThat(ref.get("subresource").asText()).isEqualTo("status");

        JsonNode status = event.get("responseStatus");
        assertThat(fieldNames(status)).containsExactly("metadata", "status", "message", "reason", "code");
        assertThat(status.get("metadata").isObject()).isTrue();
        assertThat(status.get("metadata").size()).isZero();
        assertThat(status.get("status").asText()).isEqualTo("Failure");
        assertThat(status.get("message").asText()).isEqualTo("databases \"payroll\" is forbidden");
        assertThat(status.get("reason").asText()).isEqualTo("Forbidden");
        assertThat(status.get("code").isInt()).isTrue();
        assertThat(status.get("code").asInt()).isEqualTo(403);

        // MicroTime: microseconds, UTC, always six digits
        assertThat(event.get("requestReceivedTimestamp").asText()).isEqualTo("2025-01-31T08:15:42.123456Z");
        assertThat(event.get("stageTimestamp").asText()).isEqualTo("2025-01-31T08:15:42.124691Z");

        JsonNode annotations = event.get("annotations");
        assertThat(fieldNames(annotations))
                .containsExactly(
                        "authorization.k8s.io/decision", "authorization.k8s.io/reason", "dbprovision.io/latency");
        assertThat(annotations.get("authorization.k8s.io/decision").asText()).isEqualTo("forbid");
        assertThat(annotations.get("authorization.k8s.io/reason").asText()).isEqualTo("no rule");
        assertThat(annotations.get("dbprovision.io/latency").asText()).isEqualTo("1.234ms");
    }

    @Test
    void emptyFieldsAreLeftOutAsKubernetesLeavesThemOut() throws Exception {
        AuditEvent event = new AuditEvent(
                AuditLevel.METADATA,
                "id",
                AuditStage.RESPONSE_STARTED,
                "/healthz",
                "get",
                AuditUser.of("system:anonymous", List.of()),
                null,
                List.of(),
                "",
                null,
                AuditResponseStatus.of(200),
                RECEIVED,
                RECEIVED,
                Duration.ZERO,
                Map.of());
        JsonNode json = JSON.readTree(AuditEventJson.write(event));

        assertThat(fieldNames(json))
                .containsExactly(
                        "kind",
                        "apiVersion",
                        "level",
                        "auditID",
                        "stage",
                        "requestURI",
                        "verb",
                        "user",
                        "responseStatus",
                        "requestReceivedTimestamp",
                        "stageTimestamp",
                        "annotations");
        assertThat(fieldNames(json.get("user"))).containsExactly("username");
        assertThat(fieldNames(json.get("responseStatus"))).containsExactly("metadata", "code");
        assertThat(json.get("stage").asText()).isEqualTo("ResponseStarted");
        assertThat(json.get("annotations").get("dbprovision.io/latency").asText())
                .isEqualTo("0s");
        assertThat(json.get("requestReceivedTimestamp").asText()).isEqualTo("2025-01-31T08:15:42.123456Z");
    }

    @Test
    void aClusterScopedListNamesOnlyWhatThePathNames() throws Exception {
        AuditEvent event = event(
                AuditUser.of("alice", List.of()),
                "/apis/dbops.dbprovision.io/v1alpha1/databaseinstances",
                "",
                new AuditObjectRef("databaseinstances", "", "", "dbops.dbprovision.io", "v1alpha1", ""));
        JsonNode ref = JSON.readTree(AuditEventJson.write(event)).get("objectRef");
        assertThat(fieldNames(ref)).containsExactly("resource", "apiGroup", "apiVersion");
    }

    /** Strings a client controls: names from tokens and certificates, paths, user agents. */
    private static final List<String> HOSTILE = List.of(
            "quote\" backslash\\ slash/",
            "new\nline carriage\rreturn tab\t",
            "nul\u0000 bell\u0007 escape\u001b[31m red del\u007f",
            "next line\u0085 line separator\u2028 paragraph separator\u2029",
            "bidi \u202egnp.exe\u202c isolate\u2066x\u2069 mark\u200f bom\ufeff",
            "lone high \ud800 lone low \udc00 reversed \udc00\ud800",
            "emoji 🎉 accents é 日本語",
            "}{\"kind\":\"Event\",\"level\":\"None\"}\n{",
            new String(
                    new byte[] {'a', (byte) 0xff, (byte) 0xc3, '(', (byte) 0xed, (byte) 0xa0, (byte) 0x80},
                    StandardCharsets.ISO_8859_1),
            new String(
                    new byte[] {'a', (byte) 0xff, (byte) 0xc3, '(', (byte) 0xed, (byte) 0xa0, (byte) 0x80},
                    StandardCharsets.UTF_8));

    @Test
    void hostileStringsStayOnOneLineAndReadBackAsTheyWere() throws Exception {
        for (String hostile : HOSTILE) {
            AuditEvent event = event(
                    new AuditUser(hostile, hostile, List.of(hostile), Map.of(hostile, List.of(hostile))),
                    "/api/v1/namespaces/" + hostile,
                    hostile,
                    new AuditObjectRef(hostile, hostile, hostile, hostile, hostile, hostile));
            byte[] line = AuditEventJson.line(event);

            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line))
                    .toString(); // valid UTF-8, or this throws
            assertThat(text).endsWith("\n");
            String body = text.substring(0, text.length() - 1);
            assertThat(body.chars()
                            .filter(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f))
                            .count())
                    .as("no control character in %s", body)
                    .isZero();
            assertThat(body).doesNotContain("\u2028", "\u2029", "\u202e", "\u2066", "\ufeff");

            JsonNode json = JSON.readTree(body);
            String expected = withoutLoneSurrogates(hostile);
            assertThat(json.get("user").get("username").asText()).isEqualTo(expected);
            assertThat(json.get("user").get("uid").asText()).isEqualTo(expected);
            assertThat(strings(json.get("user").get("groups"))).containsExactly(expected);
            assertThat(fieldNames(json.get("user").get("extra"))).containsExactly(expected);
            assertThat(json.get("requestURI").asText()).isEqualTo("/api/v1/namespaces/" + expected);
            assertThat(json.get("userAgent").asText()).isEqualTo(expected);
            assertThat(json.get("objectRef").get("name").asText()).isEqualTo(expected);
            assertThat(json.get("objectRef").get("subresource").asText()).isEqualTo(expected);
            assertThat(json.get("level").asText()).isEqualTo("Metadata");
            assertThat(json.get("kind").asText()).isEqualTo("Event");
        }
    }

    private static String withoutLoneSurrogates(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append('\ufffd');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    @Test
    void longClientStringsAreCutAndSaySo() throws Exception {
        String agent = "x".repeat(5000);
        String uri = "/api/" + "y".repeat(20_000);
        String message = "z".repeat(10_000);
        AuditEvent event = new AuditEvent(
                AuditLevel.METADATA,
                "id",
                AuditStage.RESPONSE_COMPLETE,
                uri,
                "get",
                AuditUser.of("a", List.of()),
                null,
                List.of(),
                agent,
                null,
                AuditResponseStatus.failure(400, "BadRequest", message),
                RECEIVED,
                RECEIVED,
                Duration.ZERO,
                Map.of());
        JsonNode json = JSON.readTree(AuditEventJson.write(event));
        assertThat(json.get("userAgent").asText())
                .hasSize(1024 + Truncation.MARK.length())
                .endsWith("...TRUNCATED");
        assertThat(json.get("requestURI").asText())
                .hasSize(8192 + Truncation.MARK.length())
                .startsWith("/api/yyy");
        assertThat(json.get("responseStatus").get("message").asText()).hasSize(4096 + Truncation.MARK.length());
    }

    @Test
    void anEventHasNoPlaceForABody() throws Exception {
        assertThat(AuditEvent.class.getRecordComponents())
                .extracting(java.lang.reflect.RecordComponent::getName)
                .noneMatch(
                        name -> name.toLowerCase(java.util.Locale.ROOT).contains("object") && !name.equals("objectRef"))
                .noneMatch(name -> name.toLowerCase(java.util.Locale.ROOT).contains("body"));
        JsonNode json = JSON.readTree(AuditEventJson.write(sample()));
        assertThat(json.has("requestObject")).isFalse();
        assertThat(json.has("responseObject")).isFalse();
    }

    @Test
    void higherLevelsAreRecordedAsMetadataAndNoneIsNeverWritten() {
        AuditEvent sample = sample();
        AuditEvent asked = new AuditEvent(
                AuditLevel.REQUEST_RESPONSE,
                sample.auditId(),
                sample.stage(),
                sample.requestUri(),
                sample.verb(),
                sample.user(),
                null,
                List.of(),
                "",
                null,
                null,
                RECEIVED,
                RECEIVED,
                Duration.ZERO,
                Map.of());
        assertThat(asked.level()).isEqualTo(AuditLevel.METADATA);
        assertThat(AuditEventJson.write(asked)).contains("\"level\":\"Metadata\"");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AuditEvent(
                        AuditLevel.NONE,
                        "id",
                        AuditStage.RESPONSE_COMPLETE,
                        "/",
                        "get",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        RECEIVED,
                        RECEIVED,
                        null,
                        null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void timestampsAreMicroTimeInUtc() {
        for (String instant : List.of(
                "1970-01-01T00:00:00Z",
                "2025-01-31T08:15:42.123456789Z",
                "2024-02-29T23:59:59.999999999Z",
                "0999-12-31T00:00:00.000001Z",
                "2100-07-04T12:00:00.5Z")) {
            Instant time = Instant.parse(instant);
            assertThat(AuditEventJson.microTime(time))
                    .isEqualTo(java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
                            .withZone(java.time.ZoneOffset.UTC)
                            .format(time.truncatedTo(java.time.temporal.ChronoUnit.MICROS)));
        }
        assertThat(AuditEventJson.microTime(Instant.parse("2025-01-31T08:15:42.1Z")))
                .isEqualTo("2025-01-31T08:15:42.100000Z");
    }

    @Test
    void latencyIsWrittenInGoDurationNotation() {
        assertThat(GoDuration.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(GoDuration.format(Duration.ofNanos(999))).isEqualTo("0s");
        assertThat(GoDuration.format(Duration.ofNanos(850_400))).isEqualTo("850µs");
        assertThat(GoDuration.format(Duration.ofMillis(12))).isEqualTo("12ms");
        assertThat(GoDuration.format(Duration.ofNanos(1_230_000))).isEqualTo("1.23ms");
        assertThat(GoDuration.format(Duration.ofNanos(1_000_001_000))).isEqualTo("1.000001s");
        assertThat(GoDuration.format(Duration.ofMillis(2_500))).isEqualTo("2.5s");
        assertThat(GoDuration.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(GoDuration.format(Duration.ofSeconds(3600))).isEqualTo("1h0m0s");
        assertThat(GoDuration.format(Duration.ofMillis(3_723_004))).isEqualTo("1h2m3.004s");
    }

    @Test
    void theBuilderMeasuresLatencyFromTheRequestsReceipt() throws Exception {
        long receivedNanos = System.nanoTime() - 5_000_000; // received 5 ms ago
        Instant receivedAt = Instant.now().minusMillis(5);
        AuditEvent event = AuditEvent.builder("id-1", receivedAt, receivedNanos)
                .user(AuditUser.of("alice", List.of("g")))
                .verb("list")
                .requestUri("/api/v1/namespaces/a/secrets")
                .objectRef(new AuditObjectRef("secrets", "a", "", "", "v1", ""))
                .sourceIps(List.of("127.0.0.1"))
                .userAgent("curl/8")
                .authorization(true, "RBAC: allowed by RoleBinding \"r/a\"")
                .responseCode(200)
                .build(AuditStage.RESPONSE_COMPLETE);

        assertThat(event.latency()).isGreaterThanOrEqualTo(Duration.ofMillis(5));
        assertThat(event.stageTimestamp()).isEqualTo(receivedAt.plus(event.latency()));
        JsonNode json = JSON.readTree(AuditEventJson.write(event));
        assertThat(json.get("annotations").get("authorization.k8s.io/decision").asText())
                .isEqualTo("allow");
        assertThat(json.get("responseStatus").get("code").asInt()).isEqualTo(200);
        assertThat(json.get("annotations").get("dbprovision.io/latency").asText())
                .endsWith("ms");
    }

    @Test
    void aFailureKeepsItsReasonWhenTheCodeIsSetAgain() {
        AuditEvent.Builder builder = AuditEvent.builder("id")
                .responseStatus(AuditResponseStatus.failure(404, "NotFound", "not found"))
                .responseCode(404);
        assertThat(builder.build(AuditStage.RESPONSE_COMPLETE).responseStatus().reason())
                .isEqualTo("NotFound");
        assertThat(builder.responseCode(500).build(AuditStage.RESPONSE_COMPLETE).responseStatus())
                .isEqualTo(AuditResponseStatus.of(500));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
