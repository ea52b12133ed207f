package io.dbprovision.apiserver.storage.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The HTTP benchmark's results as a Markdown table: one row per measurement, one column per path (storage, the API
 * layer in process, each protocol), each cell with its ratio to the storage column, and the issue's targets.
 */
final class HttpReport {
    private HttpReport() {}

    /**
     * One row: {@code first} and {@code second} are value keys (second may be null). The ratio to storage is taken on
     * {@code first}: the column over storage for times, storage over the column for rates ({@code rate}), so that
     * a ratio is always "how many times the storage layer's cost". {@code target} is the ratio the HTTP columns
     * must stay within (0: none).
     */
    record Row(String label, String first, String second, String format, boolean rate, double target) {}

    static List<Row> rows(HttpBench.Config config) {
        List<Row> rows = new ArrayList<>();
        for (boolean fsync : config.fsync()) {
            String mode = fsync ? " fsync on" : " fsync off";
            for (HttpBench.Writers writers : config.writers()) {
                String where = writers.label() + ", fsync " + (fsync ? "on" : "off");
                rows.add(new Row(
                        "creates/s, " + where + " (median of " + config.rounds() + " rounds)",
                        "creates/s @" + writers + mode,
                        null,
                        "%,.0f",
                        true,
                        2));
                rows.add(new Row(
                        "create latency p50 / p99 (ms), " + where,
                        "create p50 @" + writers + mode,
                        "create p99 @" + writers + mode,
                        "%.2f",
                        false,
                        0));
                rows.add(new Row(
                        "CPU per create of the serving process (µs), " + where,
                        "create cpu @" + writers + mode,
                        null,
                        "%,.0f",
                        false,
                        2));
                rows.add(new Row(
                        "… and of the load driver (µs): its process / its HTTP client's threads, " + where,
                        "create driver cpu @" + writers + mode,
                        "create client cpu @" + writers + mode,
                        "%,.0f",
                        false,
                        0));
            }
        }
        for (HttpBench.Writers writers : config.writers()) {
            rows.add(new Row(
                    "HTTPS round trip alone: GET /healthz/s, " + writers.label(),
                    "healthz/s @" + writers,
                    null,
                    "%,.0f",
                    false,
                    0));
            rows.add(new Row(
                    "… its latency p50 / p99 (ms)",
                    "healthz p50 @" + writers,
                    "healthz p99 @" + writers,
                    "%.2f",
                    false,
                    0));
            rows.add(new Row(
                    "… CPU per request, server process / load driver process (µs)",
                    "healthz cpu @" + writers,
                    "healthz driver cpu @" + writers,
                    "%,.0f",
                    false,
                    0));
        }
        rows.add(new Row("get p50 / p99 (µs), 1 reader", "get p50", "get p99", "%,.1f", false, 0));
        int n = config.listObjects();
        rows.add(new Row(
                String.format("LIST %,d, no limit: p50 / p99 (ms)", n), "list p50", "list p99", "%,.2f", false, 1.5));
        rows.add(new Row(
                String.format("LIST %,d: per list, serving process CPU / this process's GC pauses (ms)", n),
                "list cpu",
                "list gc",
                "%,.0f",
                false,
                0));
        if (config.listDriver() == HttpBench.ListDriver.H2LOAD) {
            rows.add(new Row(
                    String.format("LIST %,d read by h2load (one connection, one at a time): p50 / p99 (ms)", n),
                    "list h2load p50",
                    "list h2load p99",
                    "%,.2f",
                    false,
                    0));
            rows.add(new Row(
                    String.format("LIST %,d read by h2load: per list, serving process CPU / h2load's CPU (ms)", n),
                    "list h2load cpu",
                    "list h2load driver cpu",
                    "%,.0f",
                    false,
                    0));
        }
        rows.add(new Row(
                String.format("LIST %,d: per list, allocated by the API layer (MiB)", n),
                "list allocated",
                null,
                "%,.0f",
                false,
                0));
        rows.add(new Row(
                String.format("… of which the registry's list of %,d (no decoding): p50 / p99 (ms)", n),
                "list decode p50",
                "list decode p99",
                "%,.2f",
                false,
                0));
        rows.add(new Row(
                String.format("… of which the JSON body of %,d objects (each version's JSON kept): p50 / p99 (ms)", n),
                "list encode p50",
                "list encode p99",
                "%,.2f",
                false,
                0));
        rows.add(new Row(String.format("LIST %,d response body (MiB)", n), "list bytes", null, "%,.1f", false, 0));
        rows.add(new Row(
                String.format("LIST of %,d, limit=500 first page: p50 / p99 (ms)", n),
                "list page p50",
                "list page p99",
                "%,.2f",
                false,
                0));
        for (HttpBench.WatchLoad load : config.watches()) {
            String suffix = " " + load.watchers() + "@" + load.rate();
            rows.add(new Row(
                    "watch, " + load.label() + ", create called → event: p50 / p99 (ms)",
                    "watch p50" + suffix,
                    "watch p99" + suffix,
                    "%,.2f",
                    false,
                    0));
            rows.add(new Row(
                    "watch, " + load.label() + ", create returned → event: p50 / p99 (ms)",
                    "watch ack p50" + suffix,
                    "watch ack p99" + suffix,
                    "%,.2f",
                    false,
                    0));
            rows.add(new Row(
                    "watch, " + load.label() + ", per event: create called → its first watcher has it, p50 / p99 (ms)",
                    "watch first p50" + suffix,
                    "watch first p99" + suffix,
                    "%,.2f",
                    false,
                    0));
            rows.add(new Row(
                    "watch, " + load.label() + ", per event: its first watcher → its last (the fan-out's spread),"
                            + " p50 / p99 (ms)",
                    "watch spread p50" + suffix,
                    "watch spread p99" + suffix,
                    "%,.2f",
                    false,
                    0));
            rows.add(new Row(
                    "watch, " + load.label() + ", the writer's create: p50 / p99 (ms)",
                    "watch write p50" + suffix,
                    "watch write p99" + suffix,
                    "%,.2f",
                    false,
                    0));
            rows.add(new Row(
                    "watch, " + load.label() + ", CPU (% of one core): serving process / load driver (the watchers)",
                    "watch cpu" + suffix,
                    "watch driver cpu" + suffix,
                    "%,.0f",
                    false,
                    0));
            rows.add(new Row(
                    "watch, " + load.label() + ", load driver CPU per delivery (µs): its process / its watch client's"
                            + " threads (" + config.watchDriver().name().toLowerCase(java.util.Locale.ROOT) + ")",
                    "watch driver us" + suffix,
                    "watch client us" + suffix,
                    "%,.1f",
                    false,
                    0));
        }
        String objects = String.format("%,d objects", config.rssObjects());
        rows.add(new Row(
                "memory, " + objects + ": server resident set (MiB), loaded / with 2,000 objects (-Xmx"
                        + config.rssHeap() + ")",
                "rss MiB",
                "rss empty MiB",
                "%,.0f",
                false,
                0));
        rows.add(new Row(
                "memory, " + objects + ": KiB per object: resident set over the objects / resident set added",
                "rss per object",
                "rss added per object",
                "%,.2f",
                false,
                0));
        rows.add(new Row(
                "memory, " + objects + ": heap added per object after a full GC (KiB)",
                "heap per object",
                null,
                "%,.2f",
                false,
                0));
        return rows;
    }

