package io.dbprovision.apiserver.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabasePhase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dead database server does not delay the others, measured. Three MariaDB instances, all Ready at first: {@code
 * healthy} (the machine's MariaDB), {@code hung} and {@code gone} (the same server behind a {@link StallingTcpProxy}).
 * The time for a batch of {@value #HEALTHY_DATABASES} new Databases on {@code healthy} to turn Ready is taken in the
 * same run {@value #BATCHES} times alone (after a warm-up batch), then {@value #BATCHES} times after {@code hung}
 * stopped answering (connects succeed, nothing comes back), {@code gone} stopped listening, and {@value
 * #DEAD_DATABASES} Databases were queued on each of them ahead of the healthy ones.
 *
 * <p>Asserted is only the structure, never a duration: the healthy Databases all turn Ready while every dead one is
 * still not Ready, and the object controllers never had more calls in flight to a dead instance than {@link
 * DbopsControllers.Settings#perServer} — a worker stuck on a dead server is a call in flight. The times are printed
 * ({@code DeadInstanceTest:} lines) and recorded in {@code docs/performance.md}, "Reconcilers (issue 10)".
 */
class DeadInstanceTest {
    private static final String NS = "dbpcr-dead";
    private static final String PREFIX = "dbpcr_d_";
    private static final int HEALTHY_DATABASES = 20;
    private static final int DEAD_DATABASES = 30;
    /** Batches of healthy Databases timed in each condition, one after the other. */
    private static final int BATCHES = 3;

    private static final String JDBC = "jdbc:mysql://127.0.0.1:3306/";
    private static final Pattern TEST_NAME = Pattern.compile("dbpcr_d_[a-z0-9_]{1,40}");

    @TempDir
    Path dir;

    private final InFlightCalls inFlight = new InFlightCalls();
    private final DbopsControllers.Settings settings = DbopsControllers.Settings.DEFAULTS;
    private StallingTcpProxy hung;
    private StallingTcpProxy gone;
    private ReconcileHarness harness;

    @BeforeEach
    void start() throws Exception {
        dropDatabases();
        hung = new StallingTcpProxy("127.0.0.1", 3306);
        gone = new StallingTcpProxy("127.0.0.1", 3306);
        harness = new ReconcileHarness(dir, settings, Clock.systemUTC(), List.of(inFlight));
    }

    @AfterEach
    void stop() throws Exception {
        try {
            // The proxies first: what waits on them fails at once, so the controllers stop without waiting it out.
            hung.close();
            gone.close();
            harness.close();
        } finally {
            dropDatabases();
        }
    }

    @Test
    void databasesOnAHealthyInstanceTurnReadyWhileTwoDeadOnesHoldAtMostTheirShareOfWorkers() throws Exception {
        harness.apply("""
                apiVersion: v1
                kind: Secret
                metadata: {name: admin, namespace: %s}
                stringData: {username: root, password: ""}
                """.formatted(NS));
        harness.apply(instance("healthy", 3306));
        harness.apply(instance("hung", hung.port()));
        harness.apply(instance("gone", gone.port()));
        for (String instance : List.of("healthy", "hung", "gone")) {
            harness.awaitReady("databaseinstances", NS, instance);
        }

        timeUntilReady("warm"); // the first batch also measures class loading and JIT: not counted
        List<Long> alone = new ArrayList<>();
        for (int batch = 0; batch < BATCHES; batch++) {
            alone.add(timeUntilReady("alone" + batch));
        }

        hung.stall();
        gone.refuse();
        for (int i = 0; i < DEAD_DATABASES; i++) {
            harness.apply(database("hung-%02d".formatted(i), "hung", PREFIX + "hung_%02d".formatted(i)));
            harness.apply(database("gone-%02d".formatted(i), "gone", PREFIX + "gone_%02d".formatted(i)));
        }
        List<Long> besideDead = new ArrayList<>();
        for (int batch = 0; batch < BATCHES; batch++) {
            besideDead.add(timeUntilReady("beside" + batch));
        }

        Map<String, Integer> deadPhases = new TreeMap<>();
        for (int i = 0; i < DEAD_DATABASES; i++) {
            for (String dead : List.of("hung-%02d".formatted(i), "gone-%02d".formatted(i))) {
                Database database = (Database) harness.get("databases", NS, dead);
                assertThat(Conditions.isTrue(ReconcileHarness.conditions(database), Conditions.READY))
                        .as("%s on a dead instance is not Ready", dead)
                        .isFalse();
                String phase = database.getStatus().getPhase() == DatabasePhase.DATABASE_PHASE_UNSPECIFIED
                        ? "not reconciled yet"
                        : database.getStatus().getPhase().name().replace("DATABASE_PHASE_", "") + " "
                                + readyReason(database);
                deadPhases.merge(dead.substring(0, 4) + " " + phase, 1, Integer::sum);
            }
        }
        // The hung instance's first calls run into their timeouts and the next ones take their places: the cap holds
        // across that turnover too.
        long turnover = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (inFlight.finished(hung.port()) < settings.perServer() && System.nanoTime() < turnover) {
            Thread.sleep(50);
        }
        assertThat(inFlight.finished(hung.port()))
                .as("calls to the hung instance that ended (timed out)")
                .isGreaterThanOrEqualTo(settings.perServer());
        assertThat(inFlight.most(hung.port()))
                .as("calls in flight to the hung instance at once")
                .isBetween(1, settings.perServer());
        assertThat(inFlight.most(gone.port()))
                .as("calls in flight to the gone instance at once")
                .isLessThanOrEqualTo(settings.perServer());

        System.out.println(String.format(
                "DeadInstanceTest: %d Databases on the healthy instance Ready in %s ms alone, %s ms beside two dead"
                        + " instances with %d Databases each; dead ones then: %s; most calls in flight at once to the"
                        + " hung instance %d (finished %d), to the gone one %d (finished %d); perServer %d,"
                        + " workers %d",
                HEALTHY_DATABASES,
                alone,
                besideDead,
                DEAD_DATABASES,
                deadPhases,
                inFlight.most(hung.port()),
                inFlight.finished(hung.port()),
                inFlight.most(gone.port()),
                inFlight.finished(gone.port()),
                settings.perServer(),
                settings.workers()));
    }

    private static String readyReason(Database database) {
        return ReconcileHarness.conditions(database).stream()
                .filter(c -> c.getType().equals(Conditions.READY))
                .map(c -> c.getReason())
                .findFirst()
                .orElse("");
    }

    /**
     * Applies {@value #HEALTHY_DATABASES} Databases on the healthy instance and returns the milliseconds until the last
     * one is Ready.
     */
    private long timeUntilReady(String batch) throws InterruptedException {
        List<String> names = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < HEALTHY_DATABASES; i++) {
            String name = "%s-%02d".formatted(batch, i);
            names.add(name);
            harness.apply(database(name, "healthy", PREFIX + batch + "_%02d".formatted(i)));
        }
        long deadline = started + TimeUnit.MINUTES.toNanos(2);
        List<String> waiting = new ArrayList<>(names);
        while (!waiting.isEmpty()) {
            waiting.removeIf(name -> Conditions.isTrue(
                    ReconcileHarness.conditions(harness.get("databases", NS, name)), Conditions.READY));
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not Ready after two minutes: " + waiting);
            }
            Thread.sleep(5);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    private static String instance(String name, int port) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata: {name: %s, namespace: %s}
                spec:
                  engine: mariadb
                  connection: {host: 127.0.0.1, port: %d, secretRef: {name: admin}}
                  deletionProtection: false
                """.formatted(name, NS, port);
    }

    private static String database(String name, String instance, String databaseName) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: %s, namespace: %s}
                spec:
                  instanceRef: {name: %s}
                  name: %s
                  deletionProtection: false
                """.formatted(name, NS, instance, databaseName);
    }

    /** Drops every database named {@code dbpcr_d_…} (nothing else of this test reaches the server). */
    private static void dropDatabases() throws SQLException {
        try (Connection c = DriverManager.getConnection(JDBC, "root", "")) {
            List<String> names = new ArrayList<>();
            try (var statement = c.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA"
                            + " WHERE SCHEMA_NAME LIKE 'dbpcr\\_d\\_%'")) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            for (String name : names) {
                if (!TEST_NAME.matcher(name).matches()) {
                    throw new IllegalStateException("not a name of this test: " + name);
                }
                c.createStatement().execute("DROP DATABASE IF EXISTS `" + name + "`");
            }
        }
    }
}
