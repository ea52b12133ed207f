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
        long total = 0;
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] != null && infos[i].getThreadName().startsWith("HttpClient-")) {
                long cpu = THREADS.getThreadCpuTime(ids[i]);
                if (cpu > 0) {
                    total += cpu;
                }
            }
        }
        return total;
    }
}
