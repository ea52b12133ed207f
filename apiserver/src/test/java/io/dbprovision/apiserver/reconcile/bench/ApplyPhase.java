package io.dbprovision.apiserver.reconcile.bench;

import io.dbprovision.apiserver.reconcile.bench.BenchObjects.Engine;
import io.dbprovision.apiserver.reconcile.bench.SqlRecorder.Recorded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Target 1: an application's Database, DatabaseUser and DatabaseGrant created one after the other (as
 * {@code kubectl apply -f app.yaml} sends them) until all three are Ready, round after round, next to the raw time
 * of the same SQL: the statements the provisioner sent during that convergence, recorded by {@link SqlRecorder} and
 * replayed over plain JDBC by {@link SqlReplay} for twin objects. The replay runs the statements one after the other;
 * the reconcilers run the Database and the DatabaseUser at the same time, so the ratio is, if anything, in their
 * favour.
 */
final class ApplyPhase {
    /** After all three are Ready, how long to keep counting calls and writes that the convergence still causes. */
    private static final Duration SETTLE = Duration.ofMillis(500);

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final String HEALTH_CHECK = "CheckInstance";
    /** The engine calls of each object's reconcile, in the order the report shows the objects. */
    private static final Map<String, Set<String>> METHODS = new java.util.LinkedHashMap<>();

    static {
        METHODS.put("Database", Set.of("EnsureDatabase", "ObserveDatabase"));
        METHODS.put("DatabaseUser", Set.of("GeneratePassword", "EnsureUser", "ObserveUser"));
        METHODS.put("DatabaseGrant", Set.of("ApplyGrants", "ObserveGrants"));
    }

    /** One round: times in nanoseconds from the first POST. */
    record Round(
            int index,
            long created,
            long databaseReady,
            long userReady,
            long grantReady,
            SqlReplay.Timing replayed,
            List<Recorded> sent,
            CallTags.Calls calls,
            long t0,
            long t1,
            Map<String, Integer> writes,
            List<Long> posts,
            List<ReadyWatch.Write> writeLog) {
        long wall() {
            return Math.max(databaseReady, Math.max(userReady, grantReady));
        }

        long raw() {
            return replayed.total();
        }

        int statements() {
            return sent.size();
        }

        int reads() {
            return (int) sent.stream().filter(Recorded::prepared).count();
        }

        /** The time the statements took inside the provisioner (jOOQ start to end), in all. */
        long sqlInside() {
            return sent.stream().mapToLong(Recorded::nanos).sum();
        }

        long sqlInsideOf(String method) {
            return sent.stream()
                    .filter(r -> r.method().equals(method))
                    .mapToLong(Recorded::nanos)
                    .sum();
        }

        /** The calls of {@code object}'s methods until all were Ready, in the order they started. */
        List<CallTags.Call> callsOf(Set<String> methods) {
            return callsToReady().stream()
                    .filter(c -> methods.contains(c.method()))
                    .sorted(Comparator.comparingLong(CallTags.Call::startedAt))
                    .toList();
        }

        List<CallTags.Call> callsToReady() {
            return calls.log().stream()
                    .filter(c -> !c.method().equals(HEALTH_CHECK) && c.startedAt() <= t1)
                    .toList();
        }

        List<CallTags.Call> callsAfterReady() {
            return calls.log().stream()
                    .filter(c -> !c.method().equals(HEALTH_CHECK) && c.startedAt() > t1)
                    .toList();
        }
    }

    private final BenchServer bench;
    private final Engine engine;
    private final String namespace;
    private final char letter;
    private final char twinLetter;
    private final int warmup;
    private final int rounds;
    private final List<Round> measured = new ArrayList<>();

    ApplyPhase(BenchServer bench, Engine engine, int warmup, int rounds) {
        this.bench = bench;
        this.engine = engine;
        this.namespace = "dbprb-apply-" + engine.json();
        this.letter = engine.postgres() ? 'p' : 'm';
        this.twinLetter = engine.postgres() ? 'q' : 'n';
        this.warmup = warmup;
        this.rounds = rounds;
    }

