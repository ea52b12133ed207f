package io.dbprovision.apiserver.storage.bench;

import io.dbprovision.apiserver.storage.Attributes;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.FieldSelector;
import io.dbprovision.apiserver.storage.LabelSelector;
import io.dbprovision.apiserver.storage.ListOptions;
import io.dbprovision.apiserver.storage.ListResult;
import io.dbprovision.apiserver.storage.ObjectKey;
import io.dbprovision.apiserver.storage.Selector;
import io.dbprovision.apiserver.storage.StorageException;
import io.dbprovision.apiserver.storage.WatchEvent;
import io.dbprovision.apiserver.storage.WatchOptions;
import io.dbprovision.apiserver.storage.Watcher;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The storage benchmark of issue 3: creates/s, get, LIST of 10,000 objects, watch delivery to 1,000 watchers and
 * heap per object, on each backend, through the public {@link io.dbprovision.apiserver.storage.Storage} API. A
 * load driver rather than JMH because most measurements are not of a method in a loop: fan-out latency is
 * measured at 1,000 watchers against a paced writer, heap after full GCs with the store loaded. Every latency is
 * kept and percentiles are exact. Run by the Maven profile {@code bench}; docs/performance.md has the command,
 * the method and the results.
 */
public final class StorageBench {
    static final String CREATES = "creates.bench.dbprovision.io";
    static final String LISTS = "lists.bench.dbprovision.io";
    static final String WATCHES = "watches.bench.dbprovision.io";
    static final String OTHERS = "others.bench.dbprovision.io";
    static final int OBJECT_SIZE = 1024;
    static final int NAMESPACES = 10;

    private final Config config;
    private final Map<String, Double> values = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    private StorageBench(Config config) {
        this.config = config;
    }

    /** The knobs, as system properties (the Maven profile passes them through). */
    record Config(
            List<String> backends,
            String postgresUrl,
            Path dataRoot,
            Path out,
            List<String> phases,
            List<Integer> writers,
            int rounds,
            int creates,
            Duration createCap,
            int listObjects,
            int listIterations,
            int watchers,
            int watchRate,
            int watchEvents,
            int watchWarmupEvents) {

        static Config fromSystemProperties() {
            double scale = Double.parseDouble(System.getProperty("bench.scale", "1"));
            return new Config(
                    Arrays.stream(System.getProperty("bench.backends", "embedded-fsync,embedded-nofsync,postgres")
                                    .split(","))
                            .map(String::trim)
                            .filter(s -> !s.isEmpty())
                            .toList(),
                    System.getProperty("bench.postgres", "jdbc:postgresql://127.0.0.1:5432/"),
                    Path.of(System.getProperty("bench.data", "target/bench-data")),
                    Path.of(System.getProperty("bench.out", "target/storage-bench.md")),
                    List.of(System.getProperty("bench.phases", "creates,heap,get,list,watch")
                            .split(",")),
                    Arrays.stream(System.getProperty("bench.writers", "16,64").split(","))
                            .map(String::trim)
                            .map(Integer::parseInt)
                            .toList(),
                    Integer.getInteger("bench.rounds", 3),
                    (int) (Integer.getInteger("bench.creates", 10_000) * scale),
                    Duration.ofSeconds(Integer.getInteger("bench.createSeconds", 15)),
                    Integer.getInteger("bench.listObjects", 10_000),
                    (int) (Integer.getInteger("bench.listIterations", 100) * scale),
                    Integer.getInteger("bench.watchers", 1_000),
                    Integer.getInteger("bench.watchRate", 100),
                    (int) (Integer.getInteger("bench.watchEvents", 1_500) * scale),
                    (int) (Integer.getInteger("bench.watchWarmupEvents", 200) * scale));
        }
    }