    /**
     * Issue 11's targets, each checked against the figures of this run where the run measured them: creates/s over
     * HTTP/2 at 16 connections × 8 streams with fsync on, LIST p50 over HTTP/2 and its ratio to HTTP/1.1, watch
     * delivery p99 at 1,000 watchers, resident set per object.
     */
    static String targets(HttpBench.Config config, Map<String, Map<String, Double>> columns) {
        Map<String, Double> h2 = columns.getOrDefault("h2", Map.of());
        Map<String, Double> h1 = columns.getOrDefault("http1.1", Map.of());
        StringBuilder out = new StringBuilder("Issue 11's targets in this run:\n\n");
        target(
                out,
                "creates/s over HTTP/2, 16 connections × 8 streams, fsync on",
                h2.get("creates/s @16x8 fsync on"),
                "≥ 2,000",
                v -> v >= 2000,
                "%,.0f",
                h1.get("creates/s @16x8 fsync on"));
        listTargets(out, config, h2, h1, "list p50", "");
        listTargets(out, config, h2, h1, "list h2load p50", ", read by h2load");
        String watchDriver = config.watchDriver().name().toLowerCase(java.util.Locale.ROOT) + " watch driver";
        for (HttpBench.WatchLoad load : config.watches()) {
            String key = "watch p99 " + load.watchers() + "@" + load.rate();
            target(
                    out,
                    "watch delivery p99, " + load.label() + ", HTTP/2 (ms), " + watchDriver,
                    h2.get(key),
                    "≤ 10",
                    v -> v <= 10,
                    "%.1f",
                    null);
            target(
                    out,
                    "watch delivery p99, " + load.label() + ", HTTP/1.1 (ms), " + watchDriver,
                    h1.get(key),
                    "≤ 10",
                    v -> v <= 10,
                    "%.1f",
                    null);
        }
        target(
                out,
                "resident set per object, " + String.format("%,d", config.rssObjects()) + " objects (KiB)",
                h2.get("rss per object"),
                "≤ 10",
                v -> v <= 10,
                "%.2f",
                null);
        return out.append('\n').toString();
    }

