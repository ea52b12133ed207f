package io.dbprovision.apiserver.reconcile;

import static io.dbprovision.apiserver.reconcile.UserTestSupport.assertNoLeak;
import static io.dbprovision.apiserver.reconcile.UserTestSupport.condition;
import static io.dbprovision.apiserver.reconcile.UserTestSupport.conditionOf;
import static io.dbprovision.apiserver.reconcile.UserTestSupport.editSecret;
import static io.dbprovision.apiserver.reconcile.UserTestSupport.secret;
import static io.dbprovision.apiserver.reconcile.UserTestSupport.secretYaml;
import static io.dbprovision.apiserver.reconcile.UserTestSupport.value;
import static io.dbprovision.apiserver.reconcile.UserTestSupport.withData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.api.kinds.CredentialsSecretNames;
import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.reconcile.user.TemplateCredentialsRenderer;
import io.dbprovision.apiserver.reconcile.user.UserLogic;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.proto.k8s.core.v1.Secret;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.DatabaseUserSpec;
import io.dbprovision.proto.v1alpha1.InstanceReference;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.dbprovision.proto.v1alpha1.PasswordRotationConfig;
import io.dbprovision.proto.v1alpha1.PendingDeletionState;
import io.dbprovision.proto.v1alpha1.RotationStrategy;
import io.dbprovision.provisioner.engine.password.ScramSha256;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DatabaseUsers on the local PostgreSQL through the real registry and the real engine service: the credentials
 * Secret is written before the engine sets the password, survives a crash, is regenerated when deleted, follows the
 * template; drift is detected and corrected; deletion drops (or keeps) the user and its Secret, and waits while the
 * user owns objects; rotation creates, verifies, switches and retires users on a clock the test moves.
 *
 * <p>The server trusts every connection from 127.0.0.1, so a login proves the user exists and may log in, not its
 * password: the password is checked against the SCRAM verifier the server stores.
 */
class UserReconcilePostgresTest {
    private static final String NS = "team-a";
    private static final String JDBC = "jdbc:postgresql://127.0.0.1:5432/postgres";

    @TempDir
    Path dir;

    private final String prefix =
            "dbpru_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final String username = prefix + "_app";
    private final String secretName = username.replace('_', '-') + "-credentials";
    private final SettableClock clock = new SettableClock(Instant.parse("2030-01-01T12:00:00Z"));
    private final List<String> passwords = new ArrayList<>();
    private ReconcileHarness harness;
    private LogCapture logs;

    @BeforeEach
    void start() throws Exception {
        logs = new LogCapture();
        harness = new ReconcileHarness(dir, DbopsControllers.Settings.DEFAULTS, clock);
        harness.apply(DatabaseReconcileTest.postgresInstance(NS));
        harness.awaitReady("databaseinstances", NS, "pg");
    }

    @AfterEach
    void stop() throws Exception {
        try {
            harness.close();
        } finally {
            logs.close();
            dropRoles(prefix);
        }
    }

    private String user(String name, String extraSpec) {
        return user(name, username, extraSpec, "");
    }