    public static void main(String[] args) throws Exception {
        Config config = Config.fromSystemProperties();
        long started = System.nanoTime();
        Machine machine = Machine.describe(config.postgresUrl());
        System.out.println(machine.text());
        jvmWarmUp(config);

        List<Report.Column> columns = new ArrayList<>();
        for (String name : config.backends()) {
            if (name.equals("postgres") && machine.postgres().startsWith("unreachable")) {
                System.out.println("skipping postgres: " + machine.postgres());
                continue;
            }
            long backendStarted = System.nanoTime();
            System.out.printf("%n== %s%n", name);
            try (BenchBackend backend = BenchBackend.create(name, config.dataRoot(), config.postgresUrl())) {
                StorageBench bench = new StorageBench(config);
                bench.run(backend);
                bench.notes.add(String.format("run took %.0f s", seconds(System.nanoTime() - backendStarted)));
                columns.add(new Report.Column(name, backend.describe(), bench.values, bench.notes));
            }
        }
        String report = Report.render(machine, config, columns, seconds(System.nanoTime() - started));
        System.out.println();
        System.out.println(report);
        Files.createDirectories(config.out().toAbsolutePath().getParent());
        Files.writeString(config.out(), report);
        System.out.println("written to " + config.out().toAbsolutePath());
    }

    /** Loads the classes and compiles the hot paths once, so the first backend is not measured on a cold JVM. */
    private static void jvmWarmUp(Config config) {
        try (BenchBackend backend = BenchBackend.create(
                        "embedded-nofsync", config.dataRoot().resolve("warm-up"), "");
                CachingStorage storage = backend.open()) {
            AtomicLong index = new AtomicLong();
            creates(storage, CREATES, 16, 3_000, Duration.ofSeconds(10), index);
            for (int i = 0; i < 200; i++) {
                storage.list(ListOptions.all(CREATES));
                storage.get(key(CREATES, i));
            }
        }
    }

    private void run(BenchBackend backend) throws Exception {
        long baseline = heapUsedAfterGc();
        CachingStorage storage = backend.open();
        try {
            AtomicLong createIndex = new AtomicLong();
            long stored = 0;
            if (config.phases().contains("creates")) {
                stored += measureCreates(storage, createIndex);
            }
            if (config.phases().contains("list") || config.phases().contains("heap")) {
                // The 10,000 objects to list, in their own resource.
                CreateRun listLoad =
                        creates(storage, LISTS, 64, config.listObjects(), Duration.ofMinutes(2), new AtomicLong());
                stored += listLoad.done();
                if (listLoad.done() != config.listObjects()) {
                    notes.add("only " + listLoad.done() + " of " + config.listObjects() + " list objects stored");
                }
            }
            if (config.phases().contains("heap")) {
                measureHeap(storage, baseline, stored, "written");
                // Closed and unreferenced before the reopened store is measured, or both would be counted.
                storage.close();
                storage = null;
                long reopenStarted = System.nanoTime();
                storage = backend.open();
                double reopenSeconds = seconds(System.nanoTime() - reopenStarted);
                values.put("reopen s", reopenSeconds);
                step("reopen with %,d objects: %.2f s", stored, reopenSeconds);
                measureHeap(storage, baseline, stored, "reopened");
            }
            if (config.phases().contains("get") && createIndex.get() > 0) {
                gets(storage, createIndex.get());
            }
            if (config.phases().contains("list")) {
                lists(storage);
            }
            if (config.phases().contains("watch")) {
                watch(storage);
            }
        } finally {
            if (storage != null) {
                storage.close();
            }
        }
    }

