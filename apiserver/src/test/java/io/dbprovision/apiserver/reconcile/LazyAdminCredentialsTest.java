package io.dbprovision.apiserver.reconcile;

import static io.dbprovision.apiserver.reconcile.EngineSql.postgresRows;
import static io.dbprovision.apiserver.reconcile.GrantFixtures.readyAtGeneration;
import static io.dbprovision.apiserver.reconcile.GrantFixtures.readyReason;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.api.kinds.CredentialsSecretNames;
import io.dbprovision.apiserver.controller.Informer;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.proto.v1alpha1.DatabaseRole;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.RolePhase;
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
 * per object and resync otherwise) and calls nothing — for databases, users, roles and grants alike. When work is due
 * and the Secret is gone, status says so ({@code SecretNotFound}), as it did when every reconcile read it.
 *
 * <p>The reconcilers are called on the test's thread and only the reads made there are counted; the instance checks
 * its health once a day, so its own reads (which do go to the server) stay out of the way.
 */
class LazyAdminCredentialsTest {
    private static final String NS = "dbprec-lazy";

    @TempDir
    Path dir;

    private final String tag = "dbprec_" + UUID.randomUUID().toString().substring(0, 8);
    private final String db = tag;
    private final InFlightCalls calls = new InFlightCalls();
    private ReconcileHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = new ReconcileHarness(dir, DbopsControllers.Settings.DEFAULTS, Clock.systemUTC(), List.of(calls));
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
        EngineSql.dropPostgres(List.of(db), List.of(tag + "_app", tag + "_ro"));
    }

    /** The admin Secret pg-admin, the instance pg (health checked once a day) and the Database app. */
    private void instanceAndDatabase() {
        harness.apply("""
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
                  healthCheck: {intervalSeconds: 86400}
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: app, namespace: %1$s}
                spec: {instanceRef: {name: pg}, name: %2$s, deletionProtection: false}
                """.formatted(NS, db));
        harness.awaitReady("databases", NS, "app");
    }

    private String role(String postgres) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseRole
                metadata: {name: readers, namespace: %s}
                spec:
                  instanceRef: {name: pg}
                  roleName: %s
                  postgres: %s
                """.formatted(NS, tag + "_ro", postgres);
    }

    /** A reconciler of {@code plural} like its controller's, to call on this thread. */
    private ObjectReconciler reconciler(String plural) {
        var informers = harness.controllers.informers();
        Informer<? extends Message> informer = switch (plural) {
            case "databases" -> informers.databases();
            case "databaseusers" -> informers.users();
            case "databaseroles" -> informers.roles();
            case "databasegrants" -> informers.grants();
            default -> throw new IllegalArgumentException(plural);
        };
        return harness.controllers.reconciler(
                informer, harness.controllers.engineLogic(plural).orElseThrow());
    }

    @Test
    void aResyncOfAReadyUnchangedDatabaseReadsNoSecretAndCallsNothing() throws Exception {
        instanceAndDatabase();
        ObjectReconciler reconciler = reconciler("databases");
        NamespacedName key = new NamespacedName(NS, "app");
        // The informer has the Ready status once this reconcile writes nothing more.
        reconciler.reconcile(key);

        int secretReads = harness.secrets.readsHere(NS, "pg-admin");
        int engineCalls = calls.finished(5432);
        reconciler.reconcile(key);
        reconciler.reconcile(key);

        assertThat(harness.secrets.readsHere(NS, "pg-admin") - secretReads)
                .as("admin Secret reads on two resyncs")
                .isZero();
        assertThat(calls.finished(5432) - engineCalls)
                .as("engine calls on two resyncs")
                .isZero();

        // A new generation is due: now the Secret is read, for the reconcile's calls.
        int before = harness.secrets.reads(NS, "pg-admin");
        harness.apply("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: app, namespace: %s}
                spec: {instanceRef: {name: pg}, name: %s, deletionProtection: false, postgres: {connectionLimit: 7}}
                """.formatted(NS, db));
        harness.await("databases", NS, "app", readyAtGeneration());
        assertThat(harness.secrets.reads(NS, "pg-admin") - before).isPositive();
    }

    @Test
    void aResyncOfReadyUsersRolesAndGrantsReadsNoAdminSecretAndCallsNothing() throws Exception {
        instanceAndDatabase();
        harness.apply(role("{createDB: false}") + """
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseUser
                metadata: {name: app-user, namespace: %1$s}
                spec:
                  instanceRef: {name: pg}
                  username: %2$s
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseGrant
                metadata: {name: app-grant, namespace: %1$s}
                spec:
                  userRef: {name: app-user}
                  deletionProtection: false
                  postgres:
                    roles: [%3$s]
                    grants:
                      - {database: %4$s, privileges: [CONNECT]}
                """.formatted(NS, tag + "_app", tag + "_ro", db));
        List<String> plurals = List.of("databaseroles", "databaseusers", "databasegrants");
        NamespacedName role = new NamespacedName(NS, "readers");
        NamespacedName user = new NamespacedName(NS, "app-user");
        NamespacedName grant = new NamespacedName(NS, "app-grant");
        List<NamespacedName> keys = List.of(role, user, grant);
        for (int i = 0; i < plurals.size(); i++) {
            harness.await(plurals.get(i), NS, keys.get(i).name(), readyAtGeneration());
        }
        List<ObjectReconciler> reconcilers =
                plurals.stream().map(this::reconciler).toList();
        for (int i = 0; i < plurals.size(); i++) {
            reconcilers.get(i).reconcile(keys.get(i));
        }

        int secretReads = harness.secrets.readsHere(NS, "pg-admin");
        int engineCalls = calls.finished(5432);
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < plurals.size(); i++) {
                reconcilers.get(i).reconcile(keys.get(i));
            }
        }

        assertThat(harness.secrets.readsHere(NS, "pg-admin") - secretReads)
                .as("admin Secret reads on two resyncs of a role, a user and a grant")
                .isZero();
        assertThat(calls.finished(5432) - engineCalls)
                .as("engine calls on two resyncs of a role, a user and a grant")
                .isZero();
        // The user still looks after its own credentials Secret on every resync.
        DatabaseUser stored = (DatabaseUser) harness.get("databaseusers", NS, "app-user");
        assertThat(harness.secrets.readsHere(NS, CredentialsSecretNames.of(stored.getSpec())))
                .isPositive();
    }

    @Test
    void aVanishedAdminSecretShowsInStatusWhenWorkIsDueAndNotBefore() throws Exception {
        instanceAndDatabase();
        harness.apply(role("{createDB: false}"));
        harness.await("databaseroles", NS, "readers", readyAtGeneration());
        ObjectReconciler reconciler = reconciler("databaseroles");
        NamespacedName key = new NamespacedName(NS, "readers");
        reconciler.reconcile(key);

        harness.secrets.hide(NS, "pg-admin");
        // Nothing due: nothing to connect for, so nothing to say.
        reconciler.reconcile(key);
        assertThat(readyAtGeneration().test(harness.get("databaseroles", NS, "readers")))
                .isTrue();

        // Work due: the missing Secret is the reason it waits.
        harness.apply(role("{createDB: true}"));
        DatabaseRole waiting = harness.await("databaseroles", NS, "readers", readyReason("SecretNotFound"));
        assertThat(waiting.getStatus().getPhase()).isEqualTo(RolePhase.ROLE_PHASE_PENDING);
        assertThat(waiting.getStatus().getMessage()).contains(NS + "/pg-admin");

        // Back again: the next reconcile goes on (the controller's, queued by a metadata change: one called here
        // could run beside it).
        harness.secrets.reveal(NS, "pg-admin");
        harness.nudge("databaseroles", NS, "readers");
        harness.await("databaseroles", NS, "readers", readyAtGeneration());
        assertThat(postgresRows("postgres", "SELECT rolcreatedb::text FROM pg_roles WHERE rolname = ?", tag + "_ro"))
                .containsExactly("true");
    }
}
