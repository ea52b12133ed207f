package io.dbprovision.apiserver.reconcile.bench;

import io.dbprovision.apiserver.reconcile.bench.BenchObjects.Engine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Target 2: {@code count} Databases created at once through the REST API ({@code concurrency} clients in a closed
 * loop) on one PostgreSQL instance, or spread round-robin over several DatabaseInstance objects (all pointing at the
 * machine's one PostgreSQL server: the controllers' per-instance partitions change, the server does not), until every
 * one is Ready. Also the process CPU it took and the engine calls and writes it made.
 */
final class ScalePhase {
    private final BenchServer bench;
    private final String title;
    private final String namespace;
    private final int instances;
    private final int count;
    private final int concurrency;
    private final char letter;
    private final Duration timeout;

    private long createsDone;
    private long allReady;
    private long firstReady;
    private long[] latencies = new long[0];
    private int ready;
    private long cpu;
    private CallTags.Calls calls;
    private double writesPerDatabase;
    private int pools;
    private List<Map.Entry<String, Long>> busiest = List.of();

    ScalePhase(
            BenchServer bench,
            String title,
            String namespace,
            int instances,
            int count,
            int concurrency,
            char letter,
            Duration timeout) {
        this.bench = bench;
        this.title = title;
        this.namespace = namespace;
        this.instances = instances;
        this.count = count;
        this.concurrency = concurrency;
        this.letter = letter;
        this.timeout = timeout;
    }

    ScalePhase run() throws Exception {
        List<String> instanceNames = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            instanceNames.add("pg-" + i);
        }
        bench.namespaceWithInstances(namespace, Engine.POSTGRES, instanceNames);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(namespace + "/" + object(i));
        }
        long[] createdAt = new long[count];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();

        bench.provisioner.calls.reset();
        var threadsBefore = CpuMeter.threads();
        long cpuBefore = CpuMeter.processNanos();
        long t0 = System.nanoTime();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            clients.add(Thread.ofVirtual().name("dbprb-create-" + c).start(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    try {
                        createdAt[i] = System.nanoTime();
                        bench.create(
                                "databases",
                                namespace,
                                BenchObjects.database(
                                        namespace,
                                        object(i),
                                        instanceNames.get(i % instances),
                                        String.format(Locale.ROOT, "dbprb_%c%04d", letter, i)));
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                        return;
                    }
                }
            }));
        }
        for (Thread client : clients) {
            client.join();
        }
        createsDone = System.nanoTime() - t0;
        if (failure.get() != null) {
            throw failure.get();
        }
        boolean all = bench.databases.awaitReady(keys, timeout);
        long end = System.nanoTime();
        cpu = CpuMeter.processNanos() - cpuBefore;
        busiest = CpuMeter.byGroup(threadsBefore, CpuMeter.threads());
        calls = bench.provisioner.calls.snapshot();
        List<Long> readyTimes = new ArrayList<>();
        List<Long> perDatabase = new ArrayList<>();
        long writes = 0;
        for (int i = 0; i < count; i++) {
            Long at = bench.databases.readyAt(keys.get(i));
            writes += bench.databases.writes(keys.get(i));
            if (at != null) {
                readyTimes.add(at - t0);
                perDatabase.add(at - createdAt[i]);
            }
        }
        ready = readyTimes.size();
        allReady = all ? readyTimes.stream().mapToLong(Long::longValue).max().orElse(0) : end - t0;
        firstReady = readyTimes.stream().mapToLong(Long::longValue).min().orElse(0);
        latencies = perDatabase.stream().mapToLong(Long::longValue).toArray();
        writesPerDatabase = writes / (double) count;
        pools = bench.provisioner.pools();
        long[] sortedReady =
                readyTimes.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(
                Locale.ROOT,
                "  %s: %d creates in %.1f s, %d of %d Ready after %.1f s (half after %.1f s), process CPU %.1f s%n",
                title,
                count,
                createsDone / 1e9,
                ready,
                count,
                allReady / 1e9,
                sortedReady.length == 0 ? Double.NaN : sortedReady[sortedReady.length / 2] / 1e9,
                cpu / 1e9);
        return this;
    }

    private static String object(int i) {
        return String.format(Locale.ROOT, "db-%04d", i);
    }

    String title() {
        return title;
    }

    boolean allReady() {
        return ready == count;
    }

    long allReadyNanos() {
        return allReady;
    }

    String markdown() {
        return String.format(
                Locale.ROOT,
                "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                title,
                instances,
                count,
                Stats.seconds(createsDone),
                Stats.seconds(firstReady),
                allReady() ? Stats.seconds(allReady) : "**" + ready + " Ready after " + Stats.seconds(allReady) + "**",
                Stats.f1(count / (allReady / 1e9)),
                Stats.f1(Stats.ms(latencies, 50) / 1000) + " / " + Stats.f1(Stats.ms(latencies, 90) / 1000) + " / "
                        + Stats.f1(Stats.ms(latencies, 100) / 1000),
                Stats.seconds(cpu) + " (" + Stats.f2(cpu / (double) allReady) + " cores)",
                Stats.f2(calls.total() / (double) count) + " (" + perDatabase(calls) + ")",
                Stats.f1(writesPerDatabase),
                Integer.toString(pools));
    }

    /** Where the process's CPU went during the convergence: the busiest thread groups. */
    String threads() {
        StringBuilder out = new StringBuilder();
        busiest.stream()
                .limit(8)
                .forEach(e -> out.append(out.isEmpty() ? "" : ", ")
                        .append('`')
                        .append(e.getKey())
                        .append("` ")
                        .append(Stats.seconds(e.getValue())));
        return "- " + title + ": " + out + "\n";
    }

    private String perDatabase(CallTags.Calls calls) {
        StringBuilder out = new StringBuilder();
        calls.counts().forEach((method, n) -> {
            if (!out.isEmpty()) {
                out.append(", ");
            }
            out.append(method)
                    .append(" ")
                    .append(Stats.f2(n / (double) count))
                    .append(" × ")
                    .append(Stats.f1(calls.nanos().getOrDefault(method, 0L) / 1e6 / n))
                    .append(" ms");
        });
        return out.toString();
    }
}
