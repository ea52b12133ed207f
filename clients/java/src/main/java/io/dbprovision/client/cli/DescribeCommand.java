package io.dbprovision.client.cli;

import com.google.protobuf.Message;
import io.dbprovision.client.DbProvisionClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code describe}: one object — a summary with its conditions for people, or the whole object as JSON / YAML. */
@Command(name = "describe", mixinStandardHelpOptions = true, description = "Show one object and its conditions.")
final class DescribeCommand implements Callable<Integer> {
    @ParentCommand
    CliMain main;

    @Mixin
    ObjectName target;

    @Override
    public Integer call() {
        try (DbProvisionClient client = main.client()) {
            Message object = client.resources(target.kind()).get(target.namespaceIn(client), target.name);
            Output output = main.output();
            if (output.format() != OutputFormat.table) {
                output.object(target.kind(), object);
                return ExitCodes.OK;
            }
            print(output, object);
            return ExitCodes.OK;
        }
    }

    private void print(Output output, Message object) {
        PrintWriter out = main.terminal.out();
        ObjectSummary summary = ObjectSummary.of(output.codec(), object, Instant.now());
        Map<String, Object> tree = output.codec().toTree(object);
        line(out, "Name", summary.name());
        line(out, "Namespace", summary.namespace());
        line(out, "Kind", target.kind().kind());
        line(out, "Phase", summary.phase());
        line(out, "Ready", summary.ready());
        line(out, "Message", summary.message());
        line(out, "Age", summary.age());
        Map<?, ?> metadata = tree.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
        if (metadata.get("labels") instanceof Map<?, ?> labels && !labels.isEmpty()) {
            out.println("Labels:");
            labels.forEach((k, v) -> out.println("  " + Table.printable(k + "=" + v)));
        }
        Map<?, ?> status = tree.get("status") instanceof Map<?, ?> s ? s : Map.of();
        if (status.get("conditions") instanceof List<?> conditions && !conditions.isEmpty()) {
            out.println("Conditions:");
            Table table = new Table(List.of("  TYPE", "STATUS", "REASON", "MESSAGE"));
            for (Object entry : conditions) {
                Map<?, ?> c = entry instanceof Map<?, ?> m ? m : Map.of();
                table.add(List.of(
                        "  " + text(c.get("type")),
                        text(c.get("status")),
                        text(c.get("reason")),
                        text(c.get("message"))));
            }
            table.print(out);
        }
        if (tree.get("spec") instanceof Map<?, ?> spec && !spec.isEmpty()) {
            out.println("Spec:");
            String yaml = output.codec().encodeYaml(specOnly(object));
            yaml.lines().filter(l -> !l.startsWith("spec:")).forEach(l -> out.println(Table.printable(l)));
        }
        out.flush();
    }

    /** The object with only its spec, whose YAML is the spec block. */
    private static Message specOnly(Message object) {
        Message.Builder builder = object.newBuilderForType();
        var spec = object.getDescriptorForType().findFieldByName("spec");
        if (spec != null && object.hasField(spec)) {
            builder.setField(spec, object.getField(spec));
        }
        return builder.build();
    }

    private static void line(PrintWriter out, String key, String value) {
        out.println(String.format("%-11s%s", key + ":", value.isEmpty() ? "<none>" : Table.printable(value)));
    }

    private static String text(Object value) {
        return value == null ? "" : String.valueOf(value);
    }
}
