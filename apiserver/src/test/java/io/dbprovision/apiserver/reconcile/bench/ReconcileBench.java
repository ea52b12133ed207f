package io.dbprovision.apiserver.reconcile.bench;

import io.dbprovision.apiserver.reconcile.bench.BenchObjects.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The reconcilers' benchmark (issue 10), in one run, on the standalone server as it ships (see {@link BenchServer}):
 *
 * <ol>
 *   <li>apply → Ready: a Database, a DatabaseUser and a DatabaseGrant until all three are Ready, on PostgreSQL and
 *       MariaDB, next to the raw time of the same SQL ({@link ApplyPhase}); target ≤ 1.5×;
 *   <li>1,000 Databases from creation to all Ready on one PostgreSQL instance ({@link ScalePhase}); target ≤ 2 min;
 *   <li>the server's CPU at rest with those objects Ready, a resync included ({@link RestPhase}); target ≤ 5 % of a
 *       core;
 *   <li>the 1,000 Databases again, spread over several instances (after the rest measurement, so that it is taken
 *       with 1,000 objects).
 * </ol>
 *
 * Not a test (no assertion, no timing check): run with {@code ./build -pl apiserver -am -Preconcile-bench
 * -DskipTests verify}; the report is printed and written to {@code -Dbench.out}. Everything it makes on the
 * machine's servers is named {@code dbprb_…} and dropped before and after.
 */
public final class ReconcileBench {
    /** Part 1's engines; {@code none} (or empty) skips part 1. */
    private static final List<String> ENGINES = java.util.Arrays.stream(
                    System.getProperty("bench.engines", "postgres,mariadb").split(","))
            .map(String::trim)
            .filter(name -> !name.isEmpty() && !name.equals("none"))
            .toList();

    private static final int ROUNDS = Integer.getInteger("bench.rounds", 30);
    private static final int WARMUP = Integer.getInteger("bench.warmup", 5);
    private static final int DATABASES = Integer.getInteger("bench.databases", 1000);
    private static final int SPREAD = Integer.getInteger("bench.spread", 4);
    private static final int CONCURRENCY = Integer.getInteger("bench.createConcurrency", 16);
    private static final Duration SCALE_TIMEOUT =
            Duration.ofSeconds(Integer.getInteger("bench.scaleTimeoutSeconds", 600));
    private static final Duration REST = Duration.ofSeconds(Integer.getInteger("bench.restSeconds", 60));
    private static final boolean REST_UNTIL_RESYNC =
            Boolean.parseBoolean(System.getProperty("bench.restUntilResync", "true"));
    /** Whether part 3 (the rest window, 5–10 minutes) runs; false measures parts 1 and 2 only. */
    private static final boolean REST_PHASE = Boolean.parseBoolean(System.getProperty("bench.rest", "true"));

    private static final boolean FSYNC = Boolean.parseBoolean(System.getProperty("bench.fsync", "true"));

    private ReconcileBench() {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of(System.getProperty("bench.data", "target/reconcile-bench-data"))
                .resolve("run-" + System.currentTimeMillis());
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String machine = BenchMachine.describe();
        System.out.println("reconcile benchmark, " + started + "\n" + machine);
        System.out.println("dropping what an earlier run left: " + cleanUp() + " objects");
        List<ApplyPhase> applies = new ArrayList<>();
        List<ScalePhase> scales = new ArrayList<>();
        RestPhase rest = null;
        String failure = null;
        try (BenchServer bench = new BenchServer(data, FSYNC)) {
            try {
                for (String name : ENGINES) {
                    Engine engine = engine(name.trim());
                    System.out.println("apply → Ready on " + engine.title());
                    applies.add(new ApplyPhase(bench, engine, WARMUP, ROUNDS).run());
                }
                if (DATABASES > 0) {
                    System.out.println(DATABASES + " databases on one instance");
                    scales.add(new ScalePhase(
                                    bench,
                                    "one instance",
                                    "dbprb-scale-1",
                                    1,
                                    DATABASES,
                                    CONCURRENCY,
                                    's',
                                    SCALE_TIMEOUT)
                            .run());
                    if (REST_PHASE) {
                        System.out.println("at rest");
                        int objects = DATABASES
                                + applies.stream()
                                        .mapToInt(a -> 3 * (WARMUP + ROUNDS))
                                        .sum();
                        rest = new RestPhase(bench, REST, REST_UNTIL_RESYNC).run(objects);
                    }
                    if (SPREAD > 1) {
                        System.out.println(DATABASES + " databases over " + SPREAD + " instances");
                        scales.add(new ScalePhase(
                                        bench,
                                        SPREAD + " instances, one server",
                                        "dbprb-scale-" + SPREAD,
                                        SPREAD,
                                        DATABASES,
                                        CONCURRENCY,
                                        'f',
                                        SCALE_TIMEOUT)
                                .run());
                    }
                }
            } catch (Exception | AssertionError e) {
                failure = e.toString();
                e.printStackTrace();
            }
        } finally {
            System.out.println("dropping the benchmark's objects: " + cleanUp());
            deleteRecursively(data);
        }
        String report = report(started, machine, applies, scales, rest, failure);
        System.out.println(report);
        String out = System.getProperty("bench.out");
        if (out != null && !out.isEmpty()) {
            Files.writeString(Path.of(out), report);
        }
    }