    private static String user(String name, String username, String extraSpec, String annotations) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseUser
                metadata:
                  name: %s
                  namespace: %s
                  annotations: {%s}
                spec:
                  instanceRef: {name: pg}
                  username: %s
                %s""".formatted(name, NS, annotations, username, extraSpec.indent(2));
    }

    private DatabaseUser awaitReady(String name) {
        return harness.awaitReady("databaseusers", NS, name);
    }

    @Test
    void aUserBecomesReadyWithItsCredentialInAnOwnedSecret() throws Exception {
        harness.apply(user("app", ""));
        DatabaseUser ready = awaitReady("app");

        Secret secret = secret(harness, NS, secretName);
        String password = value(secret, "password");
        passwords.add(password);
        assertThat(secret.getDataMap()).containsOnlyKeys("username", "password", "host", "port");
        assertThat(value(secret, "username")).isEqualTo(username);
        assertThat(value(secret, "host")).isEqualTo("127.0.0.1");
        assertThat(value(secret, "port")).isEqualTo("5432");
        assertThat(password).hasSize(32);
        assertThat(secret.getType()).isEqualTo("Opaque");
        assertThat(secret.getMetadata().getLabelsMap())
                .containsEntry("app.kubernetes.io/managed-by", "dbprovision")
                .containsEntry("dbops.dbprovision.io/user", "app");
        assertThat(secret.getMetadata().getOwnerReferencesList())
                .singleElement()
                .satisfies(owner -> {
                    assertThat(owner.getApiVersion()).isEqualTo("dbops.dbprovision.io/v1alpha1");
                    assertThat(owner.getKind()).isEqualTo("DatabaseUser");
                    assertThat(owner.getName()).isEqualTo("app");
                    assertThat(owner.getUid()).isEqualTo(ready.getMetadata().getUid());
                    assertThat(owner.getController()).isTrue();
                    assertThat(owner.getBlockOwnerDeletion()).isTrue();
                });
        assertThat(secret.getMetadata().getAnnotationsMap()).isEmpty();

        assertThat(ready.getMetadata().getFinalizersList()).contains("dbops.dbprovision.io/user-protection");
        assertThat(ready.getStatus().getSecret().getName()).isEqualTo(secretName);
        assertThat(ready.getStatus().getSecret().getNamespace()).isEqualTo(NS);
        assertThat(ready.getStatus().getSecret().hasLastRotatedAt()).isTrue();
        assertThat(ready.getStatus().getUser().getUsername()).isEqualTo(username);
        assertThat(conditionOf(ready, "Synced").getStatus().name()).endsWith("TRUE");
        assertThat(passwordMatches(username, password)).isTrue();
        assertThat(logsIn(username, password)).isTrue();
        harness.awaitEvents(1, "DatabaseUser/" + NS + "/app Normal Created");

        // A later reconcile (a drift check, here) finds the Secret as it should be and does not write it again.
        String secretVersion = secret.getMetadata().getResourceVersion();
        long checked = ready.getStatus().getDrift().getLastChecked().getSeconds();
        clock.advance(Duration.ofHours(9));
        harness.nudge("databaseusers", NS, "app");
        DatabaseUser checkedAgain = harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) -> u.getStatus().getDrift().getLastChecked().getSeconds() > checked);
        assertThat(checkedAgain.getStatus().getDrift().getDetected()).isFalse();
        assertThat(secret(harness, NS, secretName).getMetadata().getResourceVersion())
                .isEqualTo(secretVersion);
        assertNoLeak(harness, logs, passwords, List.of(checkedAgain));
    }

    @Test
    void aCrashBetweenTheSecretAndTheEngineLosesNothing() throws Exception {
        // As a stop right after the Secret was written leaves it: labelled, with a password no server knows yet.
        String known = "Known-password-1!";
        passwords.add(known);
        harness.apply(secretYaml(NS, secretName, "app", Map.of("username", username, "password", known)));
        harness.apply(user("app", ""));
        DatabaseUser ready = awaitReady("app");

        Secret secret = secret(harness, NS, secretName);
        assertThat(value(secret, "password")).isEqualTo(known);
        assertThat(secret.getDataMap()).containsOnlyKeys("username", "password", "host", "port");
        assertThat(secret.getMetadata().getOwnerReferencesList())
                .singleElement()
                .satisfies(owner ->
                        assertThat(owner.getUid()).isEqualTo(ready.getMetadata().getUid()));
        assertThat(passwordMatches(username, known)).isTrue();
        assertThat(harness.events).noneMatch(e -> e.contains("SecretRegenerated"));
        assertNoLeak(harness, logs, passwords, List.of(ready));
    }

    @Test
    void aDeletedSecretIsRegeneratedAndTheNewPasswordReplacesTheOld() throws Exception {
        harness.apply(user("app", ""));
        awaitReady("app");
        String old = value(secret(harness, NS, secretName), "password");
        passwords.add(old);

        harness.delete("secrets", NS, secretName);
        Secret regenerated = harness.await("secrets", NS, secretName, (Secret s) -> !old.equals(value(s, "password")));
        String fresh = value(regenerated, "password");
        passwords.add(fresh);
        Await.until("the new password is set", () -> passwordMatches(username, fresh));
        assertThat(passwordMatches(username, old)).isFalse();
        Await.until(
                "SecretRegenerated is reported",
                () -> harness.events.stream().anyMatch(e -> e.contains("Normal SecretRegenerated")));
        assertNoLeak(harness, logs, passwords, List.of(awaitReady("app")));
    }

    @Test
    void aSecretThatLostAKeyIsRepairedAndOneThatLostItsPasswordGetsANewOne() throws Exception {
        harness.apply(user("app", ""));
        awaitReady("app");
        String old = value(secret(harness, NS, secretName), "password");
        passwords.add(old);

        editSecret(harness, NS, secretName, s -> withData(s, Map.of("username", username, "password", old)));
        harness.await("secrets", NS, secretName, (Secret s) -> "127.0.0.1".equals(value(s, "host")));
        assertThat(value(secret(harness, NS, secretName), "password")).isEqualTo(old);

        editSecret(harness, NS, secretName, s -> withData(s, Map.of("username", username, "host", "x")));
        Secret repaired = harness.await("secrets", NS, secretName, (Secret s) -> value(s, "password") != null);
        String fresh = value(repaired, "password");
        passwords.add(fresh);
        assertThat(fresh).isNotEqualTo(old);
        assertThat(value(repaired, "host")).isEqualTo("127.0.0.1");
        Await.until("the new password is set", () -> passwordMatches(username, fresh));
        assertNoLeak(harness, logs, passwords, List.of(awaitReady("app")));
    }

    @Test
    void renamingTheSecretMovesTheCredential() throws Exception {
        harness.apply(user("app", ""));
        awaitReady("app");
        String password = value(secret(harness, NS, secretName), "password");
        passwords.add(password);

        harness.apply(user("app", "passwordSecret: {secretName: app-renamed}"));
        Secret moved = harness.await("secrets", NS, "app-renamed", (Secret s) -> true);
        assertThat(value(moved, "password")).isEqualTo(password);
        Await.until("the old Secret goes", () -> !harness.exists("secrets", NS, secretName));
        DatabaseUser ready = harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) -> UserTestSupport.caughtUp(u)
                        && u.getStatus().getSecret().getName().equals("app-renamed"));
        assertThat(passwordMatches(username, password)).isTrue();
        assertThat(harness.events).noneMatch(e -> e.contains("SecretRegenerated"));
        assertNoLeak(harness, logs, passwords, List.of(ready));
    }

    @Test
    void aSecretNamingAnotherUserIsNotBelieved() throws Exception {
        harness.apply(user("app", ""));
        awaitReady("app");
        String adminVerifier = verifier("postgres").orElse("");
        String password = value(secret(harness, NS, secretName), "password");
        passwords.add(password);

        editSecret(harness, NS, secretName, s -> withData(s, Map.of("username", "postgres", "password", "owned!")));
        DatabaseUser refused = harness.await(
                "databaseusers", NS, "app", (DatabaseUser u) -> condition(u, "Ready", "SecretUserUnknown"));
        assertThat(refused.getStatus().getMessage()).contains("names user postgres");
        assertThat(verifier("postgres").orElse("")).isEqualTo(adminVerifier);
        assertThat(value(secret(harness, NS, secretName), "username")).isEqualTo("postgres");
    }

    @Test
    void aSecretOfTheSameNameThatIsNotTheUsersIsLeftAlone() throws Exception {
        harness.apply(secretYaml(NS, secretName, null, Map.of("username", "postgres", "password", "admin-pw")));
        harness.apply(user("app", ""));
        DatabaseUser refused =
                harness.await("databaseusers", NS, "app", (DatabaseUser u) -> condition(u, "Ready", "SecretConflict"));
        assertThat(refused.getStatus().getPhase().name()).endsWith("FAILED");
        Secret untouched = secret(harness, NS, secretName);
        assertThat(untouched.getDataMap()).containsOnlyKeys("username", "password");
        assertThat(untouched.getMetadata().getOwnerReferencesList()).isEmpty();
        assertThat(roleExists(username)).isFalse();
    }

    @Test
    void aSecretTemplateRendersItsKeysAndKeepsTheRawCredentialNeverInAnAnnotation() throws Exception {
        harness.apply(user("app", """
                passwordSecret:
                  secretName: app-db
                  secretTemplate:
                    type: example.com/db
                    labels: {team: a, app.kubernetes.io/managed-by: someone-else}
                    annotations: {note: kept}
                    data:
                      DATABASE_URL: "{{ .DatabaseURL }}"
                      login: "{{ .Username }}@{{ .Host }}"
                """));
        awaitReady("app");
        Secret secret = secret(harness, NS, "app-db");
        String password = value(secret, "password");
        passwords.add(password);
        assertThat(secret.getDataMap()).containsOnlyKeys("DATABASE_URL", "login", "username", "password");
        assertThat(value(secret, "login")).isEqualTo(username + "@127.0.0.1");
        assertThat(secret.getType()).isEqualTo("example.com/db");
        assertThat(secret.getMetadata().getLabelsMap())
                .containsEntry("team", "a")
                .containsEntry("app.kubernetes.io/managed-by", "dbprovision");
        assertThat(secret.getMetadata().getAnnotationsMap()).containsExactly(Map.entry("note", "kept"));
        URI url = URI.create(value(secret, "DATABASE_URL"));
        assertThat(url.getScheme()).isEqualTo("postgresql");
        assertThat(url.getHost()).isEqualTo("127.0.0.1");
        assertThat(url.getPort()).isEqualTo(5432);
        assertThat(url.getPath()).isEqualTo("/postgres");
        assertThat(url.getQuery()).isEqualTo("sslmode=disable");
        String[] userInfo = url.getRawUserInfo().split(":", 2);
        assertThat(URLDecoder.decode(userInfo[0], StandardCharsets.UTF_8)).isEqualTo(username);
        assertThat(URLDecoder.decode(userInfo[1], StandardCharsets.UTF_8)).isEqualTo(password);
        assertThat(passwordMatches(username, password)).isTrue();

        // An annotation added by someone else stays when the Secret is written again.
        editSecret(
                harness,
                NS,
                "app-db",
                s -> s.toBuilder()
                        .setMetadata(s.getMetadata().toBuilder().putAnnotations("external", "yes"))
                        .removeData("login")
                        .build());
        Secret rewritten = harness.await("secrets", NS, "app-db", (Secret s) -> value(s, "login") != null);
        assertThat(rewritten.getMetadata().getAnnotationsMap()).containsEntry("external", "yes");
        assertNoLeak(harness, logs, passwords, List.of(awaitReady("app")));
    }

    @Test
    void aTemplateErrorFailsTheUserAndWritesNothing() throws Exception {
        harness.apply(user("broken", prefix + "_b1", """
                passwordSecret:
                  secretName: broken-db
                  secretTemplate:
                    data: {url: "{{ .Password"}
                """, ""));
        DatabaseUser broken = harness.await(
                "databaseusers", NS, "broken", (DatabaseUser u) -> condition(u, "Ready", "SecretTemplateInvalid"));
        assertThat(broken.getStatus().getPhase().name()).endsWith("FAILED");
        assertThat(broken.getStatus().getMessage()).contains("secretTemplate.data[\"url\"]");
        assertThat(harness.exists("secrets", NS, "broken-db")).isFalse();
        assertThat(roleExists(prefix + "_b1")).isFalse();

        // A password key that is not the password could not be read back: refused too.
        harness.apply(user("derived", prefix + "_b2", """
                passwordSecret:
                  secretName: derived-db
                  secretTemplate:
                    data: {password: "{{ .Username }}"}
                """, ""));
        DatabaseUser derived = harness.await(
                "databaseusers", NS, "derived", (DatabaseUser u) -> condition(u, "Ready", "SecretTemplateInvalid"));
        assertThat(derived.getStatus().getMessage()).contains("must render to the password itself");
        assertThat(harness.exists("secrets", NS, "derived-db")).isFalse();
        harness.awaitEvents(1, "Warning ReconcileFailed secretTemplate.data");
    }

    @Test
    void namesAtTheirLimitsWork() throws Exception {
        String longest = (prefix + "_" + "x".repeat(63)).substring(0, 63);
        String longestSecret = ("a".repeat(63) + ".").repeat(3) + "b".repeat(61);
        assertThat(longestSecret).hasSize(253);
        harness.apply(user("longest", longest, """
                passwordSecret:
                  secretName: %s
                  length: 128
                  includeSpecialChars: false
                """.formatted(longestSecret), ""));
        DatabaseUser ready = awaitReady("longest");
        String password = value(secret(harness, NS, longestSecret), "password");
        passwords.add(password);
        assertThat(password).hasSize(128).matches("[A-Za-z0-9]+");
        assertThat(passwordMatches(longest, password)).isTrue();

        // The default Secret name of a 63-character username with capitals and underscores.
        String capitals = (prefix.toUpperCase() + "_" + "Y".repeat(63)).substring(0, 63);
        harness.apply(user("capitals", capitals, "", ""));
        awaitReady("capitals");
        String defaultName = CredentialsSecretNames.defaultFor(capitals);
        assertThat(defaultName).startsWith(capitals.toLowerCase().replace('_', '-') + ".");
        assertThat(value(secret(harness, NS, defaultName), "username")).isEqualTo(capitals);
        passwords.add(value(secret(harness, NS, defaultName), "password"));

        // A Secret name no Secret can have is refused at the door, before anything reaches the server.
        assertThatThrownBy(() ->
                        harness.apply(user("badname", prefix + "_bad", "passwordSecret: {secretName: Not_A_Name}", "")))
                .isInstanceOf(ApiException.Invalid.class)
                .hasMessageContaining("spec.passwordSecret.secretName");
        assertThat(roleExists(prefix + "_bad")).isFalse();
        assertNoLeak(harness, logs, passwords, List.of(ready));
    }

    @Test
    void aUserDroppedOrChangedOutOfBandIsDetectedThenCorrected() throws Exception {
        harness.apply(user("app", "driftPolicy: {mode: detect, interval: 10s}"));
        awaitReady("app");
        String password = value(secret(harness, NS, secretName), "password");
        passwords.add(password);

        execute("DROP ROLE " + quoted(username));
        clock.advance(Duration.ofMinutes(1));
        harness.nudge("databaseusers", NS, "app");
        DatabaseUser detected = harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) -> u.getStatus().getDrift().getDetected());
        assertThat(detected.getStatus().getDrift().getDiffsList())
                .anySatisfy(d -> assertThat(d.getField()).isEqualTo("user"));
        assertThat(roleExists(username)).isFalse();
        harness.awaitEvents(1, "Warning DriftDetected drift detected in user");

        harness.apply(user("app", "driftPolicy: {mode: correct, interval: 10s}"));
        harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) ->
                        UserTestSupport.caughtUp(u) && !u.getStatus().getDrift().getDetected());
        assertThat(passwordMatches(username, password)).isTrue();

        execute("DROP ROLE " + quoted(username));
        clock.advance(Duration.ofMinutes(1));
        harness.nudge("databaseusers", NS, "app");
        Await.until("the user is back", () -> passwordMatches(username, password));
        Await.until(
                "DriftCorrected is reported",
                () -> harness.events.stream()
                        .anyMatch(e -> e.contains("Normal DriftCorrected corrected drift in user")));

        // A password set by hand is reset from the Secret.
        execute("ALTER ROLE " + quoted(username) + " PASSWORD 'set-by-hand'");
        assertThat(passwordMatches(username, password)).isFalse();
        clock.advance(Duration.ofMinutes(1));
        harness.nudge("databaseusers", NS, "app");
        Await.until("the password is the Secret's again", () -> passwordMatches(username, password));
        assertNoLeak(harness, logs, passwords, List.of(awaitReady("app")));
    }

    /**
     * Memberships: one a DatabaseGrant gives is not the user's drift; one granted by hand is (destructive), and a
     * correction takes it back only when the user allows destructive corrections — never what the spec or a grant
     * gives.
     */
    @Test
    void extraMembershipsAreDriftRevokedOnlyByAnAllowedDestructiveCorrection() throws Exception {
        String declared = prefix + "_declared";
        String granted = prefix + "_granted";
        String byHand = prefix + "_byhand";
        for (String role : List.of(declared, granted, byHand)) {
            execute("CREATE ROLE " + quoted(role));
        }
        String spec = "postgres: {inRoles: [" + declared + "]}\ndriftPolicy: {mode: %s, interval: 10s}";
        harness.apply(user("app", spec.formatted("detect")));
        awaitReady("app");
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseGrant
                metadata: {name: app-role, namespace: %s}
                spec:
                  userRef: {name: app}
                  deletionProtection: false
                  postgres: {roles: [%s]}
                """.formatted(NS, granted));
        harness.awaitReady("databasegrants", NS, "app-role");
        assertThat(memberships(username)).containsExactlyInAnyOrder(declared, granted);

        DatabaseUser checked = checkDrift();
        assertThat(checked.getStatus().getDrift().getDetected())
                .as(
                        "a grant's membership is not the user's drift: %s",
                        checked.getStatus().getDrift())
                .isFalse();

        execute("GRANT " + quoted(byHand) + " TO " + quoted(username));
        DatabaseUser drifted = checkDrift();
        assertThat(drifted.getStatus().getDrift().getDiffsList())
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.getField()).isEqualTo("inRoles.extra");
                    assertThat(d.getActual()).isEqualTo(byHand);
                    assertThat(d.getDestructive()).isTrue();
                });

        // Correct, but not allowed to be destructive: reported, kept.
        harness.apply(user("app", spec.formatted("correct")));
        harness.await("databaseusers", NS, "app", (DatabaseUser u) -> UserTestSupport.caughtUp(u));
        checkDrift();
        assertThat(memberships(username)).containsExactlyInAnyOrder(declared, granted, byHand);

        // Allowed: the hand-made membership goes, the declared and the granted ones stay.
        harness.apply(user(
                "app", username, spec.formatted("correct"), "dbops.dbprovision.io/allow-destructive-drift: \"true\""));
        harness.await("databaseusers", NS, "app", (DatabaseUser u) -> UserTestSupport.caughtUp(u));
        DatabaseUser corrected = checkDrift();
        assertThat(memberships(username)).containsExactlyInAnyOrder(declared, granted);
        harness.awaitEvents(
                1, "Normal Revoked revoked from user " + username + " memberships nothing declares: " + byHand);
        assertThat(corrected.getStatus().getDrift().getDetected()).isFalse();
    }

    /** Lets the next drift check run and waits for it. */
    private DatabaseUser checkDrift() {
        long before = ((DatabaseUser) harness.get("databaseusers", NS, "app"))
                .getStatus()
                .getDrift()
                .getLastChecked()
                .getSeconds();
        clock.advance(Duration.ofMinutes(1));
        harness.nudge("databaseusers", NS, "app");
        return harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) -> u.getStatus().getDrift().getLastChecked().getSeconds() > before);
    }

    private static List<String> memberships(String role) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = admin();
                var q = c.prepareStatement("SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
                        + " JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = ? ORDER BY 1")) {
            q.setString(1, role);
            try (var rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    @Test
    void deletionDropsTheUserAndItsSecret() throws Exception {
        harness.apply(user("app", ""));
        awaitReady("app");
        passwords.add(value(secret(harness, NS, secretName), "password"));

        harness.delete("databaseusers", NS, "app");
        Await.until("the DatabaseUser goes", () -> !harness.exists("databaseusers", NS, "app"));
        assertThat(roleExists(username)).isFalse();
        assertThat(harness.exists("secrets", NS, secretName)).isFalse();
        harness.awaitEvents(1, "Normal Deleted user " + username + " dropped");
    }

    @Test
    void deletionWithRetainKeepsTheUserAndItsSecret() throws Exception {
        harness.apply(user("app", username, "", "dbops.dbprovision.io/deletion-policy: Retain"));
        awaitReady("app");
        String password = value(secret(harness, NS, secretName), "password");
        passwords.add(password);

        harness.delete("databaseusers", NS, "app");
        Await.until("the DatabaseUser goes", () -> !harness.exists("databaseusers", NS, "app"));
        assertThat(passwordMatches(username, password)).isTrue();
        Secret kept = secret(harness, NS, secretName);
        assertThat(value(kept, "password")).isEqualTo(password);
        assertThat(kept.getMetadata().getOwnerReferencesList()).isEmpty();

        // A new DatabaseUser of the same name takes the kept Secret over, password and all.
        harness.apply(user("app", ""));
        DatabaseUser again = awaitReady("app");
        assertThat(value(secret(harness, NS, secretName), "password")).isEqualTo(password);
        assertThat(secret(harness, NS, secretName).getMetadata().getOwnerReferencesList())
                .singleElement()
                .satisfies(owner ->
                        assertThat(owner.getUid()).isEqualTo(again.getMetadata().getUid()));
    }

    @Test
    void objectsTheUserOwnsBlockItsDeletionUntilTheyAreGone() throws Exception {
        harness.apply(user("app", ""));
        awaitReady("app");
        passwords.add(value(secret(harness, NS, secretName), "password"));
        String table = prefix + "_owned";
        execute("CREATE TABLE public." + quoted(table) + " (id int)");
        execute("ALTER TABLE public." + quoted(table) + " OWNER TO " + quoted(username));

        harness.delete("databaseusers", NS, "app");
        DatabaseUser blocked = harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) -> u.getStatus().getOwnershipBlock().getBlocked());
        assertThat(blocked.getStatus().getOwnershipBlock().getOwnedObjectsList())
                .anySatisfy(o -> assertThat(o.getName()).isEqualTo(table));
        assertThat(blocked.getStatus().getOwnershipBlock().getResolution())
                .isEqualTo("REASSIGN OWNED BY \"" + username + "\" TO \"svc_" + username + "\"");
        assertThat(condition(blocked, "Ready", "OwnershipBlocks")).isTrue();
        assertThat(blocked.getStatus().getPhase().name()).endsWith("FAILED");
        assertThat(roleExists(username)).isTrue();
        Await.until(
                "DeletionBlocked is reported",
                () -> harness.events.stream().anyMatch(e -> e.contains("Warning DeletionBlocked user " + username)));

        execute("DROP TABLE public." + quoted(table));
        harness.nudge("databaseusers", NS, "app");
        Await.until("the DatabaseUser goes", () -> !harness.exists("databaseusers", NS, "app"));
        assertThat(roleExists(username)).isFalse();
        assertThat(harness.exists("secrets", NS, secretName)).isFalse();
    }

    @Test
    void rotationSwitchesToAVerifiedNewUserAndRetiresTheOldOnesAfterTheirGracePeriod() throws Exception {
        String serviceRole = prefix + "_svc";
        harness.apply(user("app", """
                passwordRotation:
                  enabled: true
                  schedule: "0 0 * * *"
                  serviceRole: {name: %s}
                  oldUserPolicy: {action: delete, gracePeriodDays: 1}
                """.formatted(serviceRole)));
        DatabaseUser enabled = harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) -> u.getStatus().getRotation().getEnabled());
        assertThat(enabled.getStatus().getRotation().getActiveUser()).isEqualTo(username);
        assertThat(Instant.ofEpochSecond(
                        enabled.getStatus().getRotation().getNextRotationAt().getSeconds()))
                .isEqualTo(Instant.parse("2030-01-02T00:00:00Z"));
        String basePassword = value(secret(harness, NS, secretName), "password");
        passwords.add(basePassword);
        assertThat(roleExists(serviceRole)).isFalse(); // nothing happens before the first slot

        // First rotation: the base user's credential moves to a new user.
        clock.set(Instant.parse("2030-01-02T00:01:00Z"));
        harness.nudge("databaseusers", NS, "app");
        String first = username + "_20300102";
        DatabaseUser rotated = harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) -> u.getStatus().getRotation().getActiveUser().equals(first));
        Secret secret = secret(harness, NS, secretName);
        String firstPassword = value(secret, "password");
        passwords.add(firstPassword);
        assertThat(value(secret, "username")).isEqualTo(first);
        assertThat(firstPassword).isNotEqualTo(basePassword);
        assertThat(secret.getDataMap()).doesNotContainKeys("pending-username", "pending-password");
        assertThat(passwordMatches(first, firstPassword)).isTrue();
        assertThat(logsIn(first, firstPassword)).isTrue();
        assertThat(memberOf(first)).contains(serviceRole, username);
        assertThat(roleCanLogin(serviceRole)).isFalse();
        assertThat(passwordMatches(username, basePassword)).isTrue(); // still valid during its grace period
        assertThat(rotated.getStatus().getRotation().getPendingDeletionList())
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.getUser()).isEqualTo(username);
                    assertThat(p.getStatus()).isEqualTo(PendingDeletionState.PENDING_DELETION_STATE_PENDING);
                    assertThat(Instant.ofEpochSecond(p.getDeleteAfter().getSeconds()))
                            .isEqualTo(Instant.parse("2030-01-03T00:01:00Z"));
                });
        assertThat(rotated.getStatus().getRotation().getServiceRole()).isEqualTo(serviceRole);
        harness.awaitEvents(1, "Normal PasswordRotated", first);

        // Second rotation, a day later: the first rotated user waits out its grace period; the base user's old
        // password, past its own, is retired.
        clock.set(Instant.parse("2030-01-03T00:02:00Z"));
        harness.nudge("databaseusers", NS, "app");
        String second = username + "_20300103";
        DatabaseUser again = harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) -> u.getStatus().getRotation().getActiveUser().equals(second)
                        && u.getStatus().getRotation().getPendingDeletionList().stream()
                                .noneMatch(p -> p.getUser().equals(username)));
        String secondPassword = value(secret(harness, NS, secretName), "password");
        passwords.add(secondPassword);
        assertThat(passwordMatches(second, secondPassword)).isTrue();
        assertThat(again.getStatus().getRotation().getPendingDeletionList())
                .extracting(p -> p.getUser())
                .containsExactly(first);
        assertThat(roleExists(username)).isTrue();
        assertThat(passwordMatches(username, basePassword)).isFalse();
        assertThat(roleExists(first)).isTrue();

        // Past the first rotated user's grace period it is dropped (and the third rotation of the schedule runs).
        clock.set(Instant.parse("2030-01-04T00:03:00Z"));
        harness.nudge("databaseusers", NS, "app");
        Await.until("the first rotated user is dropped", () -> !roleExists(first));
        String third = username + "_20300104";
        DatabaseUser later = harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) -> u.getStatus().getRotation().getActiveUser().equals(third));
        passwords.add(value(secret(harness, NS, secretName), "password"));
        assertThat(later.getStatus().getRotation().getPendingDeletionList())
                .extracting(p -> p.getUser())
                .containsExactly(second);
        assertThat(later.getStatus().getReconcileId()).isNotEmpty();
        assertNoLeak(harness, logs, passwords, List.of(later));

        // Deleting the DatabaseUser drops every user it made.
        harness.delete("databaseusers", NS, "app");
        Await.until("the DatabaseUser goes", () -> !harness.exists("databaseusers", NS, "app"));
        assertThat(roleExists(username)).isFalse();
        assertThat(roleExists(second)).isFalse();
        assertThat(roleExists(third)).isFalse();
    }

    @Test
    void aRotationInterruptedAfterItsPendingCredentialWasStoredIsFinished() throws Exception {
        String serviceRole = prefix + "_svc";
        harness.apply(user("app", """
                passwordRotation:
                  enabled: true
                  schedule: "0 0 1 1 *"
                  serviceRole: {name: %s}
                """.formatted(serviceRole)));
        harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) -> u.getStatus().getRotation().getEnabled());
        String basePassword = value(secret(harness, NS, secretName), "password");
        passwords.add(basePassword);

        // As a stop right after step 2 leaves it: the next credential is in the Secret, no server knows it.
        String next = prefix + "_next";
        String nextPassword = "Next-password-1!";
        passwords.add(nextPassword);
        editSecret(
                harness,
                NS,
                secretName,
                s -> withData(
                        s,
                        Map.of(
                                "username", username,
                                "password", basePassword,
                                "host", "127.0.0.1",
                                "port", "5432",
                                "pending-username", next,
                                "pending-password", nextPassword)));
        DatabaseUser finished = harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) -> u.getStatus().getRotation().getActiveUser().equals(next));
        Secret secret = secret(harness, NS, secretName);
        assertThat(value(secret, "username")).isEqualTo(next);
        assertThat(value(secret, "password")).isEqualTo(nextPassword);
        assertThat(secret.getDataMap()).doesNotContainKeys("pending-username", "pending-password");
        assertThat(passwordMatches(next, nextPassword)).isTrue();
        assertThat(finished.getStatus().getRotation().getPendingDeletionList())
                .extracting(p -> p.getUser())
                .containsExactly(username);

        // A pending user that exists and is not a rotated user of this DatabaseUser is never taken over.
        String foreign = prefix + "_foreign";
        execute("CREATE ROLE " + quoted(foreign) + " LOGIN");
        String foreignVerifier = verifier(foreign).orElse("");
        editSecret(
                harness,
                NS,
                secretName,
                s -> s.toBuilder()
                        .putData("pending-username", com.google.protobuf.ByteString.copyFromUtf8(foreign))
                        .putData("pending-password", com.google.protobuf.ByteString.copyFromUtf8("Taken-over-1!"))
                        .build());
        harness.await(
                "databaseusers", NS, "app", (DatabaseUser u) -> condition(u, "PasswordRotated", "RotationFailed"));
        assertThat(verifier(foreign).orElse("")).isEqualTo(foreignVerifier);
        assertThat(memberOf(foreign)).isEmpty();
        assertThat(awaitReady("app").getStatus().getRotation().getActiveUser()).isEqualTo(next);
    }

    @Test
    void aScheduleThatNeverFiresIsReportedAndNothingRotates() throws Exception {
        harness.apply(user("app", """
                passwordRotation: {enabled: true, schedule: "0 0 30 2 *"}
                """));
        DatabaseUser user = harness.await(
                "databaseusers",
                NS,
                "app",
                (DatabaseUser u) -> condition(u, "PasswordRotated", "InvalidRotationSchedule"));
        assertThat(conditionOf(user, "Ready").getStatus().name()).endsWith("TRUE");
        assertThat(user.getStatus().getRotation().getEnabled()).isFalse();
        harness.awaitEvents(1, "Warning InvalidRotationSchedule passwordRotation.schedule \"0 0 30 2 *\"");
        passwords.add(value(secret(harness, NS, secretName), "password"));
        assertNoLeak(harness, logs, passwords, List.of(user));
    }

    @Test
    void dualPasswordRotationIsReportedAsUnsupported() throws Exception {
        // Admission refuses dual-password; a user stored before that rule still reconciles. The logic runs on one
        // directly, as its controller would.
        var parts = harness.controllers.parts();
        UserLogic logic = new UserLogic(
                parts.instances(),
                parts.engine(),
                parts.secrets(),
                parts.dependants(),
                parts.gate(),
                new TemplateCredentialsRenderer(),
                GrantedRoles.NONE);
        DatabaseUser user = DatabaseUser.newBuilder()
                .setApiVersion(DbopsControllers.GROUP_VERSION)
                .setKind("DatabaseUser")
                .setMetadata(ObjectMeta.newBuilder()
                        .setName("direct")
                        .setNamespace(NS)
                        .setUid("uid-direct")
                        .setGeneration(1))
                .setSpec(DatabaseUserSpec.newBuilder()
                        .setInstanceRef(InstanceReference.newBuilder().setName("pg"))
                        .setUsername(prefix + "_direct")
                        .setPasswordRotation(PasswordRotationConfig.newBuilder()
                                .setEnabled(true)
                                .setSchedule("0 0 * * *")
                                .setStrategy(RotationStrategy.ROTATION_STRATEGY_DUAL_PASSWORD)))
                .build();
        StatusDraft status = new StatusDraft(user, clock.instant());
        logic.sync(user, status);
        assertThat(status.conditions())
                .anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("PasswordRotated");
                    assertThat(c.getReason()).isEqualTo("UnsupportedRotationStrategy");
                    assertThat(c.getMessage()).contains("dual-password is not supported");
                })
                .anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("Ready");
                    assertThat(c.getStatus().name()).endsWith("TRUE");
                });
        assertThat(roleExists(prefix + "_direct")).isTrue();
    }

    // ---- the server

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection(JDBC, "postgres", "");
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = admin()) {
            c.createStatement().execute(sql);
        }
    }

    /** An identifier quoted by the server itself. */
    private static String quoted(String name) throws SQLException {
        try (Connection c = admin();
                var statement = c.prepareStatement("SELECT quote_ident(?)")) {
            statement.setString(1, name);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    static Optional<String> verifier(String role) {
        try (Connection c = admin();
                var statement = c.prepareStatement("SELECT rolpassword FROM pg_authid WHERE rolname = ?")) {
            statement.setString(1, role);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.ofNullable(rows.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean passwordMatches(String role, String password) {
        return verifier(role).map(v -> ScramSha256.matches(v, password)).orElse(false);
    }

    static boolean roleExists(String role) {
        try (Connection c = admin();
                var statement = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            statement.setString(1, role);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean roleCanLogin(String role) throws SQLException {
        try (Connection c = admin();
                var statement = c.prepareStatement("SELECT rolcanlogin FROM pg_roles WHERE rolname = ?")) {
            statement.setString(1, role);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() && rows.getBoolean(1);
            }
        }
    }

    private static List<String> memberOf(String role) throws SQLException {
        try (Connection c = admin();
                var statement = c.prepareStatement("""
                        SELECT g.rolname FROM pg_auth_members m
                        JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                        WHERE u.rolname = ?""")) {
            statement.setString(1, role);
            List<String> roles = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    roles.add(rows.getString(1));
                }
            }
            return roles;
        }
    }

    /** Logs in (the server trusts 127.0.0.1: this proves the user exists and has LOGIN). */
    private static boolean logsIn(String role, String password) {
        try (Connection c = DriverManager.getConnection(JDBC, role, password)) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Drops every role of this test (names start with its prefix), and what they own in the admin database. */
    static void dropRoles(String prefix) throws SQLException {
        try (Connection c = admin();
                var find = c.prepareStatement(
                        "SELECT rolname FROM pg_roles WHERE starts_with(lower(rolname), ?) ORDER BY length(rolname) DESC")) {
            find.setString(1, prefix);
            List<String> roles = new ArrayList<>();
            try (ResultSet rows = find.executeQuery()) {
                while (rows.next()) {
                    roles.add(rows.getString(1));
                }
            }
            for (String role : roles) {
                c.createStatement().execute("DROP OWNED BY " + quoted(role));
                c.createStatement().execute("DROP ROLE IF EXISTS " + quoted(role));
            }
        }
    }
}
