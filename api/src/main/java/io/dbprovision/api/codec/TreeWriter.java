package io.dbprovision.api.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/** Writes plain Java trees as JSON (compact or indented) or as block-style YAML in kubectl's layout. */
public final class TreeWriter {
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final DumpSettings YAML = DumpSettings.builder()
            .setDefaultFlowStyle(FlowStyle.BLOCK)
            .setIndent(2)
            .setIndicatorIndent(0)
            .setWidth(Integer.MAX_VALUE) // never fold long strings
            .setSplitLines(false)
            .build();

    private TreeWriter() {}

    static byte[] json(Object tree, boolean pretty) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            if (pretty) {
                generator.useDefaultPrettyPrinter();
            }
            write(generator, tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String yaml(Object tree) {
        return new Dump(YAML).dumpToString(tree);
    }

    /** Writes a plain tree (maps in their iteration order, lists, strings, numbers, booleans, null). */
    public static void write(JsonGenerator generator, Object value) throws IOException {
        switch (value) {
            case null -> generator.writeNull();
            case Map<?, ?> map -> {
                generator.writeStartObject();
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    generator.writeFieldName((String) entry.getKey());
                    write(generator, entry.getValue());
                }
                generator.writeEndObject();
            }
            case List<?> list -> {
                generator.writeStartArray();
                for (Object item : list) {
                    write(generator, item);
                }
                generator.writeEndArray();
            }
            case String s -> generator.writeString(s);
            case Integer i -> generator.writeNumber(i);
            case Long l -> generator.writeNumber(l);
            case Float f -> generator.writeNumber(f);
            case Double d -> generator.writeNumber(d);
            case Boolean b -> generator.writeBoolean(b);
            default -> throw new IllegalArgumentException("not a JSON value: " + value.getClass());
        }
    }
}