    private static Engine engine(String name) {
        return switch (name) {
            case "postgres" -> Engine.POSTGRES;
            case "mariadb" -> Engine.MARIADB;
            default -> throw new IllegalArgumentException("unknown bench engine " + name + " (postgres, mariadb)");
        };
    }

    private static String cleanUp() {
        StringBuilder out = new StringBuilder();
        try {
            out.append("PostgreSQL ").append(EngineCleanup.postgres());
        } catch (Exception e) {
            out.append("PostgreSQL failed: ").append(e.getMessage());
        }
        if (ENGINES.stream().anyMatch(e -> e.trim().equals("mariadb"))) {
            try {
                out.append(", MariaDB ").append(EngineCleanup.mariadb());
            } catch (Exception e) {
                out.append(", MariaDB failed: ").append(e.getMessage());
            }
        }
        return out.toString();
    }

    private static String report(
            Instant started,
            String machine,
            List<ApplyPhase> applies,
            List<ScalePhase> scales,
            RestPhase rest,
            String failure) {
        StringBuilder out = new StringBuilder();
        out.append("# Reconcile benchmark, ").append(started).append("\n\n");
        out.append(machine)
                .append("\n- load average at the end: ")
                .append(BenchMachine.loadAverage())
                .append("\n- store fsync: ")
                .append(FSYNC ? "on (the default)" : "off")
                .append("\n\n");
        if (failure != null) {
            out.append("**The run stopped early:** ").append(failure).append("\n\n");
        }
        if (!applies.isEmpty()) {
            out.append(String.format(
                    Locale.ROOT,
                    "## 1. apply → all Ready (Database + DatabaseUser + DatabaseGrant), %d rounds after %d warm-up,"
                            + " ms%n%n",
                    ROUNDS,
                    WARMUP));
            out.append("| engine | rounds | p50 | p90 | max | raw SQL p50 | raw SQL p90 | p50 / raw p50 |"
                    + " median per-round ratio | Database Ready p50 | DatabaseUser Ready p50 | DatabaseGrant Ready p50"
                    + " | SQL inside the provisioner p50 |\n");
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            applies.forEach(a -> out.append(a.markdown()));
            out.append("\nTarget ≤ 1.5× raw: ");
            applies.forEach(a -> out.append(
                    a.rounds().isEmpty()
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    "%s %s (%.2f×); ",
                                    a.title(),
                                    a.wallP50() / a.rawP50() <= 1.5 ? "met" : "**not met**",
                                    a.wallP50() / a.rawP50())));
            out.append("\n\nWhat one convergence costs:\n\n");
            applies.forEach(a -> out.append(a.costs()));
            out.append("\nWhere the time of a convergence goes, per object:\n\n");
            applies.forEach(a -> out.append(a.breakdown()).append('\n'));
            out.append("Each engine call next to its SQL:\n\n");
            applies.forEach(a -> out.append(a.perMethod()).append('\n'));
            out.append("The median round, step by step:\n\n");
            applies.forEach(a -> out.append(a.timeline()).append('\n'));
            out.append("What the baseline replays (the last round's statements):\n\n");
            applies.forEach(a -> out.append(a.statements()).append('\n'));
        }
        if (!scales.isEmpty()) {
            out.append("## 2. Databases from creation to all Ready (PostgreSQL)\n\n"
                    + "| variant | instances | databases | creates took | first Ready | all Ready | Databases/s"
                    + " | create → Ready p50 / p90 / max (s) | process CPU | engine calls per database |"
                    + " writes per database | provisioner pools at the end |\n"
                    + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            scales.forEach(s -> out.append(s.markdown()));
            out.append("\nTarget ≤ 2 min: ");
            scales.forEach(s -> out.append(String.format(
                    Locale.ROOT,
                    "%s %s; ",
                    s.title(),
                    s.allReady() && s.allReadyNanos() <= Duration.ofMinutes(2).toNanos() ? "met" : "**not met**")));
            out.append("\n\nCPU by thread group during the convergence:\n\n");
            scales.forEach(s -> out.append(s.threads()));
            out.append('\n');
        }
        if (rest != null) {
            out.append("## 3. At rest\n\n").append(rest.markdown());
            out.append("\nTarget ≤ 5 % of a core: ")
                    .append(rest.percent() <= 5 ? "met" : "**not met**")
                    .append("\n");
        }
        return out.toString();
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for the next clean build
                }
            });
        } catch (IOException e) {
            // left for the next clean build
        }
    }
}
