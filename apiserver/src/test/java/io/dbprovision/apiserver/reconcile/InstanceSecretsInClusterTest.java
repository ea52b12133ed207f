package io.dbprovision.apiserver.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.auth.delegated.ClusterConnection;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer;
import io.dbprovision.apiserver.corev1.ClusterSecrets;
import io.dbprovision.apiserver.reconcile.instance.InstanceSecrets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link InstanceSecrets} in a cluster: the admin Secret is the kube-apiserver's (here the fake one, which keeps an
 * object with finalizers as the real one does), reached through {@link ClusterSecrets}. Deleted together with the
 * instance and what lives on it, it stays until the database and the user are dropped, then goes.
 */
class InstanceSecretsInClusterTest {
    private static final String NS = "dbprec-cluster";
    private static final String TOKEN = "dbprec-service-account-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final String tag = "dbprec_" + UUID.randomUUID().toString().substring(0, 8);
    private FakeKubeApiServer cluster;
    private ReconcileHarness harness;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeKubeApiServer.start(TOKEN);
        ClusterSecrets secrets = new ClusterSecrets(ClusterConnection.fromKubeconfig(
                cluster.writeKubeconfig(dir.resolve("kube"), TOKEN), Duration.ofSeconds(5)));
        harness = new ReconcileHarness(
                dir.resolve("store"), DbopsControllers.Settings.DEFAULTS, Clock.systemUTC(), List.of(), secrets);
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
        cluster.close();
        EngineSql.postgres(
                "postgres",
                "DROP DATABASE IF EXISTS " + EngineSql.id(tag + "_db") + " WITH (FORCE)",
                "DROP ROLE IF EXISTS " + EngineSql.id(tag + "_app"));
    }

    private boolean adminSecretHas(String finalizer) {
        return cluster.secrets.object(NS, "pg-admin").stream()
                .anyMatch(secret ->
                        secret.path("metadata").path("finalizers").toString().contains("\"" + finalizer + "\""));
    }

    @Test
    void theClustersAdminSecretStaysUntilWhatLivesOnTheInstanceIsDropped() throws Exception {
        ObjectNode admin = (ObjectNode) JSON.readTree("""
                {"metadata": {"name": "pg-admin", "namespace": "%s"},
                 "data": {"username": "cG9zdGdyZXM=", "password": "dW51c2Vk"}}
                """.formatted(NS));
        cluster.secrets.put(admin);
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata: {name: pg, namespace: %1$s}
                spec:
                  engine: postgres
                  connection: {host: 127.0.0.1, port: 5432, database: postgres, secretRef: {name: pg-admin}}
                  deletionProtection: false
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
                """.formatted(NS, tag));
        harness.awaitReady("databases", NS, "app");
        harness.awaitReady("databaseusers", NS, "app");
        Await.until("the cluster's admin Secret is protected", () -> adminSecretHas(InstanceSecrets.FINALIZER));
        assertThat(cluster.secrets
                        .object(NS, "pg-admin")
                        .orElseThrow()
                        .path("metadata")
                        .path("labels")
                        .path(InstanceSecrets.LABEL)
                        .asText())
                .isEqualTo("true");

        cluster.secrets.delete(NS, "pg-admin");
        harness.delete("databaseinstances", NS, "pg");
        harness.delete("databases", NS, "app");
        harness.delete("databaseusers", NS, "app");

        Await.until(
                "the database and the user are gone",
                () -> !harness.exists("databases", NS, "app") && !harness.exists("databaseusers", NS, "app"));
        Await.until("the instance is gone", () -> !harness.exists("databaseinstances", NS, "pg"));
        Await.until(
                "the cluster's admin Secret is gone",
                () -> cluster.secrets.object(NS, "pg-admin").isEmpty());
        assertThat(cluster.secrets.object(NS, "app-credentials")).isEmpty();
        assertThat(DatabaseReconcileTest.exists(tag + "_db")).isFalse();
        assertThat(EngineSql.postgresRows("postgres", "SELECT rolname FROM pg_roles WHERE rolname = ?", tag + "_app"))
                .isEmpty();
    }
}