    /** The LIST targets for one client: p50 over HTTP/2 ≤ 30 ms, and HTTP/2 over HTTP/1.1 ≤ 1.3. */
    private static void listTargets(
            StringBuilder out,
            HttpBench.Config config,
            Map<String, Double> h2,
            Map<String, Double> h1,
            String key,
            String client) {
        target(
                out,
                "LIST " + String.format("%,d", config.listObjects()) + " p50 over HTTP/2" + client + " (ms)",
                h2.get(key),
                "≤ 30",
                v -> v <= 30,
                "%.1f",
                h1.get(key));
        Double ratio = h2.get(key) == null || h1.get(key) == null ? null : h2.get(key) / h1.get(key);
        target(out, "LIST p50" + client + ", HTTP/2 over HTTP/1.1", ratio, "≤ 1.3", v -> v <= 1.3, "%.2f", null);
    }

    private static void target(
            StringBuilder out,
            String label,
            Double value,
            String bound,
            java.util.function.DoublePredicate met,
            String format,
            Double http1) {
        if (value == null) {
            return;
        }
        out.append("- ").append(label).append(": ").append(String.format(format, value));
        if (http1 != null) {
            out.append(" (HTTP/1.1: ").append(String.format(format, http1)).append(')');
        }
        out.append(", target ")
                .append(bound)
                .append(met.test(value) ? " ✓" : " ✗")
                .append('\n');
    }

