package io.dbprovision.apiserver.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Audit as a filter uses it: built from the flags, it asks the policy, writes what the policy records at no more than
 * Metadata, and nothing for level None; a request's credentials never reach the log.
 */
class AuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static final AuditUser ALICE = new AuditUser(
            "alice", "uid-1", List.of("developers", "system:authenticated"), Map.of("scopes", List.of("db")));

    /** What the lead's audit filter does for one request, with a Secret's value in everything the request carried. */
    private static void serve(Audit audit, AuditAttributes request, String secretValue) {
        AuditEvent.Builder event = audit.begin(request, AuditIds.forRequest(null), Instant.now(), System.nanoTime());
        event.requestUri(request.path() + "?fieldManager=kubectl")
                .sourceIps(SourceIps.of(null, null, "127.0.0.1"))
                .userAgent("kubectl/v1.30.0");
        // the body (a Secret with stringData) and the response carry the value; nothing in the builder can take them
        String body = "{\"kind\":\"Secret\",\"stringData\":{\"password\":\"" + secretValue + "\"}}";
        assertThat(body).contains(secretValue);
        event.authorization(true, "RBAC: allowed by RoleBinding \"admins/team-a\"");
        event.responseCode(201);
        audit.record(event, AuditStage.RESPONSE_COMPLETE);
    }

    private static AuditAttributes createSecret(String namespace) {
        return AuditAttributes.resource(
                ALICE,
                "create",
                new AuditObjectRef("secrets", namespace, "", "", "v1", ""),
                "/api/v1/namespaces/" + namespace + "/secrets");
    }

    @Test
    void withAFileAndNoPolicyEveryRequestIsOneMetadataLine() throws Exception {
        Path log = dir.resolve("audit.log");
        try (Audit audit = Audit.from(AuditOptions.defaults().withLogPath(log.toString()))) {
            assertThat(audit.enabled()).isTrue();
            serve(audit, createSecret("team-a"), "s3cr3t-value");
            serve(audit, AuditAttributes.nonResource(ALICE, "get", "/healthz"), "s3cr3t-value");
        }
        String text = Files.readString(log);
        assertThat(text).doesNotContain("s3cr3t-value");
        assertThat(text.lines()).hasSize(2);
        JsonNode event = JSON.readTree(text.lines().findFirst().orElseThrow());
        assertThat(event.get("level").asText()).isEqualTo("Metadata");
        assertThat(event.get("verb").asText()).isEqualTo("create");
        assertThat(event.get("user").get("username").asText()).isEqualTo("alice");
        assertThat(event.get("objectRef").get("resource").asText()).isEqualTo("secrets");
        assertThat(event.get("objectRef").get("namespace").asText()).isEqualTo("team-a");
        assertThat(event.get("responseStatus").get("code").asInt()).isEqualTo(201);
        assertThat(event.get("sourceIPs").get(0).asText()).isEqualTo("127.0.0.1");
        assertThat(event.get("auditID").asText()).matches("[0-9a-f-]{36}");
        assertThat(event.has("requestObject")).isFalse();
        assertThat(event.has("responseObject")).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log)))
                .isEqualTo("rw-------");
    }

    @Test
    void aPolicyChoosesWhatIsWrittenAndRequestResponseIsWrittenAsMetadata() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                rules:
                  - level: None
                    namespaces: [quiet]
                  - level: RequestResponse
                    resources:
                      - group: ""
                        resources: [secrets]
                  - level: Metadata
                    omitStages: [ResponseComplete]
                """);
        Path log = dir.resolve("audit.log");
        try (Audit audit = Audit.from(new AuditOptions(policy.toString(), log.toString(), 1, 2, 3, "json"))) {
            serve(audit, createSecret("quiet"), "value-1"); // None: nothing
            serve(audit, createSecret("loud"), "value-2"); // RequestResponse: one Metadata line, no body
            serve(audit, AuditAttributes.nonResource(ALICE, "get", "/version"), "value-3"); // stage omitted
        }
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(1);
        JsonNode event = JSON.readTree(lines.get(0));
        assertThat(event.get("level").asText()).isEqualTo("Metadata");
        assertThat(event.get("objectRef").get("namespace").asText()).isEqualTo("loud");
        assertThat(lines.get(0)).doesNotContain("value-1", "value-2", "value-3");
    }

    @Test
    void aWatchCanRecordWhenItStartsAndWhenItEnds() throws Exception {
        Path log = dir.resolve("audit.log");
        try (Audit audit = Audit.from(AuditOptions.defaults().withLogPath(log.toString()))) {
            AuditAttributes watch = AuditAttributes.resource(
                    ALICE,
                    "watch",
                    new AuditObjectRef("databases", "a", "", "dbops.dbprovision.io", "v1alpha1", ""),
                    "/apis/dbops.dbprovision.io/v1alpha1/namespaces/a/databases");
            AuditEvent.Builder event = audit.begin(watch, "watch-1", Instant.now(), System.nanoTime());
            event.responseCode(200);
            audit.record(event, AuditStage.RESPONSE_STARTED);
            audit.record(event, AuditStage.RESPONSE_COMPLETE);
        }
        List<String> stages = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            JsonNode event = JSON.readTree(line);
            assertThat(event.get("auditID").asText()).isEqualTo("watch-1");
            stages.add(event.get("stage").asText());
        }
        assertThat(stages).containsExactly("ResponseStarted", "ResponseComplete");
    }

    @Test
    void withoutALogPathAuditIsOffButABrokenPolicyIsStillFound() throws Exception {
        Audit audit = Audit.from(AuditOptions.defaults());
        assertThat(audit.enabled()).isFalse();
        AuditEvent.Builder event = audit.begin(createSecret("a"), "id", Instant.now(), System.nanoTime());
        assertThat(event.records(AuditStage.RESPONSE_COMPLETE)).isFalse();
        audit.record(event, AuditStage.RESPONSE_COMPLETE); // nothing, no error
        audit.close();

        Path broken = Files.writeString(dir.resolve("policy.yaml"), "apiVersion: audit.k8s.io/v1\nkind: Policy\n");
        assertThatThrownBy(() -> Audit.from(AuditOptions.defaults().withPolicyFile(broken.toString())))
                .isInstanceOf(AuditConfigurationException.class)
                .hasMessageContaining("rules: Required value");
    }

    @Test
    void flagsOutOfRangeAreRefusedByName() {
        assertThatThrownBy(() -> Audit.from(new AuditOptions("", "-", -1, -2, -3, "legacy")))
                .isInstanceOf(AuditConfigurationException.class)
                .hasMessageContaining("--audit-log-format legacy: unsupported, the only format is json")
                .hasMessageContaining("--audit-log-maxage -3 can't be a negative number")
                .hasMessageContaining("--audit-log-maxbackup -2 can't be a negative number")
                .hasMessageContaining("--audit-log-maxsize -1 can't be a negative number");
    }

    @Test
    void theFlagsHaveKubernetesNamesAndDefaults() {
        @Command(name = "serve")
        class Serve {
            @Mixin
            AuditFlags audit;
        }
        Serve defaults = new Serve();
        new CommandLine(defaults).parseArgs();
        assertThat(defaults.audit.options()).isEqualTo(AuditOptions.defaults());
        assertThat(AuditOptions.defaults().rotation()).isEqualTo(FileAuditLog.Rotation.defaults());

        Serve given = new Serve();
        new CommandLine(given)
                .parseArgs(
                        "--audit-policy-file=/etc/audit/policy.yaml",
                        "--audit-log-path=-",
                        "--audit-log-maxsize=10",
                        "--audit-log-maxbackup=5",
                        "--audit-log-maxage=30",
                        "--audit-log-format=json");
        AuditOptions options = given.audit.options();
        assertThat(options).isEqualTo(new AuditOptions("/etc/audit/policy.yaml", "-", 10, 5, 30, "json"));
        assertThat(options.rotation().maxBytes()).isEqualTo(10L * 1024 * 1024);
        assertThat(options.rotation().maxAge()).isEqualTo(java.time.Duration.ofDays(30));
    }

    @Test
    void anAuditIdFromTheKubeApiserverIsKeptAndAnythingElseReplaced() {
        assertThat(AuditIds.forRequest("4f6f3c36-1a8e-4f7e-9c2b-0f6f3c361a8e"))
                .isEqualTo("4f6f3c36-1a8e-4f7e-9c2b-0f6f3c361a8e");
        for (String bad : new String[] {null, "", "has space", "new\nline", "x".repeat(129), "ünïcode"}) {
            assertThat(AuditIds.forRequest(bad)).isNotEqualTo(bad).matches("[0-9a-f-]{36}");
        }
    }

    @Test
    void sourceIpsListForwardedAddressesThenThePeerEachOnce() {
        assertThat(SourceIps.of("203.0.113.7, 10.0.0.1", "10.0.0.1", "10.0.0.2"))
                .containsExactly("203.0.113.7", "10.0.0.1", "10.0.0.2");
        assertThat(SourceIps.of(null, null, "127.0.0.1")).containsExactly("127.0.0.1");
        assertThat(SourceIps.of("10.0.0.9", null, "10.0.0.9")).containsExactly("10.0.0.9");
        assertThat(SourceIps.of("evil.example.com, 999.1.1.1, ::1, \n1.2.3.4", "not-an-ip", "::ffff:10.0.0.1"))
                .containsExactly("::1", "1.2.3.4", "::ffff:10.0.0.1");
    }

    @Test
    void dottedQuadsAreFourGroupsOfUpToThreeDigitsUpTo255() {
        for (String ip : List.of("1.2.3.4", "0.0.0.0", "255.255.255.255", "001.02.3.4")) {
            assertThat(SourceIps.isIpLiteral(ip)).as(ip).isTrue();
        }
        for (String notIp : List.of(
                "256.1.1.1",
                "1.2.3",
                "1.2.3.4.5",
                "1..2.3",
                ".1.2.3",
                "1.2.3.",
                "0001.2.3.4",
                "1.2.3.a",
                "1.2.3.4 ",
                "+1.2.3.4",
                "1.2.3.-4",
                "",
                "....",
                "1.2.3.999")) {
            assertThat(SourceIps.isIpLiteral(notIp)).as(notIp).isFalse();
        }
    }
}