    /** A warm-up, then {@link Config#rounds()} runs per concurrency level; returns how many objects were stored. */
    private long measureCreates(CachingStorage storage, AtomicLong createIndex) {
        int maxWriters =
                config.writers().stream().mapToInt(Integer::intValue).max().orElse(64);
        CreateRun warm =
                creates(storage, CREATES, maxWriters, config.creates() / 2, Duration.ofSeconds(5), createIndex);
        step("creates warm-up: %,d creates at %,.0f/s", warm.done(), warm.rate());
        long stored = warm.done();
        for (int writers : config.writers()) {
            List<CreateRun> rounds = new ArrayList<>();
            for (int round = 0; round < config.rounds(); round++) {
                CreateRun run = creates(storage, CREATES, writers, config.creates(), config.createCap(), createIndex);
                rounds.add(run);
                stored += run.done();
                step(
                        "%d writers, round %d: %,d creates in %.1f s = %,.0f/s, latency p50 %.2f ms p99 %.2f ms",
                        writers,
                        round + 1,
                        run.done(),
                        run.seconds(),
                        run.rate(),
                        millis(run.latency().percentile(50)),
                        millis(run.latency().percentile(99)));
                if (run.errors() > 0) {
                    notes.add(run.errors() + " creates failed with " + writers + " writers: " + run.firstError());
                }
            }
            double[] rates =
                    rounds.stream().mapToDouble(CreateRun::rate).sorted().toArray();
            Samples latency =
                    Samples.merge(rounds.stream().map(CreateRun::latency).toList());
            values.put("creates/s @" + writers, rates[rates.length / 2]);
            values.put("create p50 @" + writers, millis(latency.percentile(50)));
            values.put("create p99 @" + writers, millis(latency.percentile(99)));
            if (rates.length > 1) {
                notes.add(String.format(
                        "creates/s with %d writers over %d rounds: %,.0f–%,.0f (median in the table)",
                        writers, rates.length, rates[0], rates[rates.length - 1]));
            }
        }
        return stored;
    }

    /**
     * Heap per object: the whole store's heap after full GCs, over the objects it holds; once as written (with the
     * recent-changes window) and once after a reopen (loaded from the database).
     */
    private void measureHeap(CachingStorage storage, long baseline, long stored, String when) {
        long used = heapUsedAfterGc();
        values.put("objects", (double) stored);
        values.put("heap/object " + when, (used - baseline) / 1024.0 / stored);
        step(
                "heap %s: %.1f MiB for %,d objects = %.2f KiB/object (store open: %s)",
                when, (used - baseline) / 1048576.0, stored, (used - baseline) / 1024.0 / stored, storage.isHealthy());
    }

    // ---------------------------------------------------------------------------------------------------------
    // creates

    record CreateRun(long done, double seconds, Samples latency, long errors, String firstError) {
        double rate() {
            return done / seconds;
        }
    }