    static String render(
            Machine machine,
            String fsyncLatency,
            HttpBench.Config config,
            Map<String, Map<String, Double>> columns,
            List<String> notes,
            double totalSeconds) {
        StringBuilder out = new StringBuilder();
        out.append("## HTTP benchmark results\n\n");
        machine.text()
                .lines()
                .filter(line -> !line.startsWith("- PostgreSQL")) // not used here
                .forEach(line -> out.append(line).append('\n'));
        out.append("- ").append(fsyncLatency).append('\n');
        out.append(String.format(
                "- run: embedded store (creates with fsync %s; the rest with fsync %s); %d rounds of %,d creates per concurrency level and column; %,d objects"
                        + " listed; watches %s, read by %s; total %.0f s%n",
                String.join(
                        " and ",
                        config.fsync().stream().map(f -> f ? "on" : "off").toList()),
                config.fsync().getFirst() ? "on" : "off",
                config.rounds(),
                config.creates(),
                config.listObjects(),
                String.join(
                        ", ",
                        config.watches().stream()
                                .map(w -> w.label() + " (" + w.events() + " writes)")
                                .toList()),
                config.watchDriver().label + " (bench.watchDriver="
                        + config.watchDriver().name().toLowerCase(java.util.Locale.ROOT) + ")",
                totalSeconds));
        out.append("- every cell but storage's shows its ratio to the storage column (× the storage layer's cost: time"
                + " over time, or storage's rate over the column's); ✓/✗ against the issue's target\n\n");
        out.append("| measurement |");
        columns.keySet().forEach(column -> out.append(' ').append(column).append(" |"));
        out.append(" target |\n|---|");
        out.append("---:|".repeat(columns.size()));
        out.append("---|\n");
        Map<String, Double> storage = columns.get(HttpBench.STORAGE);
        for (Row row : rows(config)) {
            StringBuilder line = new StringBuilder("| ").append(row.label()).append(" |");
            boolean any = false;
            for (var column : columns.entrySet()) {
                Double first = column.getValue().get(row.first());
                if (first != null) {
                    any = true;
                }
                line.append(' ')
                        .append(cell(row, column.getKey(), column.getValue(), storage))
                        .append(" |");
            }
            line.append(' ')
                    .append(row.target() > 0 ? String.format("HTTP ≤ %s× storage", trim(row.target())) : "")
                    .append(" |\n");
            if (any) {
                out.append(line);
            }
        }
        out.append('\n');
        out.append(targets(config, columns));
        out.append(authTable(config, columns));
        for (String note : notes) {
            out.append("- ").append(note).append('\n');
        }
        return out.toString();
    }

    /** Rows of the authorization table: what issue 9 asks about (creates/s, LIST, watch) and what explains it. */
    private static final List<String> AUTH_ROWS = List.of(
            "creates/s @",
            "create p50 @",
            "create cpu @",
            "healthz/s @",
            "healthz cpu @",
            "get p50",
            "list p50",
            "list cpu",
            "list page p50",
            "watch p50",
            "watch ack p50",
            "watch cpu");

    /** Rows whose ratio issue 9 bounds: at most 10 % below the figures without authorization and audit. */
    private static final List<String> AUTH_TARGET_ROWS = List.of("creates/s @", "list p50", "watch p50");

