package io.dbprovision.client.cli;

import com.google.protobuf.Message;
import io.dbprovision.client.DbProvisionClient;
import io.dbprovision.client.ListOptions;
import io.dbprovision.client.Resources;
import io.dbprovision.client.Watch;
import io.dbprovision.client.WatchEvent;
import io.dbprovision.client.errors.DeadlineExceededException;
import io.dbprovision.proto.portal.v1alpha1.EventType;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code watch}: the objects of a kind as they change — first every current object (ADDED), then each change — until
 * interrupted, {@code --for} has passed, {@code --max-events} were printed, or with {@code --until-ready} the named
 * object is Ready (exit 0) or Failed (exit 6).
 */
@Command(name = "watch", mixinStandardHelpOptions = true, description = "Watch objects change (Databases by default).")
final class WatchCommand implements Callable<Integer> {
    private static final List<String> HEADERS = headers();

    @ParentCommand
    CliMain main;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Only this object.")
    String name;

    @Mixin
    ListScope scope;

    @Option(names = "--for", converter = Durations.class, description = "Stop after this long (exit 0), e.g. 5m.")
    Duration duration;

    @Option(names = "--max-events", defaultValue = "0", description = "Stop after this many events (0: no limit).")
    int maxEvents;

    @Option(names = "--until-ready", description = "With NAME: stop when it is Ready (exit 0) or Failed (exit 6).")
    boolean untilReady;

    @Override
    public Integer call() {
        if (untilReady && name == null) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--until-ready needs NAME");
        }
        try (DbProvisionClient client = main.client()) {
            ListOptions options = scope.options(client);
            if (name != null) {
                options = options.fieldSelector("metadata.name=" + name);
            }
            Resources<? extends Message> resources = client.resources(scope.kind());
            if (duration != null) {
                resources = resources.withWatchTimeout(duration);
            }
            try {
                return follow(resources, options);
            } catch (DeadlineExceededException e) {
                if (duration != null) {
                    return ExitCodes.OK;
                }
                throw e;
            }
        }
    }

    private <T extends Message> int follow(Resources<T> resources, ListOptions options) {
        Output output = main.output();
        PrintWriter out = main.terminal.out();
        int printed = 0;
        boolean headerShown = false;
        try (Watch<T> watch = resources.watch(options)) {
            while (watch.hasNext()) {
                WatchEvent<T> event = watch.next();
                if (event.type() == EventType.BOOKMARK) {
                    continue;
                }
                ObjectSummary summary = ObjectSummary.of(output.codec(), event.object(), Instant.now());
                if (output.format() == OutputFormat.table) {
                    Table table = new Table(HEADERS);
                    List<String> row = new ArrayList<>();
                    row.add(event.type().name());
                    row.addAll(summary.row());
                    table.add(row);
                    printRow(out, table, !headerShown);
                    headerShown = true;
                } else {
                    if (output.format() == OutputFormat.yaml && printed > 0) {
                        out.println("---");
                    }
                    output.object(scope.kind(), event.object());
                }
                printed++;
                if (untilReady && event.type() != EventType.DELETED) {
                    if (summary.ready().equals("True")) {
                        return ExitCodes.OK;
                    }
                    if (summary.phase().equals("Failed")) {
                        throw new ObjectFailedException(scope.kind().kind() + " " + summary.namespace() + "/"
                                + summary.name() + " Failed: " + summary.message());
                    }
                }
                if (maxEvents > 0 && printed >= maxEvents) {
                    return ExitCodes.OK;
                }
            }
        }
        return ExitCodes.OK;
    }

    /** Rows of a stream can't be padded to widths not yet seen: fixed widths that fit names of 40 characters. */
    private static void printRow(PrintWriter out, Table row, boolean withHeader) {
        java.io.StringWriter text = new java.io.StringWriter();
        row.print(new PrintWriter(text));
        List<String> lines = text.toString().lines().toList();
        if (withHeader) {
            out.println(lines.get(0));
        }
        out.println(lines.get(1));
        out.flush();
    }

    private static List<String> headers() {
        List<String> headers = new ArrayList<>();
        headers.add("EVENT");
        headers.addAll(ObjectSummary.HEADERS);
        return headers;
    }
}
