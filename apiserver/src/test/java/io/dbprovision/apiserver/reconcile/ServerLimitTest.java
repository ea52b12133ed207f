package io.dbprovision.apiserver.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several DatabaseInstance objects naming the machine's one PostgreSQL server share one limit: however many
 * instance objects and kinds (Databases and DatabaseUsers reconcile in different controllers), the reconcilers never
 * have more provisioner calls in flight to the server than {@link DbopsControllers.Settings#perServer}, the
 * provisioner's connections per pool. Before, the limit was per instance object and per kind, so four instance
 * objects ran 16 Database reconciles at once against a pool of 4 connections, and the 12 waiting calls were reported
 * as "cannot connect". Asserted is the structure only, never a duration.
 */
class ServerLimitTest {
    private static final String NS = "dbpcr-limit";
    private static final int INSTANCES = 4;
    private static final int DATABASES_PER_INSTANCE = 5;
    private static final int USERS_PER_INSTANCE = 3;

    @TempDir
    Path dir;

    private final String prefix =
            "dbpcr_l" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final InFlightCalls inFlight = new InFlightCalls();
    private final DbopsControllers.Settings settings = DbopsControllers.Settings.DEFAULTS;
    private final List<String> databases = new ArrayList<>();
    private final List<String> roles = new ArrayList<>();
    private ReconcileHarness harness;
    private LogCapture logs;

    @BeforeEach
    void start() throws Exception {
        logs = new LogCapture();
        harness = new ReconcileHarness(dir, settings, Clock.systemUTC(), List.of(inFlight));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            harness.close();
        } finally {
            logs.close();
            EngineSql.dropPostgres(databases, roles);
        }
    }

    @Test
    void instanceObjectsOnOneServerNeverSendMoreCallsAtOnceThanItsPoolHolds() {
        harness.apply("""
                apiVersion: v1
                kind: Secret
                metadata: {name: pg-admin, namespace: %s}
                stringData: {username: postgres, password: unused-with-trust}
                """.formatted(NS));
        for (int i = 0; i < INSTANCES; i++) {
            harness.apply("""
                    apiVersion: dbops.dbprovision.io/v1alpha1
                    kind: DatabaseInstance
                    metadata: {name: pg%d, namespace: %s}
                    spec:
                      engine: postgres
                      connection: {host: 127.0.0.1, port: 5432, database: postgres, secretRef: {name: pg-admin}}
                      deletionProtection: false
                    """.formatted(i, NS));
        }
        for (int i = 0; i < INSTANCES; i++) {
            harness.awaitReady("databaseinstances", NS, "pg" + i);
        }

        List<String> databaseObjects = new ArrayList<>();
        List<String> userObjects = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            for (int d = 0; d < DATABASES_PER_INSTANCE; d++) {
                String name = "db-%d-%d".formatted(i, d);
                String database = prefix + "_db_%d_%d".formatted(i, d);
                databases.add(database);
                databaseObjects.add(name);
                harness.apply("""
                        apiVersion: dbops.dbprovision.io/v1alpha1
                        kind: Database
                        metadata: {name: %s, namespace: %s}
                        spec: {instanceRef: {name: pg%d}, name: %s}
                        """.formatted(name, NS, i, database));
            }
            for (int u = 0; u < USERS_PER_INSTANCE; u++) {
                String name = "user-%d-%d".formatted(i, u);
                String role = prefix + "_u_%d_%d".formatted(i, u);
                roles.add(role);
                userObjects.add(name);
                harness.apply("""
                        apiVersion: dbops.dbprovision.io/v1alpha1
                        kind: DatabaseUser
                        metadata: {name: %s, namespace: %s}
                        spec: {instanceRef: {name: pg%d}, username: %s}
                        """.formatted(name, NS, i, role));
            }
        }
        databaseObjects.forEach(name -> harness.awaitReady("databases", NS, name));
        userObjects.forEach(name -> harness.awaitReady("databaseusers", NS, name));

        assertThat(inFlight.most(5432))
                .as("provisioner calls in flight at once to 127.0.0.1:5432 from %d instance objects", INSTANCES)
                .isBetween(1, settings.perServer());
        assertThat(logs.text())
                .as("no reconcile reported the busy server as unreachable")
                .doesNotContain("cannot connect to 127.0.0.1:5432");
        System.out.println("ServerLimitTest: %d Databases and %d DatabaseUsers over %d instance objects of one server"
                        .formatted(databaseObjects.size(), userObjects.size(), INSTANCES)
                + "; most calls in flight at once " + inFlight.most(5432) + " (perServer " + settings.perServer()
                + ")");
    }
}