    ApplyPhase run() throws Exception {
        bench.namespaceWithInstances(namespace, engine, List.of("server"));
        try (SqlReplay replay = new SqlReplay()) {
            for (int i = 0; i < warmup + rounds; i++) {
                Round round = round(i, replay);
                if (i >= warmup) {
                    measured.add(round);
                }
                System.out.printf(
                        Locale.ROOT,
                        "  %s round %d%s: all Ready after %.1f ms (database %.1f, user %.1f, grant %.1f), raw SQL %.1f"
                                + " ms, %d statements, calls %s%n",
                        engine.title(),
                        i,
                        i < warmup ? " (warm-up)" : "",
                        round.wall() / 1e6,
                        round.databaseReady() / 1e6,
                        round.userReady() / 1e6,
                        round.grantReady() / 1e6,
                        round.raw() / 1e6,
                        round.statements(),
                        countsText(round.callsToReady()));
            }
        }
        return this;
    }

    private Round round(int i, SqlReplay replay) throws Exception {
        String tag = String.format(Locale.ROOT, "dbprb_%c%03d", letter, i);
        String twin = String.format(Locale.ROOT, "dbprb_%c%03d", twinLetter, i);
        String databaseName = tag + "_db";
        String username = tag + "_u";
        String object = String.format(Locale.ROOT, "r%03d", i);
        String database = namespace + "/" + object + "-db";
        String user = namespace + "/" + object + "-user";
        String grant = namespace + "/" + object + "-grant";

        List<ReadyWatch> watches = List.of(bench.databases, bench.users, bench.grants);
        watches.forEach(ReadyWatch::startLog);
        bench.provisioner.calls.reset();
        bench.provisioner.recorder.begin();
        List<Long> posts = new ArrayList<>();
        long t0 = System.nanoTime();
        bench.create("databases", namespace, BenchObjects.database(namespace, object + "-db", "server", databaseName));
        posts.add(System.nanoTime() - t0);
        bench.create("databaseusers", namespace, BenchObjects.user(namespace, object + "-user", "server", username));
        posts.add(System.nanoTime() - t0);
        bench.create(
                "databasegrants",
                namespace,
                BenchObjects.grant(
                        namespace, object + "-grant", object + "-user", object + "-db", engine, databaseName));
        long created = System.nanoTime() - t0;
        posts.add(created);
        await(bench.databases, database);
        await(bench.users, user);
        await(bench.grants, grant);
        long databaseAt = bench.databases.readyAt(database);
        long userAt = bench.users.readyAt(user);
        long grantAt = bench.grants.readyAt(grant);
        long t1 = Math.max(databaseAt, Math.max(userAt, grantAt));
        Thread.sleep(SETTLE.toMillis());
        SqlRecorder.Recording recording = bench.provisioner.recorder.end();
        CallTags.Calls calls = bench.provisioner.calls.snapshot();
        List<ReadyWatch.Write> writeLog = new ArrayList<>();
        watches.forEach(w -> writeLog.addAll(w.stopLog().stream()
                .filter(write -> write.key().equals(database)
                        || write.key().equals(user)
                        || write.key().equals(grant))
                .toList()));

        List<Recorded> statements = recording.statements().stream()
                .filter(s -> !s.method().equals(HEALTH_CHECK) && s.startedAt() <= t1)
                .toList();
        Set<String> existing = new LinkedHashSet<>();
        statements.stream().map(Recorded::url).filter(url -> !url.contains(tag)).forEach(existing::add);
        replay.warm(existing);
        SqlReplay.Timing raw = replay.run(SqlReplay.renamed(statements, tag, twin));
        Map<String, Integer> writes = new TreeMap<>();
        writes.put("Database", bench.databases.writes(database));
        writes.put("DatabaseUser", bench.users.writes(user));
        writes.put("DatabaseGrant", bench.grants.writes(grant));
        return new Round(
                i,
                created,
                databaseAt - t0,
                userAt - t0,
                grantAt - t0,
                raw,
                statements,
                calls,
                t0,
                t1,
                writes,
                posts,
                writeLog);
    }

    private static void await(ReadyWatch watch, String key) throws InterruptedException {
        if (!watch.awaitReady(List.of(key), TIMEOUT)) {
            throw new IllegalStateException(watch.plural() + " " + key + " not Ready after " + TIMEOUT);
        }
    }

    String title() {
        return engine.title();
    }

    List<Round> rounds() {
        return measured;
    }

    double wallP50() {
        return Stats.ms(measured.stream().map(Round::wall).toList(), 50);
    }

