package io.dbprovision.apiserver.reconcile.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of this process (the standalone server, its provisioner and the benchmark's idle watches share it, as the
 * server and its embedded provisioner do in production) from the JVM's {@code OperatingSystemMXBean}, and of its
 * platform threads from {@link ThreadMXBean}, grouped by name with the numbers taken out
 * ({@code ForkJoinPool-#-worker-#} carries the virtual threads: reconciles, provisioner calls, request handlers).
 */
final class CpuMeter {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private CpuMeter() {}

    /** CPU nanoseconds this process has used. */
    static long processNanos() {
        return OS.getProcessCpuTime();
    }

    /** CPU nanoseconds per live platform thread, by thread id, with its name. */
    static Map<Long, Map.Entry<String, Long>> threads() {
        Map<Long, Map.Entry<String, Long>> cpu = new HashMap<>();
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long nanos = THREADS.getThreadCpuTime(ids[i]);
            if (infos[i] != null && nanos >= 0) {
                cpu.put(ids[i], Map.entry(infos[i].getThreadName(), nanos));
            }
        }
        return cpu;
    }

    /** The CPU used between two {@link #threads()} snapshots, by thread-name group, most first. */
    static List<Map.Entry<String, Long>> byGroup(
            Map<Long, Map.Entry<String, Long>> before, Map<Long, Map.Entry<String, Long>> after) {
        Map<String, Long> groups = new HashMap<>();
        after.forEach((id, now) -> {
            Map.Entry<String, Long> then = before.get(id);
            long used = now.getValue() - (then == null ? 0 : then.getValue());
            if (used > 0) {
                groups.merge(group(now.getKey()), used, Long::sum);
            }
        });
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        return sorted;
    }

    private static String group(String threadName) {
        return threadName.replaceAll("\\d+", "#");
    }
}