    /**
     * When several authorization modes ran: per protocol, each mode next to {@code masters} (the admin, audit off),
     * with its ratio to it — the mode's rate over masters' for rates, its time over masters' for times and CPU — and
     * ✓/✗ against issue 9's bound (no more than 10 % below: a rate ratio ≥ 0.9, a time ratio ≤ 1.1).
     */
    static String authTable(HttpBench.Config config, Map<String, Map<String, Double>> columns) {
        if (config.auth().size() < 2 || !config.auth().contains(BenchAuth.MASTERS)) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        out.append("Authorization and audit against the admin (`system:masters`, audit off): the ratio is the mode's"
                + " rate over masters' (creates/s, healthz/s) or its time or CPU over masters'; for creates/s and CPU"
                + " per create the median of the round-by-round ratios (each round's columns run back to back, under"
                + " the same load), for the watch p50 the median of the repetitions' ratios, each with its 95 %"
                + " distribution-free interval; ✓ when the whole interval meets issue 9's bound (at most 10 % below),"
                + " ✗ when none of it does, ? when this many rounds cannot tell\n\n| measurement |");
        List<String> shown = new ArrayList<>();
        for (String protocol : config.protocols()) {
            for (BenchAuth auth : config.auth()) {
                shown.add(protocol + " " + auth.label);
                out.append(' ').append(protocol).append(' ').append(auth.label).append(" |");
            }
        }
        out.append("\n|---|").append("---:|".repeat(shown.size())).append('\n');
        for (Row row : rows(config)) {
            boolean wanted = AUTH_ROWS.stream().anyMatch(prefix -> row.first().startsWith(prefix));
            if (!wanted
                    || shown.stream()
                            .noneMatch(c -> columns.getOrDefault(c, Map.of()).containsKey(row.first()))) {
                continue;
            }
            boolean bounded =
                    AUTH_TARGET_ROWS.stream().anyMatch(prefix -> row.first().startsWith(prefix));
            boolean rate = row.first().startsWith("creates/s") || row.first().startsWith("healthz/s");
            out.append("| ").append(row.label()).append(" |");
            for (String protocol : config.protocols()) {
                Double base = columns.getOrDefault(protocol + " " + BenchAuth.MASTERS.label, Map.of())
                        .get(row.first());
                for (BenchAuth auth : config.auth()) {
                    Map<String, Double> values = columns.getOrDefault(protocol + " " + auth.label, Map.of());
                    Double value = values.get(row.first());
                    String text = value == null ? "–" : String.format(row.format(), value);
                    if (value != null && row.second() != null && values.get(row.second()) != null) {
                        text += " / " + String.format(row.format(), values.get(row.second()));
                    }
                    Double paired = values.get(pairedKey(row.first()));
                    Double low = values.get(pairedKey(row.first()) + " low");
                    Double high = values.get(pairedKey(row.first()) + " high");
                    if (auth != BenchAuth.MASTERS && paired != null && low != null && !low.isNaN()) {
                        PairedRatios interval = new PairedRatios(paired, low, high, 0.95);
                        text += String.format(" (%.2f×, %.2f–%.2f)", paired, low, high);
                        if (bounded) {
                            text += " " + interval.verdict(rate, rate ? 0.9 : 1.1);
                        }
                    } else if (auth != BenchAuth.MASTERS && paired != null) {
                        double ratio = paired;
                        text += String.format(" (%.2f×)", ratio);
                        if (bounded) {
                            text += (rate ? ratio >= 0.9 : ratio <= 1.1) ? " ✓" : " ✗";
                        }
                    } else if (auth != BenchAuth.MASTERS && value != null && base != null && base > 0 && value > 0) {
                        double ratio = value / base;
                        text += String.format(" (%.2f×)", ratio);
                        if (bounded) {
                            text += (rate ? ratio >= 0.9 : ratio <= 1.1) ? " ✓" : " ✗";
                        }
                    }
                    out.append(' ').append(text).append(" |");
                }
            }
            out.append('\n');
        }
        return out.append('\n').toString();
    }

    /** The key of the paired (round by round) ratio to masters of a measurement, where the benchmark keeps one. */
    static String pairedKey(String key) {
        for (String measured : List.of("creates/s", "create cpu", "watch p50")) {
            if (key.startsWith(measured + " ")) {
                return measured + " ratio" + key.substring(measured.length());
            }
        }
        return key + " ratio";
    }

    private static String cell(Row row, String column, Map<String, Double> values, Map<String, Double> storage) {
        Double first = values.get(row.first());
        if (first == null) {
            return "–";
        }
        double shown = row.first().equals("list bytes") ? first / 1048576.0 : first;
        String text = String.format(row.format(), shown);
        if (row.second() != null) {
            Double second = values.get(row.second());
            text += " / " + (second == null ? "–" : String.format(row.format(), second));
        }
        Double base = storage.get(row.first());
        if (!column.equals(HttpBench.STORAGE) && base != null && base > 0 && first > 0) {
            double ratio = row.rate() ? base / first : first / base;
            text += String.format(ratio >= 100 ? " (%,.0f×)" : " (%.1f×)", ratio);
            if (row.target() > 0 && !column.equals(HttpBench.API)) {
                text += ratio <= row.target() ? " ✓" : " ✗";
            }
        }
        return text;
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
