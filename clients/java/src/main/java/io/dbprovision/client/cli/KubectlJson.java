package io.dbprovision.client.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Indents compact JSON as {@code kubectl -o json} does (Go's {@code json.MarshalIndent} with four spaces): {@code
 * "key": value}, one member or element per line, {@code {}} and {@code []} when empty. The codec's own pretty form
 * uses Jackson's spacing ({@code "key" : value}), which differs from kubectl's byte for byte.
 */
final class KubectlJson {
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final String INDENT = "    ";

    private KubectlJson() {}

    static String indent(byte[] compact) {
        StringBuilder out = new StringBuilder(compact.length * 2);
        try (JsonParser parser = JSON.createParser(compact)) {
            JsonToken token = parser.nextToken();
            if (token != null) {
                value(parser, token, out, 0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void value(JsonParser parser, JsonToken token, StringBuilder out, int depth) throws IOException {
        switch (token) {
            case START_OBJECT -> container(parser, out, depth, '{', '}', JsonToken.END_OBJECT);
            case START_ARRAY -> container(parser, out, depth, '[', ']', JsonToken.END_ARRAY);
            case VALUE_STRING -> string(parser.getText(), out);
            default -> out.append(parser.getText());
        }
    }

    private static void container(JsonParser parser, StringBuilder out, int depth, char open, char close, JsonToken end)
            throws IOException {
        out.append(open);
        JsonToken token = parser.nextToken();
        boolean first = true;
        while (token != end) {
            out.append(first ? "" : ",").append('\n').append(INDENT.repeat(depth + 1));
            first = false;
            if (token == JsonToken.FIELD_NAME) {
                string(parser.currentName(), out);
                out.append(": ");
                token = parser.nextToken();
            }
            value(parser, token, out, depth + 1);
            token = parser.nextToken();
        }
        if (!first) {
            out.append('\n').append(INDENT.repeat(depth));
        }
        out.append(close);
    }

    /** A JSON string as Go writes it: {@code <}, {@code >} and {@code &} escaped too. */
    private static void string(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> out.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