    double rawP50() {
        return Stats.ms(measured.stream().map(Round::raw).toList(), 50);
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        List<Long> wall = measured.stream().map(Round::wall).toList();
        List<Long> raw = measured.stream().map(Round::raw).toList();
        List<Long> ratios = measured.stream()
                .map(r -> Math.round(1e6 * r.wall() / (double) r.raw()))
                .toList();
        double ratio50 = Stats.ms(ratios, 50);
        out.append(String.format(
                Locale.ROOT,
                "| %s | %d | %s | %s | %s | %s | %s | %s× | %s× | %s | %s | %s | %s |%n",
                engine.title(),
                measured.size(),
                Stats.f1(Stats.ms(wall, 50)),
                Stats.f1(Stats.ms(wall, 90)),
                Stats.f1(Stats.ms(wall, 100)),
                Stats.f1(Stats.ms(raw, 50)),
                Stats.f1(Stats.ms(raw, 90)),
                Stats.f2(Stats.ms(wall, 50) / Stats.ms(raw, 50)),
                Stats.f2(ratio50),
                Stats.f1(Stats.ms(measured.stream().map(Round::databaseReady).toList(), 50)),
                Stats.f1(Stats.ms(measured.stream().map(Round::userReady).toList(), 50)),
                Stats.f1(Stats.ms(measured.stream().map(Round::grantReady).toList(), 50)),
                Stats.f1(Stats.ms(measured.stream().map(Round::sqlInside).toList(), 50))));
        return out.toString();
    }

    /** Per round: the engine calls, statements and writes a convergence cost (their most common values). */
    String costs() {
        return String.format(
                Locale.ROOT,
                "- %s: engine calls until Ready: %s; after Ready (within %d ms): %s; statements replayed: %s;"
                        + " writes per object after its creation (finalizer, status): %s%n",
                engine.title(),
                mostCommon(
                        measured.stream().map(r -> countsText(r.callsToReady())).toList()),
                SETTLE.toMillis(),
                mostCommon(measured.stream()
                        .map(r -> countsText(r.callsAfterReady()))
                        .toList()),
                mostCommon(measured.stream()
                        .map(r -> r.reads() + " reads + " + (r.statements() - r.reads()) + " writes")
                        .toList()),
                mostCommon(measured.stream().map(r -> r.writes().toString()).toList()));
    }

