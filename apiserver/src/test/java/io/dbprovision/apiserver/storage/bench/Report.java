package io.dbprovision.apiserver.storage.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;

/** The results as a Markdown table: one row per measurement, one column per backend, and the issue's targets. */
final class Report {
    private Report() {}

    record Column(String backend, String description, Map<String, Double> values, List<String> notes) {}

    /**
     * One row. {@code first} and {@code second} are value keys (second may be null: one number per cell); the
     * target, when there is one, is checked on {@code checked} (a value key).
     */
    record Row(
            String label,
            String first,
            String second,
            String format,
            String target,
            String checked,
            DoublePredicate ok,
            boolean embeddedOnly) {

        static Row of(String label, String first, String second, String format) {
            return new Row(label, first, second, format, "", null, null, false);
        }

        Row target(String text, String key, DoublePredicate predicate, boolean onlyEmbedded) {
            return new Row(label, first, second, format, text, key, predicate, onlyEmbedded);
        }
    }

    static List<Row> rows(StorageBench.Config config) {
        List<Row> rows = new ArrayList<>();
        for (int writers : config.writers()) {
            rows.add(Row.of("creates/s, " + writers + " writers, 1 KiB", "creates/s @" + writers, null, "%,.0f")
                    .target("≥ 2,000 (embedded)", "creates/s @" + writers, v -> v >= 2_000, true));
            rows.add(Row.of(
                    "create latency p50 / p99 (ms), " + writers + " writers",
                    "create p50 @" + writers,
                    "create p99 @" + writers,
                    "%.2f"));
        }
        int n = config.listObjects();
        rows.add(Row.of("get p50 / p99 (µs), 1 reader", "get p50", "get p99", "%.1f"));
        rows.add(Row.of(String.format("LIST %,d, no limit: p50 / p99 (ms)", n), "list p50", "list p99", "%.2f")
                .target("p50 ≤ 100 ms", "list p50", v -> v <= 100, false));
        rows.add(Row.of(
                String.format("LIST %,d + copy every value out (lower bound of serving it): p50 / p99 (ms)", n),
                "list copy p50",
                "list copy p99",
                "%.2f"));
        rows.add(Row.of(
                String.format("LIST of %,d, limit=500 first page: p50 / p99 (ms)", n),
                "list page p50",
                "list page p99",
                "%.2f"));
        rows.add(Row.of(
                String.format("LIST of %,d, label selector matching 10%%: p50 / p99 (ms)", n),
                "list selector p50",
                "list selector p99",
                "%.2f"));
        rows.add(Row.of(
                "LIST limit=500, next page after a write (SQL log): p50 / p99 (ms)",
                "list next page from log p50",
                "list next page from log p99",
                "%.2f"));
        rows.add(Row.of(
                String.format("LIST %,d at an older RV (EXACT, SQL log): p50 / p99 (ms)", n),
                "list exact from log p50",
                "list exact from log p99",
                "%.2f"));
        rows.add(Row.of(
                        String.format(
                                "watch, %,d watchers, create called → onEvent: p50 / p99 (ms)", config.watchers()),
                        "watch p50",
                        "watch p99",
                        "%.2f")
                .target("p99 ≤ 10 ms", "watch p99", v -> v <= 10, false));
        rows.add(Row.of(
                String.format("watch, %,d watchers, create returned → onEvent: p50 / p99 (ms)", config.watchers()),
                "watch ack p50",
                "watch ack p99",
                "%.2f"));
        rows.add(Row.of(
                "watch: the paced writer's create latency p50 / p99 (ms)",
                "watch create p50",
                "watch create p99",
                "%.2f"));
        rows.add(Row.of("watch: writes/s during the watch run (paced)", "watch write rate", null, "%.0f"));
        rows.add(Row.of("watch: process CPU during the watch run (% of one core)", "watch cpu", null, "%.0f"));
        rows.add(Row.of("objects stored when heap was measured", "objects", null, "%,.0f"));
        rows.add(Row.of("heap per 1 KiB object, as written (KiB)", "heap/object written", null, "%.2f")
                .target("≤ 10 KiB", "heap/object written", v -> v <= 10, false));
        rows.add(Row.of("heap per 1 KiB object, after reopen (KiB)", "heap/object reopened", null, "%.2f")
                .target("≤ 10 KiB", "heap/object reopened", v -> v <= 10, false));
        rows.add(Row.of("reopen (load every object) (s)", "reopen s", null, "%.2f"));
        return rows;
    }

    static String render(Machine machine, StorageBench.Config config, List<Column> columns, double totalSeconds) {
        StringBuilder out = new StringBuilder();
        out.append("## Storage benchmark results\n\n").append(machine.text()).append('\n');
        out.append(String.format(
                "- run: %d watchers at %d writes/s for %,d writes (%,d warm-up), %d rounds of %,d creates per"
                        + " concurrency level, %,d objects listed, total %.0f s%n%n",
                config.watchers(),
                config.watchRate(),
                config.watchEvents(),
                config.watchWarmupEvents(),
                config.rounds(),
                config.creates(),
                config.listObjects(),
                totalSeconds));
        out.append("| measurement | target |");
        for (Column column : columns) {
            out.append(' ').append(column.backend()).append(" |");
        }
        out.append("\n|---|---|");
        out.append("---:|".repeat(columns.size()));
        out.append('\n');
        for (Row row : rows(config)) {
            out.append("| ")
                    .append(row.label())
                    .append(" | ")
                    .append(row.target())
                    .append(" |");
            for (Column column : columns) {
                out.append(' ').append(cell(row, column)).append(" |");
            }
            out.append('\n');
        }
        out.append('\n');
        for (Column column : columns) {
            out.append("- ").append(column.backend()).append(": ").append(column.description());
            for (String note : column.notes()) {
                out.append("; ").append(note);
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String cell(Row row, Column column) {
        Double first = column.values().get(row.first());
        if (first == null) {
            return "–";
        }
        String text = String.format(row.format(), first);
        if (row.second() != null) {
            Double second = column.values().get(row.second());
            text += " / " + (second == null ? "–" : String.format(row.format(), second));
        }
        if (row.ok() != null && (!row.embeddedOnly() || column.backend().startsWith("embedded"))) {
            Double checked = column.values().get(row.checked());
            if (checked != null) {
                text += row.ok().test(checked) ? " ✓" : " ✗";
            }
        }
        return text;
    }
}
