package io.dbprovision.api.openapi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import io.dbprovision.api.codec.TreeWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plain Java JSON trees (maps, lists, strings, numbers, booleans) written with sorted keys, so the same schema always
 * gives the same bytes and the same hash, and read back from JSON text (for defaults written as JSON).
 */
final class JsonTree {
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final DefaultIndenter INDENT = new DefaultIndenter("  ", "\n");

    private JsonTree() {}

    static byte[] compact(Object tree) {
        return write(tree, false);
    }

    /** Indented with two spaces and a trailing newline, for golden files and people. */
    static String pretty(Object tree) {
        return new String(write(tree, true), StandardCharsets.UTF_8) + "\n";
    }

    /** A deep, unmodifiable copy whose maps iterate in key order. */
    static Object sorted(Object tree) {
        return switch (tree) {
            case null -> null;
            case Map<?, ?> map -> {
                TreeMap<String, Object> out = new TreeMap<>();
                map.forEach((key, value) -> out.put((String) key, sorted(value)));
                yield Collections.unmodifiableSortedMap(out);
            }
            case List<?> list -> list.stream().map(JsonTree::sorted).toList();
            default -> tree;
        };
    }

    static Object parse(String text) {
        try (JsonParser parser = JSON.createParser(text)) {
            Object value = read(parser, parser.nextToken());
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("trailing content after JSON value: " + text);
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + text, e);
        }
    }

    private static byte[] write(Object tree, boolean pretty) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
            if (pretty) {
                generator.setPrettyPrinter(new DefaultPrettyPrinter()
                        .withSeparators(Separators.createDefaultInstance()
                                .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                        .withObjectIndenter(INDENT)
                        .withArrayIndenter(INDENT));
            }
            // Keys sorted, so the same schema always gives the same bytes and hash.
            TreeWriter.write(generator, sorted(tree));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static Object read(JsonParser parser, JsonToken token) throws IOException {
        if (token == null) {
            throw new IllegalArgumentException("empty JSON text");
        }
        return switch (token) {
            case START_OBJECT -> {
                TreeMap<String, Object> map = new TreeMap<>();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_OBJECT; next = parser.nextToken()) {
                    String name = parser.currentName();
                    map.put(name, read(parser, parser.nextToken()));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
                    list.add(read(parser, next));
                }
                yield list;
            }
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> parser.getLongValue();
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            case VALUE_NULL -> null;
            default -> throw new IllegalArgumentException("unexpected JSON token " + token);
        };
    }
}
