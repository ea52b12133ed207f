package io.dbprovision.apiserver.storage.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of the JDK HTTP client's own threads ({@code HttpClient-N-SelectorManager}, {@code HttpClient-N-Worker-M}:
 * where its TLS, HTTP/2 framing and body handling run), so that the load driver's share of a run's CPU can be told
 * from the server's. Both share the process; the driver's virtual threads only wait on the client and are not
 * counted (they share carrier threads with the server's request handlers). Threads that ended meanwhile are lost.
 */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ThreadCpu() {}

    /** The CPU nanoseconds the live HTTP client threads have used so far. */
    static long httpClientNanos() {
        return nanosOfThreadsNamed("HttpClient-");
    }

    /**
     * The CPU nanoseconds the live threads whose names start with one of {@code prefixes} have used so far: the JDK
     * watch driver's client and the virtual threads' carriers ({@code ForkJoinPool-N-worker-M}), or the Netty watch
     * driver's event loop ({@link NettyWatchDriver#THREAD_PREFIX}).
     */
    static long nanosOfThreadsNamed(String... prefixes) {
        long total = 0;
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] != null && startsWithAny(infos[i].getThreadName(), prefixes)) {
                long cpu = THREADS.getThreadCpuTime(ids[i]);
                if (cpu > 0) {
                    total += cpu;
                }
            }
        }
        return total;
    }

    private static boolean startsWithAny(String name, String[] prefixes) {
        for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The CPU nanoseconds of every live thread so far, summed by name with its digits replaced by {@code #} (so that
     * a pool's threads add up: {@code HttpClient-#-Worker-#}); JVM threads that are not Java threads (GC, JIT) are not
     * in it.
     */
    static java.util.Map<String, Long> byName() {
        java.util.Map<String, Long> cpu = new java.util.HashMap<>();
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long nanos = THREADS.getThreadCpuTime(ids[i]);
            if (infos[i] != null && nanos > 0) {
                cpu.merge(infos[i].getThreadName().replaceAll("[0-9]+", "#"), nanos, Long::sum);
            }
        }
        return cpu;
    }

    /**
     * Where a process's CPU went between two {@link #byName} snapshots: the {@code top} thread groups' share of
     * {@code processNanos} (%), and the rest of the process (the JVM's own threads, GC and JIT, and threads that
     * ended).
     */
    static String breakdown(
            java.util.Map<String, Long> before, java.util.Map<String, Long> after, long processNanos, int top) {
        java.util.List<java.util.Map.Entry<String, Long>> deltas = new java.util.ArrayList<>();
        long javaThreads = 0;
        for (var entry : after.entrySet()) {
            long delta = entry.getValue() - before.getOrDefault(entry.getKey(), 0L);
            if (delta > 0) {
                deltas.add(java.util.Map.entry(entry.getKey(), delta));
                javaThreads += delta;
            }
        }
        deltas.sort(java.util.Map.Entry.<String, Long>comparingByValue().reversed());
        StringBuilder text = new StringBuilder();
        for (var entry : deltas.subList(0, Math.min(top, deltas.size()))) {
            text.append(String.format("%s %.0f%%, ", entry.getKey(), 100.0 * entry.getValue() / processNanos));
        }
        return text.append(String.format(
                        "the rest of the process (GC, JIT, ended threads) %.0f%%",
                        100.0 * Math.max(0, processNanos - javaThreads) / processNanos))
                .toString();
    }
}