    /**
     * Where the time of a convergence goes, per object (medians over the rounds, ms): from its POST (the grant: from
     * the moment both objects it needs were seen Ready) to its first engine call — the watch event reaching the
     * informer, the queue, the finalizer write, for the user the credentials Secret —, its engine calls, the gaps
     * between them, and from its last call to Ready as the client's watch saw it (the status write, its commit and
     * the watch delivery).
     */
    String breakdown() {
        StringBuilder out = new StringBuilder();
        out.append(engine.title()).append(" (medians over the rounds, ms):\n\n");
        out.append("| | Database | DatabaseUser | DatabaseGrant |\n|---|---:|---:|---:|\n");
        String[] rows = {
            "POST returned (from the first POST)",
            "start → first engine call (POST, or for the grant: both dependencies seen Ready)",
            "engine calls (sum of their durations)",
            "between its engine calls",
            "last engine call → Ready seen by the client",
            "Ready (from the first POST)"
        };
        List<List<List<Long>>> values = new ArrayList<>();
        for (int row = 0; row < rows.length; row++) {
            List<List<Long>> columns = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                columns.add(new ArrayList<>());
            }
            values.add(columns);
        }
        for (Round r : measured) {
            int column = 0;
            for (var object : METHODS.entrySet()) {
                List<CallTags.Call> calls = r.callsOf(object.getValue());
                long ready = switch (column) {
                    case 0 -> r.databaseReady();
                    case 1 -> r.userReady();
                    default -> r.grantReady();
                };
                long start = column < 2 ? r.posts().get(column) : Math.max(r.databaseReady(), r.userReady());
                values.get(0).get(column).add(r.posts().get(column));
                values.get(5).get(column).add(ready);
                if (!calls.isEmpty()) {
                    long first = calls.getFirst().startedAt() - r.t0();
                    long last = calls.stream()
                                    .mapToLong(c -> c.startedAt() + c.nanos())
                                    .max()
                                    .orElseThrow()
                            - r.t0();
                    long busy = calls.stream().mapToLong(CallTags.Call::nanos).sum();
                    values.get(1).get(column).add(first - start);
                    values.get(2).get(column).add(busy);
                    values.get(3).get(column).add(last - first - busy);
                    values.get(4).get(column).add(ready - last);
                }
                column++;
            }
        }
        for (int row = 0; row < rows.length; row++) {
            out.append("| ").append(rows[row]);
            for (int c = 0; c < 3; c++) {
                out.append(" | ").append(Stats.f1(Stats.ms(values.get(row).get(c), 50)));
            }
            out.append(" |\n");
        }
        return out.toString();
    }

    /**
     * Each engine call next to its SQL (medians over the rounds, ms): the call as the provisioner served it (arrival
     * to close, so gRPC and TLS on the provisioner's side, its session, jOOQ and the SQL), the time its statements
     * took inside the provisioner, and the same statements replayed over plain JDBC.
     */
    String perMethod() {
        StringBuilder out = new StringBuilder();
        out.append(engine.title()).append(" (medians over the rounds, ms):\n\n");
        out.append(
                "| engine call | calls per round | call | its SQL inside the provisioner | the same SQL over plain JDBC"
                        + " | call → first statement | between statements (not SQL) | last statement → call end"
                        + " | statements |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (var object : METHODS.entrySet()) {
            for (String method : new java.util.TreeSet<>(object.getValue())) {
                List<Long> call = new ArrayList<>();
                List<Long> inside = new ArrayList<>();
                List<Long> raw = new ArrayList<>();
                List<String> counts = new ArrayList<>();
                List<String> shapes = new ArrayList<>();
                List<Long> before = new ArrayList<>();
                List<Long> between = new ArrayList<>();
                List<Long> after = new ArrayList<>();
                for (Round r : measured) {
                    List<CallTags.Call> calls = r.callsOf(Set.of(method));
                    if (calls.size() == 1) {
                        // where a single call's time goes: before its first statement, between them, after the last
                        CallTags.Call c = calls.getFirst();
                        List<Recorded> its = r.sent().stream()
                                .filter(x -> x.method().equals(method))
                                .toList();
                        if (!its.isEmpty()) {
                            long first = its.getFirst().startedAt();
                            Recorded lastOne = its.getLast();
                            long lastEnd = lastOne.startedAt() + lastOne.nanos();
                            long inSql = its.stream().mapToLong(Recorded::nanos).sum();
                            before.add(first - c.startedAt());
                            between.add(lastEnd - first - inSql);
                            after.add(c.startedAt() + c.nanos() - lastEnd);
                        }
                    }
                    counts.add(Integer.toString(calls.size()));
                    call.add(calls.stream().mapToLong(CallTags.Call::nanos).sum());
                    inside.add(r.sqlInsideOf(method));
                    raw.add(r.replayed().byMethod().getOrDefault(method, 0L));
                    long reads = r.sent().stream()
                            .filter(x -> x.method().equals(method) && x.prepared())
                            .count();
                    long writes = r.sent().stream()
                                    .filter(x -> x.method().equals(method))
                                    .count()
                            - reads;
                    shapes.add(reads + " reads + " + writes + " writes");
                }
                out.append(String.format(
                        Locale.ROOT,
                        "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                        method,
                        mostCommon(counts),
                        Stats.f1(Stats.ms(call, 50)),
                        Stats.f1(Stats.ms(inside, 50)),
                        Stats.f1(Stats.ms(raw, 50)),
                        before.isEmpty() ? "–" : Stats.f1(Stats.ms(before, 50)),
                        between.isEmpty() ? "–" : Stats.f1(Stats.ms(between, 50)),
                        after.isEmpty() ? "–" : Stats.f1(Stats.ms(after, 50)),
                        mostCommon(shapes)));
            }
        }
        return out.toString();
    }

    /** The statements of the last measured round, as replayed (verifiers and hashes redacted here). */
    String statements() {
        if (measured.isEmpty()) {
            return "";
        }
        Round last = measured.getLast();
        StringBuilder out = new StringBuilder();
        out.append(engine.title()).append(", round ").append(last.index()).append(":\n\n");
        for (Recorded r : last.sent()) {
            out.append("- ")
                    .append(r.method())
                    .append(r.prepared() ? " read " : " write ")
                    .append("`` ")
                    .append(redacted(r.sql()))
                    .append(" ``");
            if (!r.binds().isEmpty()) {
                out.append(" binds ").append(redacted(binds(r.binds())));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String binds(List<Object> binds) {
        List<String> shown = new ArrayList<>();
        for (Object b : binds) {
            shown.add(b instanceof Object[] array ? java.util.Arrays.toString(array) : String.valueOf(b));
        }
        return shown.toString();
    }

    private static String redacted(String sql) {
        // What follows PASSWORD or IDENTIFIED BY / WITH … AS / VIA … USING is a credential (verifier, hash, password).
        return sql.replaceAll(
                        "(?i)((PASSWORD|IDENTIFIED BY|IDENTIFIED (WITH|VIA) \\w+ (AS|USING|BY))\\s*)'[^']*'",
                        "$1'<redacted>'")
                .replaceAll("SCRAM-SHA-256\\$[^',\\]]*", "<redacted>")
                .replaceAll("\\*[0-9A-Fa-f]{40}", "<redacted>");
    }

    /**
     * The round with the median wall time, step by step: the POSTs returning, each engine call (from its arrival at
     * the provisioner to its end) and each write to the three objects as the watch saw it (commit + delivery).
     */
    String timeline() {
        List<Round> sorted = new ArrayList<>(measured);
        sorted.sort(Comparator.comparingLong(Round::wall));
        Round median = sorted.get((sorted.size() - 1) / 2);
        record Step(long from, long to, String what) {}
        List<Step> steps = new ArrayList<>();
        String[] kinds = {"Database", "DatabaseUser", "DatabaseGrant"};
        for (int i = 0; i < median.posts().size(); i++) {
            steps.add(new Step(median.posts().get(i), -1, "POST " + kinds[i] + " returned (201)"));
        }
        for (CallTags.Call call : median.calls().log()) {
            if (!call.method().equals(HEALTH_CHECK)) {
                steps.add(new Step(
                        call.startedAt() - median.t0(),
                        call.startedAt() + call.nanos() - median.t0(),
                        "engine call " + call.method()
                                + (call.startedAt() > median.t1() ? " (after all were Ready)" : "")));
            }
        }
        for (ReadyWatch.Write write : median.writeLog()) {
            String kind = write.key().endsWith("-db")
                    ? "Database"
                    : write.key().endsWith("-user") ? "DatabaseUser" : "DatabaseGrant";
            steps.add(new Step(
                    write.at() - median.t0(),
                    -1,
                    "write seen: " + kind + " (phase " + (write.phase().isEmpty() ? "none" : write.phase()) + ", "
                            + write.finalizers() + " finalizer" + (write.finalizers() == 1 ? "" : "s") + ")"));
        }
        steps.sort(Comparator.comparingLong(Step::from));
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "%s, round %d (the median: all Ready after %.1f ms; its raw SQL %.1f ms):%n%n",
                engine.title(),
                median.index(),
                median.wall() / 1e6,
                median.raw() / 1e6));
        out.append("| at (ms) | until (ms) | step |\n|---:|---:|---|\n");
        for (Step step : steps) {
            out.append(String.format(
                    Locale.ROOT,
                    "| %.1f | %s | %s |%n",
                    step.from() / 1e6,
                    step.to() < 0 ? "" : String.format(Locale.ROOT, "%.1f", step.to() / 1e6),
                    step.what()));
        }
        return out.toString();
    }

    private static String countsText(List<CallTags.Call> calls) {
        Map<String, Long> counts = calls.stream()
                .collect(Collectors.groupingBy(CallTags.Call::method, TreeMap::new, Collectors.counting()));
        return counts.isEmpty()
                ? "none"
                : counts.entrySet().stream()
                        .map(e -> e.getKey() + "×" + e.getValue())
                        .collect(Collectors.joining(", "));
    }

    private static String mostCommon(List<String> values) {
        Map<String, Long> counts =
                values.stream().collect(Collectors.groupingBy(v -> v, TreeMap::new, Collectors.counting()));
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getKey() + (counts.size() > 1 ? " (" + e.getValue() + " of " + values.size() + ")" : ""))
                .collect(Collectors.joining("; "));
    }
}
