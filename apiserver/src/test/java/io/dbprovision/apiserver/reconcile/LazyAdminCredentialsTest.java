package io.dbprovision.apiserver.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.controller.NamespacedName;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The instance's admin Secret is read only when an engine call is about to be made: a resync of a Ready object whose
 * spec did not change and whose drift check is not due reads it not once (in a cluster, a GET to the kube-apiserver
 * per object and resync otherwise) and calls nothing.
 */
class LazyAdminCredentialsTest {
    private static final String NS = "dbprec-lazy";

    @TempDir
    Path dir;

    private final String db = "dbprec_" + UUID.randomUUID().toString().substring(0, 8);
    private final InFlightCalls calls = new InFlightCalls();
    private ReconcileHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = new ReconcileHarness(dir, DbopsControllers.Settings.DEFAULTS, Clock.systemUTC(), List.of(calls));
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
        EngineSql.postgres("postgres", "DROP DATABASE IF EXISTS " + EngineSql.id(db) + " WITH (FORCE)");
    }

    @Test
    void aResyncOfAReadyUnchangedDatabaseReadsNoSecretAndCallsNothing() throws Exception {
        harness.apply(DatabaseReconcileTest.postgresInstance(NS) + """
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: app, namespace: %s}
                spec: {instanceRef: {name: pg}, name: %s, deletionProtection: false}
                """.formatted(NS, db));
        harness.awaitReady("databases", NS, "app");
        ObjectReconciler reconciler = harness.controllers.reconciler(
                harness.controllers.informers().databases(),
                harness.controllers.engineLogic("databases").orElseThrow());
        NamespacedName key = new NamespacedName(NS, "app");
        // The informer has the Ready status once this reconcile writes nothing more.
        reconciler.reconcile(key);

        int secretReads = harness.secrets.reads(NS, "pg-admin");
        int engineCalls = calls.finished(5432);
        reconciler.reconcile(key);
        reconciler.reconcile(key);

        assertThat(harness.secrets.reads(NS, "pg-admin") - secretReads)
                .as("admin Secret reads on two resyncs")
                .isZero();
        assertThat(calls.finished(5432) - engineCalls)
                .as("engine calls on two resyncs")
                .isZero();

        // A new generation is due: now the Secret is read, once for the reconcile's calls.
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: app, namespace: %s}
                spec: {instanceRef: {name: pg}, name: %s, deletionProtection: false, postgres: {connectionLimit: 7}}
                """.formatted(NS, db));
        harness.await(
                "databases",
                NS,
                "app",
                (io.dbprovision.proto.v1alpha1.Database d) -> d.getStatus().getObservedGeneration() == 2
                        && Conditions.isTrue(d.getStatus().getConditionsList(), Conditions.READY));
        assertThat(harness.secrets.reads(NS, "pg-admin") - secretReads).isPositive();
    }
}
