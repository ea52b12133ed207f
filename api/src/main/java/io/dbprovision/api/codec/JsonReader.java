package io.dbprovision.api.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import io.dbprovision.api.codec.Node.ArrayNode;
import io.dbprovision.api.codec.Node.NullNode;
import io.dbprovision.api.codec.Node.ObjectNode;
import io.dbprovision.api.codec.Node.ScalarNode;
import io.dbprovision.api.codec.Node.Style;
import java.io.IOException;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads one JSON value into a {@link Node} tree, keeping number text and duplicate keys. */
final class JsonReader {
    private static final Pattern SOURCE_LOCATION =
            Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");
    private final Limits limits;
    private final JsonFactory factory;

    JsonReader(Limits limits) {
        this.limits = limits;
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxDepth())
                        .maxStringLength(limits.maxBytes())
                        .maxNumberLength(64)
                        .maxDocumentLength(limits.maxBytes())
                        .build())
                // shared buffers: the per-thread default is useless on virtual threads (a thread per request)
                .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                .build();
    }

    Node read(byte[] bytes) {
        String text = Utf8.decode(bytes, limits);
        try (JsonParser parser = factory.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new CodecException("the document is empty");
            }
            Node node = readValue(parser, 0);
            if (parser.nextToken() != null) {
                throw new CodecException("unexpected data after the JSON value at " + where(parser));
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw new CodecException("the document exceeds a limit: " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw new CodecException("invalid JSON: " + withoutSource(e.getOriginalMessage()) + " at " + where(e));
        } catch (IOException e) {
            throw new CodecException("invalid JSON: " + e.getMessage());
        }
    }

    private Node readValue(JsonParser parser, int depth) throws IOException {
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> readObject(parser, depth + 1);
            case START_ARRAY -> readArray(parser, depth + 1);
            case VALUE_STRING -> new ScalarNode(checked(parser.getText(), parser), Style.STRING, "");
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new ScalarNode(parser.getText(), Style.NUMBER, "");
            case VALUE_TRUE, VALUE_FALSE -> new ScalarNode(parser.getText(), Style.BOOLEAN, "");
            case VALUE_NULL -> new NullNode("");
            default -> throw new CodecException("unexpected JSON token " + token + " at " + where(parser));
        };
    }

    private Node readObject(JsonParser parser, int depth) throws IOException {
        checkDepth(depth);
        List<Map.Entry<String, Node>> entries = new ArrayList<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = checked(parser.currentName(), parser);
            parser.nextToken();
            entries.add(new SimpleImmutableEntry<>(name, readValue(parser, depth)));
        }
        return new ObjectNode(entries, "");
    }

    private Node readArray(JsonParser parser, int depth) throws IOException {
        checkDepth(depth);
        List<Node> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            items.add(readValue(parser, depth));
        }
        return new ArrayNode(items, "");
    }

    private static String checked(String text, JsonParser parser) {
        Utf8.requireNoUnpairedSurrogate(text, "invalid JSON: the string at " + where(parser));
        return text;
    }

    private void checkDepth(int depth) {
        if (depth > limits.maxDepth()) {
            throw new CodecException("the document nests deeper than " + limits.maxDepth() + " levels");
        }
    }

    private static String where(JsonParser parser) {
        var location = parser.currentTokenLocation();
        return "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /**
     * Jackson names other positions as "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled);
     * line: 1, column: 1]": say "line 1, column 1", as the rest of the message does.
     */
    private static String withoutSource(String message) {
        return SOURCE_LOCATION.matcher(message).replaceAll("line $1, column $2");
    }

    private static String where(JsonProcessingException e) {
        var location = e.getLocation();
        return location == null
                ? "unknown position"
                : "line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