    /**
     * {@code writers} virtual threads create 1 KiB objects back to back (closed loop) until {@code count} are done
     * or {@code cap} has passed. Throughput is what completed over the wall time of the whole run.
     */
    static CreateRun creates(
            CachingStorage storage, String resource, int writers, int count, Duration cap, AtomicLong index) {
        AtomicInteger remaining = new AtomicInteger(count);
        AtomicLong errors = new AtomicLong();
        AtomicLong done = new AtomicLong();
        List<Samples> latencies = new ArrayList<>();
        String[] firstError = {""};
        long start = System.nanoTime();
        long deadline = start + cap.toNanos();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < writers; w++) {
                Samples samples = new Samples(count / writers + 16);
                latencies.add(samples);
                executor.submit(() -> {
                    while (remaining.getAndDecrement() > 0 && System.nanoTime() < deadline) {
                        long i = index.getAndIncrement();
                        ObjectKey key = key(resource, i);
                        byte[] value = value(i, 0);
                        Attributes attributes = attributes(key, i);
                        long t0 = System.nanoTime();
                        try {
                            storage.create(key, value, attributes);
                            samples.add(System.nanoTime() - t0);
                            done.incrementAndGet();
                        } catch (RuntimeException e) {
                            if (errors.getAndIncrement() == 0) {
                                firstError[0] = e.toString();
                            }
                        }
                    }
                });
            }
        }
        double seconds = seconds(System.nanoTime() - start);
        return new CreateRun(done.get(), seconds, Samples.merge(latencies), errors.get(), firstError[0]);
    }

    static ObjectKey key(String resource, long i) {
        return new ObjectKey(resource, "ns-" + (i % NAMESPACES), "object-" + i);
    }

    /** 1 KiB of random bytes (a fresh array per object, as decoded requests are), starting with two numbers. */
    static byte[] value(long sequence, long submittedNanos) {
        byte[] value = new byte[OBJECT_SIZE];
        ThreadLocalRandom.current().nextBytes(value);
        ByteBuffer.wrap(value).putLong(0, sequence).putLong(8, submittedNanos);
        return value;
    }

    /** What the registry would compute for a typical object: two labels and the selectable fields. */
    static Attributes attributes(ObjectKey key, long i) {
        return new Attributes(
                Map.of("app", "bench", "shard", "s" + (i % 10)),
                Map.of(
                        "metadata.name", key.name(),
                        "metadata.namespace", key.namespace(),
                        "status.phase", "Ready"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // gets

    /** One reader (closed loop) gets random existing objects: the latency of a single uncontended read. */
    private void gets(CachingStorage storage, long objects) {
        Duration warmUp = Duration.ofSeconds(2);
        Duration measure = Duration.ofSeconds(5);
        int maxSamples = 1_000_000;
        for (int phase = 0; phase < 2; phase++) {
            Samples samples = new Samples(maxSamples);
            long deadline = System.nanoTime() + (phase == 0 ? warmUp : measure).toNanos();
            long misses = 0;
            while (System.nanoTime() < deadline && samples.size() < maxSamples) {
                ObjectKey key = key(CREATES, ThreadLocalRandom.current().nextLong(objects));
                long t0 = System.nanoTime();
                boolean found = storage.get(key).isPresent();
                samples.add(System.nanoTime() - t0);
                if (!found) {
                    misses++;
                }
            }
            if (phase == 1) {
                values.put("get p50", micros(samples.percentile(50)));
                values.put("get p99", micros(samples.percentile(99)));
                step(
                        "get: %,d samples, p50 %.1f µs, p99 %.1f µs, max %.1f µs, %d not found (failed creates)",
                        samples.size(),
                        micros(samples.percentile(50)),
                        micros(samples.percentile(99)),
                        micros(samples.max()),
                        misses);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // lists

    private void lists(CachingStorage storage) {
        int n = config.listObjects();
        int iterations = config.listIterations();
        int warmUp = Math.max(5, iterations / 5);
        Duration cap = Duration.ofSeconds(15);

        Samples full = timed(warmUp, iterations, cap, () -> expectSize(storage.list(ListOptions.all(LISTS)), n));
        record("list", "LIST %,d (all, from the cache)", n, full);

        // A lower bound for serving the list: every value copied out once (the API layer also encodes it).
        byte[] response = new byte[n * (OBJECT_SIZE + 64)];
        Samples copied = timed(warmUp, iterations, cap, () -> {
            ListResult result = storage.list(ListOptions.all(LISTS));
            expectSize(result, n);
            int offset = 0;
            for (var object : result.items()) {
                System.arraycopy(object.value(), 0, response, offset, object.value().length);
                offset += object.value().length;
            }
        });
        record("list copy", "LIST %,d and copy every value into a response buffer", n, copied);

        Samples page = timed(
                warmUp,
                iterations * 5,
                cap,
                () -> expectSize(storage.list(ListOptions.all(LISTS).withLimit(500, "")), Math.min(500, n)));
        record("list page", "LIST limit=500, first page of %,d", n, page);

        Selector oneShard = new Selector(LabelSelector.parse("shard=s3"), FieldSelector.everything());
        Samples selected = timed(
                warmUp,
                iterations,
                cap,
                () -> expectSize(storage.list(ListOptions.all(LISTS).withSelector(oneShard)), n / 10));
        record("list selector", "LIST with label selector shard=s3 (%,d match)", n / 10, selected);

        // A continue token whose version the cache has moved past is served from the SQL log (consistent paging).
        AtomicLong bump = new AtomicLong();
        Samples nextPage = timedWithSetup(warmUp, Math.max(20, iterations / 2), cap, () -> {
            ListResult first = storage.list(ListOptions.all(LISTS).withLimit(500, ""));
            storage.create(key(OTHERS, bump.getAndIncrement()), value(0, 0), Attributes.EMPTY);
            return () -> expectSize(
                    storage.list(ListOptions.all(LISTS).withLimit(500, first.continueToken())), Math.min(500, n - 500));
        });
        record(
                "list next page from log",
                "LIST limit=500, second page after a write (from the SQL log) of %,d",
                n,
                nextPage);

        // The whole list at a version older than the cache's: the SQL log's snapshot query.
        long old = storage.currentResourceVersion();
        storage.create(key(OTHERS, bump.getAndIncrement()), value(0, 0), Attributes.EMPTY);
        Samples exact = timed(
                Math.max(2, warmUp / 4),
                Math.max(10, iterations / 5),
                Duration.ofSeconds(20),
                () -> expectSize(storage.list(ListOptions.all(LISTS).at(old, ListOptions.Match.EXACT)), n));
        record("list exact from log", "LIST %,d at an older resourceVersion (EXACT, from the SQL log)", n, exact);
    }

    private void record(String id, String format, int n, Samples samples) {
        values.put(id + " p50", millis(samples.percentile(50)));
        values.put(id + " p99", millis(samples.percentile(99)));
        step(
                format + ": %d iterations, p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                n,
                samples.size(),
                millis(samples.percentile(50)),
                millis(samples.percentile(99)),
                millis(samples.max()));
    }

    private static void expectSize(ListResult result, int expected) {
        if (result.items().size() != expected) {
            throw new IllegalStateException("list returned " + result.items().size() + " items, not " + expected);
        }
    }

    interface Operation {
        void run();
    }

    interface Prepared {
        Operation prepare();
    }

    private static Samples timed(int warmUp, int iterations, Duration cap, Operation operation) {
        return timedWithSetup(warmUp, iterations, cap, () -> operation);
    }

    /** Runs {@code warmUp} unmeasured and then up to {@code iterations} measured operations (fewer after {@code cap}). */
    private static Samples timedWithSetup(int warmUp, int iterations, Duration cap, Prepared prepared) {
        for (int i = 0; i < warmUp; i++) {
            prepared.prepare().run();
        }
        Samples samples = new Samples(iterations);
        long deadline = System.nanoTime() + cap.toNanos();
        for (int i = 0; i < iterations && (i < 5 || System.nanoTime() < deadline); i++) {
            Operation operation = prepared.prepare();
            long t0 = System.nanoTime();
            operation.run();
            samples.add(System.nanoTime() - t0);
        }
        return samples;
    }

    // ---------------------------------------------------------------------------------------------------------
    // watch

    /**
     * {@code watchers} watches on one resource; one writer creates objects at a fixed rate (open loop: the schedule
     * does not wait for slow deliveries). Each object carries its sequence number and submit time; every watcher
     * records when each event reached its {@code onEvent}. Latency is measured from the writer's call to
     * {@code create} (it includes the commit) and, separately, from the moment create returned (the acknowledgement;
     * negative when the event arrived before the writer was woken).
     */
    private void watch(CachingStorage storage) throws InterruptedException {
        int watchers = config.watchers();
        int events = config.watchEvents();
        long[] submitted = new long[events];
        long[] acknowledged = new long[events];
        long[][] delivered = new long[watchers][events];
        LongAdder deliveries = new LongAdder();
        AtomicInteger cutOff = new AtomicInteger();
        String[] cutOffCause = {""};
        List<AutoCloseable> handles = new ArrayList<>();
        for (int w = 0; w < watchers; w++) {
            long[] mine = delivered[w];
            handles.add(storage.watch(WatchOptions.from(WATCHES, 0), new Watcher() {
                @Override
                public void onEvent(WatchEvent event) {
                    long now = System.nanoTime();
                    if (event.type() == WatchEvent.Type.ADDED) {
                        int sequence =
                                (int) ByteBuffer.wrap(event.object().value()).getLong(0);
                        mine[sequence] = now;
                        deliveries.increment();
                    }
                }

                @Override
                public void onClose(StorageException cause) {
                    if (cause != null && cutOff.getAndIncrement() == 0) {
                        cutOffCause[0] = cause.getMessage();
                    }
                }
            }));
        }
        long intervalNanos = 1_000_000_000L / config.watchRate();
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        long writeErrors = 0;
        for (int sequence = 0; sequence < events; sequence++) {
            long due = start + sequence * intervalNanos;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            ObjectKey key = key(WATCHES, sequence);
            long t0 = System.nanoTime();
            try {
                storage.create(key, value(sequence, t0), attributes(key, sequence));
            } catch (RuntimeException e) {
                writeErrors++;
            }
            submitted[sequence] = t0;
            acknowledged[sequence] = System.nanoTime();
        }
        double writeSeconds = seconds(System.nanoTime() - start);
        long expected = (long) watchers * (events - writeErrors);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (deliveries.sum() < expected && cutOff.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20); // a bounded wait for the last deliveries, not synchronisation
        }
        double cores = (processCpuNanos() - cpuStart) / (double) (System.nanoTime() - start);
        values.put("watch cpu", cores * 100);
        for (AutoCloseable handle : handles) {
            try {
                handle.close();
            } catch (Exception e) {
                notes.add("closing a watch failed: " + e);
            }
        }

        Samples commit = new Samples(events);
        for (int sequence = config.watchWarmupEvents(); sequence < events; sequence++) {
            commit.add(acknowledged[sequence] - submitted[sequence]);
        }
        values.put("watch create p50", millis(commit.percentile(50)));
        values.put("watch create p99", millis(commit.percentile(99)));
        Samples fromSubmit = new Samples((int) Math.min(Integer.MAX_VALUE - 8, expected));
        Samples fromAck = new Samples((int) Math.min(Integer.MAX_VALUE - 8, expected));
        long missing = 0;
        for (int w = 0; w < watchers; w++) {
            for (int sequence = config.watchWarmupEvents(); sequence < events; sequence++) {
                long at = delivered[w][sequence];
                if (at == 0) {
                    missing++;
                    continue;
                }
                fromSubmit.add(at - submitted[sequence]);
                fromAck.add(at - acknowledged[sequence]);
            }
        }
        values.put("watch p50", millis(fromSubmit.percentile(50)));
        values.put("watch p99", millis(fromSubmit.percentile(99)));
        values.put("watch ack p50", millis(fromAck.percentile(50)));
        values.put("watch ack p99", millis(fromAck.percentile(99)));
        values.put("watch write rate", events / writeSeconds);
        step(
                "watch: %d watchers, %,d writes at %.0f/s (create p50 %.2f ms p99 %.2f ms), %,d deliveries measured,"
                        + " from submit p50 %.2f ms p99 %.2f ms max %.2f ms; from ack p50 %.2f ms p99 %.2f ms;"
                        + " %,d missing, %d cut off, %d write errors",
                watchers,
                events,
                events / writeSeconds,
                millis(commit.percentile(50)),
                millis(commit.percentile(99)),
                fromSubmit.size(),
                millis(fromSubmit.percentile(50)),
                millis(fromSubmit.percentile(99)),
                millis(fromSubmit.max()),
                millis(fromAck.percentile(50)),
                millis(fromAck.percentile(99)),
                missing,
                cutOff.get(),
                writeErrors,
                cores * 100);
        if (missing > 0 || cutOff.get() > 0 || writeErrors > 0) {
            notes.add(String.format(
                    "watch: %,d deliveries missing, %d watchers cut off (%s), %d write errors",
                    missing, cutOff.get(), cutOffCause[0], writeErrors));
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** CPU time of the whole process (every thread, the collector's too). */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Heap in use after full collections: what is reachable, not what the collector has yet to reclaim. */
    static long heapUsedAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private void step(String format, Object... args) {
        System.out.printf("  " + format + "%n", args);
        System.out.flush();
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static double millis(double nanos) {
        return nanos / 1e6;
    }

    static double micros(double nanos) {
        return nanos / 1e3;
    }
}
