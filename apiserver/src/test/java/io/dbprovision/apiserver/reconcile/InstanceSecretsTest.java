package io.dbprovision.apiserver.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.reconcile.instance.InstanceSecrets;
import io.dbprovision.proto.k8s.core.v1.Secret;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An instance keeps the Secret it connects with while it or anything on it needs it ({@link InstanceSecrets}), so
 * the admin Secret deleted together with the instance and everything on it — {@code kubectl delete -f dir/} — leaves
 * nothing behind: not on the server, not in the API.
 */
class InstanceSecretsTest {
    private static final String NS = "dbprec-secrets";

    @TempDir
    Path dir;

    private final String tag = "dbprec_" + UUID.randomUUID().toString().substring(0, 8);
    private ReconcileHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = new ReconcileHarness(dir);
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
        EngineSql.postgres(
                "postgres",
                "DROP DATABASE IF EXISTS " + EngineSql.id(tag + "_db") + " WITH (FORCE)",
                "DROP ROLE IF EXISTS " + EngineSql.id(tag + "_app"),
                "DROP ROLE IF EXISTS " + EngineSql.id(tag + "_ro"));
    }

    /** The admin Secret and an instance that may be deleted. */
    private static String instance() {
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: pg-admin, namespace: %1$s}
                stringData: {username: postgres, password: unused-with-trust}
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata: {name: pg, namespace: %1$s}
                spec:
                  engine: postgres
                  connection: {host: 127.0.0.1, port: 5432, database: postgres, secretRef: {name: pg-admin}}
                  deletionProtection: false
                """.formatted(NS);
    }

    private String everything() {
        return instance() + """
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: app, namespace: %1$s}
                spec: {instanceRef: {name: pg}, name: %2$s_db, deletionProtection: false}
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseUser
                metadata: {name: app, namespace: %1$s}
                spec: {instanceRef: {name: pg}, username: %2$s_app, passwordSecret: {secretName: app-credentials}}
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseRole
                metadata: {name: ro, namespace: %1$s}
                spec: {instanceRef: {name: pg}, roleName: %2$s_ro}
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseGrant
                metadata: {name: app, namespace: %1$s}
                spec:
                  userRef: {name: app}
                  databaseRef: {name: app}
                  deletionProtection: false
                  postgres: {grants: [{database: %2$s_db, privileges: [CONNECT]}]}
                """.formatted(NS, tag);
    }

    private Secret adminSecret() {
        return (Secret) harness.get("secrets", NS, "pg-admin");
    }

    @Test
    void deletingTheAdminSecretWithTheInstanceAndEverythingOnItDropsEverythingAndLeavesNoObject() throws Exception {
        harness.apply(everything());
        for (String plural : List.of("databaseinstances", "databases", "databaseusers", "databaseroles")) {
            harness.awaitReady(
                    plural,
                    NS,
                    plural.equals("databaseinstances") ? "pg" : plural.equals("databaseroles") ? "ro" : "app");
        }
        harness.awaitReady("databasegrants", NS, "app");
        Await.until(
                "the admin Secret is protected",
                () -> adminSecret().getMetadata().getFinalizersList().contains(InstanceSecrets.FINALIZER));
        assertThat(adminSecret().getMetadata().getLabelsMap()).containsEntry(InstanceSecrets.LABEL, "true");
        assertThat(DatabaseReconcileTest.exists(tag + "_db")).isTrue();

        // In kubectl's order for the directory: every file, the Secret and the instance among the first.
        harness.delete("secrets", NS, "pg-admin");
        harness.delete("databaseinstances", NS, "pg");
        harness.delete("databases", NS, "app");
        harness.delete("databasegrants", NS, "app");
        harness.delete("databaseroles", NS, "ro");
        harness.delete("databaseusers", NS, "app");

        for (String[] object : List.of(
                new String[] {"databasegrants", "app"},
                new String[] {"databaseusers", "app"},
                new String[] {"databaseroles", "ro"},
                new String[] {"databases", "app"},
                new String[] {"databaseinstances", "pg"},
                new String[] {"secrets", "pg-admin"},
                new String[] {"secrets", "app-credentials"})) {
            Await.until(
                    object[0] + "/" + object[1] + " is gone",
                    java.time.Duration.ofSeconds(60),
                    () -> !harness.exists(object[0], NS, object[1]));
        }
        assertThat(DatabaseReconcileTest.exists(tag + "_db"))
                .as("database dropped")
                .isFalse();
        assertThat(EngineSql.postgresRows(
                        "postgres", "SELECT rolname FROM pg_roles WHERE rolname IN (?, ?)", tag + "_app", tag + "_ro"))
                .as("user and role dropped")
                .isEmpty();
    }

    @Test
    void anInstanceDeletedAloneGivesItsSecretBackAsItWas() throws Exception {
        harness.apply(instance());
        harness.awaitReady("databaseinstances", NS, "pg");
        Await.until(
                "the admin Secret is protected",
                () -> adminSecret().getMetadata().getFinalizersList().contains(InstanceSecrets.FINALIZER));

        harness.delete("databaseinstances", NS, "pg");
        Await.until("the instance is gone", () -> !harness.exists("databaseinstances", NS, "pg"));

        Await.until(
                "the finalizer is gone",
                () -> !adminSecret().getMetadata().getFinalizersList().contains(InstanceSecrets.FINALIZER));
        assertThat(adminSecret().getMetadata().getLabelsMap()).doesNotContainKey(InstanceSecrets.LABEL);
        assertThat(adminSecret().getMetadata().hasDeletionTimestamp()).isFalse();
    }

    @Test
    void aSecretTwoInstancesNameGoesOnlyWhenNeitherNeedsIt() throws Exception {
        harness.apply(instance() + """
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata: {name: pg2, namespace: %s}
                spec:
                  engine: postgres
                  connection: {host: 127.0.0.1, port: 5432, database: postgres, secretRef: {name: pg-admin}}
                  deletionProtection: false
                """.formatted(NS));
        harness.awaitReady("databaseinstances", NS, "pg");
        harness.awaitReady("databaseinstances", NS, "pg2");
        Await.until(
                "the admin Secret is protected",
                () -> adminSecret().getMetadata().getFinalizersList().contains(InstanceSecrets.FINALIZER));

        harness.delete("secrets", NS, "pg-admin");
        harness.delete("databaseinstances", NS, "pg");
        Await.until("pg is gone", () -> !harness.exists("databaseinstances", NS, "pg"));
        assertThat(adminSecret().getMetadata().hasDeletionTimestamp()).isTrue();
        assertThat(adminSecret().getMetadata().getFinalizersList()).contains(InstanceSecrets.FINALIZER);
        // pg2 still works with it: its next health check connects.
        harness.nudge("databaseinstances", NS, "pg2");
        harness.awaitReady("databaseinstances", NS, "pg2");

        harness.delete("databaseinstances", NS, "pg2");
        Await.until("the Secret is gone", () -> !harness.exists("secrets", NS, "pg-admin"));
    }
}
