package io.dbprovision.apiserver.reconcile.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Target 3: the server's CPU with every object Ready and nobody writing — what the controllers cost at rest: the
 * instances' health checks (every 60 s by default), the periodic resync of every object (every 10 minutes, the
 * default, jittered by up to a tenth), the drift checks when due (8 hours by default: none in the window), timers.
 * The window is at least {@code minimum} long and, when {@code untilResync}, lasts until 30 s after the first resync
 * was due (10 minutes after the server started), so it contains one resync of every controller. Process CPU time is
 * read every second; thread CPU per thread group at both ends.
 */
final class RestPhase {
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Duration RESYNC = Duration.ofMinutes(10);

    private final BenchServer bench;
    private final Duration minimum;
    private final boolean untilResync;

    private long window;
    private long cpu;
    private final List<Long> perSecond = new ArrayList<>();
    private long firstSampleSinceStart;
    private CallTags.Calls calls;
    private Map<String, Long> writesBefore;
    private Map<String, Long> writesAfter;
    private List<Map.Entry<String, Long>> busiest = List.of();
    private long heapAfterGc;
    private int readyObjects;

    RestPhase(BenchServer bench, Duration minimum, boolean untilResync) {
        this.bench = bench;
        this.minimum = minimum;
        this.untilResync = untilResync;
    }

    RestPhase run(int readyObjects) throws InterruptedException {
        this.readyObjects = readyObjects;
        Thread.sleep(SETTLE.toMillis());
        long start = System.nanoTime();
        long end = start + minimum.toNanos();
        if (untilResync) {
            end = Math.max(
                    end,
                    bench.startedAt + RESYNC.toNanos() + Duration.ofSeconds(30).toNanos());
        }
        System.out.printf(
                Locale.ROOT,
                "  at rest: measuring for %.0f s (until %.0f s after the server started)%n",
                (end - start) / 1e9,
                (end - bench.startedAt) / 1e9);
        bench.provisioner.calls.reset();
        writesBefore = bench.writes();
        var threadsBefore = CpuMeter.threads();
        long cpuBefore = CpuMeter.processNanos();
        long previous = cpuBefore;
        firstSampleSinceStart = start - bench.startedAt;
        for (long tick = start + 1_000_000_000L; tick <= end; tick += 1_000_000_000L) {
            long wait = tick - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            long now = CpuMeter.processNanos();
            perSecond.add(now - previous);
            previous = now;
        }
        window = System.nanoTime() - start;
        cpu = CpuMeter.processNanos() - cpuBefore;
        busiest = CpuMeter.byGroup(threadsBefore, CpuMeter.threads());
        calls = bench.provisioner.calls.snapshot();
        writesAfter = bench.writes();
        System.gc();
        System.gc();
        heapAfterGc = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(
                Locale.ROOT,
                "  at rest: %.2f s CPU in %.0f s = %.2f %% of one core%n",
                cpu / 1e9,
                window / 1e9,
                percent());
        return this;
    }

    /** CPU over the window, in percent of one core. */
    double percent() {
        return 100.0 * cpu / window;
    }

    String markdown() {
        long[] samples = perSecond.stream().mapToLong(Long::longValue).toArray();
        List<Integer> seconds = new ArrayList<>();
        for (int i = 0; i < samples.length; i++) {
            seconds.add(i);
        }
        seconds.sort(Comparator.comparingLong((Integer i) -> samples[i]).reversed());
        StringBuilder busiestSeconds = new StringBuilder();
        for (int i : seconds.subList(0, Math.min(5, seconds.size()))) {
            busiestSeconds
                    .append(busiestSeconds.isEmpty() ? "" : ", ")
                    .append(String.format(
                            Locale.ROOT,
                            "%.0f %% at %d s",
                            samples[i] / 1e7,
                            (firstSampleSinceStart + (i + 1) * 1_000_000_000L) / 1_000_000_000L));
        }
        StringBuilder groups = new StringBuilder();
        busiest.stream()
                .limit(8)
                .forEach(e -> groups.append(groups.isEmpty() ? "" : ", ")
                        .append('`')
                        .append(e.getKey())
                        .append("` ")
                        .append(String.format(Locale.ROOT, "%.0f ms", e.getValue() / 1e6)));
        StringBuilder writes = new StringBuilder();
        writesAfter.forEach((plural, after) -> {
            long n = after - writesBefore.getOrDefault(plural, 0L);
            if (n > 0) {
                writes.append(writes.isEmpty() ? "" : ", ")
                        .append(plural)
                        .append(" ")
                        .append(n);
            }
        });
        return String.join(
                        "\n",
                        String.format(
                                Locale.ROOT,
                                "- %d Ready dbops objects; window %.0f s (from %.0f s to %.0f s after the server started%s)",
                                readyObjects,
                                window / 1e9,
                                firstSampleSinceStart / 1e9,
                                (firstSampleSinceStart + window) / 1e9,
                                untilResync ? "; the resync of every controller was due between 540 s and 600 s" : ""),
                        String.format(
                                Locale.ROOT,
                                "- **process CPU: %.2f s = %.2f %% of one core** over the window; per second: median %.2f %%,"
                                        + " p90 %.2f %%; busiest seconds: %s",
                                cpu / 1e9,
                                percent(),
                                Stats.ms(samples, 50) / 10,
                                Stats.ms(samples, 90) / 10,
                                busiestSeconds),
                        "- by thread group: " + groups,
                        "- engine calls in the window: " + calls.text() + "; writes seen by the watches: "
                                + (writes.isEmpty() ? "none" : writes),
                        String.format(
                                Locale.ROOT,
                                "- heap in use after two full GCs at the end: %.0f MiB",
                                heapAfterGc / 1048576.0))
                + "\n";
    }
}
