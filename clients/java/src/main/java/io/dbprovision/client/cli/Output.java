package io.dbprovision.client.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.codec.TreeWriter;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.client.ResourceKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints results in the chosen format: human tables, or Kubernetes JSON / YAML through the api module's codec (the
 * bytes the REST API serves and kubectl prints; a list is the kind's {@code <Kind>List}).
 */
final class Output {
    private final Terminal terminal;
    private final OutputFormat format;
    private final KubeCodec codec = KubeCodec.standard();

    Output(Terminal terminal, OutputFormat format) {
        this.terminal = terminal;
        this.format = format;
    }

    OutputFormat format() {
        return format;
    }

    KubeCodec codec() {
        return codec;
    }

    /** The objects of a list: a table, or one {@code <Kind>List}. */
    void objects(ResourceKind<?> kind, List<? extends Message> items) {
        if (format == OutputFormat.table) {
            if (items.isEmpty()) {
                terminal.err().println("No " + kind.plural() + " found.");
                terminal.err().flush();
                return;
            }
            Table table = new Table(ObjectSummary.HEADERS);
            Instant now = Instant.now();
            items.forEach(item -> table.add(ObjectSummary.of(codec, item, now).row()));
            table.print(terminal.out());
            return;
        }
        Kind schema = kind.schema();
        Message.Builder list = schema.list().newBuilderForType();
        set(list, "api_version", schema.apiVersion());
        set(list, "kind", schema.listKind());
        FieldDescriptor itemsField = list.getDescriptorForType().findFieldByName("items");
        items.forEach(item -> list.addRepeatedField(itemsField, withTypeMeta(kind, item)));
        if (!items.isEmpty()) {
            any(list.build());
            return;
        }
        // The codec omits empty repeated fields; kubectl prints an empty list's items as [].
        if (format == OutputFormat.yaml) {
            terminal.out().print(codec.encodeYaml(list.build()) + "items: []\n");
        } else {
            Map<String, Object> tree = new LinkedHashMap<>(codec.toTree(list.build()));
            tree.put("items", List.of());
            terminal.out().println(KubectlJson.indent(compact(tree)));
        }
        terminal.out().flush();
    }

    private static byte[] compact(Object tree) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator generator = new JsonFactory().createGenerator(out)) {
            TreeWriter.write(generator, tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** One object: a table of one row, or the object. */
    void object(ResourceKind<?> kind, Message object) {
        if (format == OutputFormat.table) {
            objects(kind, List.of(object));
        } else {
            any(withTypeMeta(kind, object));
        }
    }

    /** Any message as JSON or YAML (its Kubernetes JSON form: camelCase names, absent fields omitted). */
    void any(Message message) {
        if (format == OutputFormat.yaml) {
            terminal.out().print(codec.encodeYaml(message));
        } else {
            terminal.out().println(KubectlJson.indent(codec.encodeJson(message)));
        }
        terminal.out().flush();
    }

    /** The object with apiVersion and kind set, as kubectl prints objects. */
    static Message withTypeMeta(ResourceKind<?> kind, Message object) {
        Message.Builder builder = object.toBuilder();
        set(builder, "api_version", kind.schema().apiVersion());
        set(builder, "kind", kind.kind());
        return builder.build();
    }

    private static void set(Message.Builder builder, String field, String value) {
        FieldDescriptor descriptor = builder.getDescriptorForType().findFieldByName(field);
        if (descriptor != null && ((String) builder.getField(descriptor)).isEmpty()) {
            builder.setField(descriptor, value);
        }
    }
}
