package io.dbprovision.api.codec;

import io.dbprovision.api.codec.Node.ArrayNode;
import io.dbprovision.api.codec.Node.NullNode;
import io.dbprovision.api.codec.Node.ObjectNode;
import io.dbprovision.api.codec.Node.ScalarNode;
import io.dbprovision.api.codec.Node.Style;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Reads a YAML stream (one or more documents separated by {@code ---}) into {@link Node} trees. Nesting is bounded
 * while parsing, and aliases are counted and their expansion is bounded, so a "billion laughs" document is refused
 * rather than expanded.
 */
final class YamlReader {
    private final Limits limits;

    YamlReader(Limits limits) {
        this.limits = limits;
    }

    /**
     * One non-empty document of a stream.
     *
     * @param number its place in the stream, counting empty documents too, from 1
     */
    record Document(int number, Node root) {}

    /** Every non-empty document of the stream. */
    List<Document> readAll(byte[] bytes) {
        String text = Utf8.decode(bytes, limits);
        LoadSettings settings = LoadSettings.builder()
                .setLabel("document")
                .setAllowDuplicateKeys(true) // reported by the schema mapper with their path instead
                .setAllowRecursiveKeys(false)
                .setAllowNonScalarKeys(true) // refused below with their position; the engine's error has none
                .setMaxAliasesForCollections(limits.maxAliases())
                .setCodePointLimit(limits.maxBytes())
                .setUseMarks(true)
                // The engine's reader copies its unread window each time it reads another buffer-full, which is
                // quadratic in the length of one token: a 2.5 MB scalar took seconds with the 1 KiB default. The text
                // is in memory already (and at most limits.maxBytes()), so read it in one go.
                .setBufferSize(text.length() + 1)
                .build();
        List<Document> documents = new ArrayList<>();
        // The composer is recursive and snakeyaml-engine has no nesting limit: bound the depth on the parser's
        // events, so that 100,000 '[' are refused with the limit named instead of overflowing the stack.
        Composer composer = new Composer(
                settings, new DepthLimitedParser(new ParserImpl(settings, new StreamReader(settings, text))));
        Expansion expansion = new Expansion(); // one budget for the whole stream
        try {
            int number = 0;
            while (composer.hasNext()) {
                org.snakeyaml.engine.v2.nodes.Node root = composer.next();
                number++;
                Node node = expansion.convert(root, 0);
                if (!(node instanceof NullNode)) {
                    documents.add(new Document(number, node));
                }
            }
        } catch (ReaderException e) {
            // getMessage() is only "special characters are not allowed": name the character and where it is.
            throw new CodecException("invalid YAML: the character " + String.format("U+%04X", e.getCodePoint())
                    + " is not allowed in YAML text, at " + lineAndColumn(text, e.getPosition())
                    + " (write control characters as escapes in a double-quoted string, such as \"\\t\")");
        } catch (YamlEngineException e) {
            throw new CodecException("invalid YAML: " + oneLine(e.getMessage()));
        }
        return documents;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\n\\s*", " ").trim();
    }

    /** Line and column of a code point index of the text, 1-based. */
    private static String lineAndColumn(String text, int codePointIndex) {
        int line = 1;
        int column = 1;
        int offset = 0;
        for (int i = 0; i < codePointIndex && offset < text.length(); i++) {
            int c = text.codePointAt(offset);
            offset += Character.charCount(c);
            if (c == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return "line " + line + ", column " + column;
    }

    /** Passes the parser's events through, refusing collections nested deeper than the limit. */
    private final class DepthLimitedParser implements Parser {
        private final Parser parser;
        private int depth;

        DepthLimitedParser(Parser parser) {
            this.parser = parser;
        }

        @Override
        public boolean checkEvent(Event.ID id) {
            return parser.checkEvent(id);
        }

        @Override
        public Event peekEvent() {
            return parser.peekEvent();
        }

        @Override
        public boolean hasNext() {
            return parser.hasNext();
        }

        @Override
        public Event next() {
            Event event = parser.next();
            // The composer itself merges a key tagged !!merge, so it must be refused before it gets there.
            if (event instanceof ScalarEvent scalar
                    && scalar.getTag().filter(Tag.MERGE.getValue()::equals).isPresent()) {
                throw new CodecException("YAML merge keys (<<) are not supported, at " + position(event));
            }
            switch (event.getEventId()) {
                case MappingStart, SequenceStart -> {
                    if (++depth > limits.maxDepth()) {
                        throw new CodecException("the document nests deeper than " + limits.maxDepth() + " levels, at "
                                + position(event));
                    }
                }
                case MappingEnd, SequenceEnd -> depth--;
                default -> {}
            }
            return event;
        }
    }

    /** Converts the documents of one stream, counting every value and every character they expand to. */
    private final class Expansion {
        private final Set<org.snakeyaml.engine.v2.nodes.Node> active =
                java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        private int nodes;
        private long characters;

        /**
         * @param depth how many collections enclose the node
         */
        Node convert(org.snakeyaml.engine.v2.nodes.Node node, int depth) {
            if (++nodes > limits.maxNodes()) {
                throw new CodecException("the document expands to more than " + limits.maxNodes()
                        + " values (through YAML aliases); refused");
            }
            String position = position(node);
            if (node instanceof MappingNode mapping) {
                enter(node, depth, position);
                List<Map.Entry<String, Node>> entries = new ArrayList<>();
                for (NodeTuple tuple : mapping.getValue()) {
                    if (!(tuple.getKeyNode() instanceof org.snakeyaml.engine.v2.nodes.ScalarNode key)) {
                        throw new CodecException("mapping keys must be strings, at " + position(tuple.getKeyNode()));
                    }
                    // YAML 1.2 has no merge keys, so the engine leaves a plain << an ordinary key; but kubectl and
                    // other YAML 1.1 readers merge it. Refuse it rather than read it differently from them.
                    if (key.getTag().equals(Tag.MERGE)
                            || (key.getScalarStyle() == ScalarStyle.PLAIN
                                    && key.getValue().equals("<<"))) {
                        throw new CodecException("YAML merge keys (<<) are not supported, at " + position(key));
                    }
                    String name = text(key);
                    entries.add(new SimpleImmutableEntry<>(name, convert(tuple.getValueNode(), depth + 1)));
                }
                active.remove(node);
                return new ObjectNode(entries, position);
            }
            if (node instanceof SequenceNode sequence) {
                enter(node, depth, position);
                List<Node> items = new ArrayList<>();
                for (org.snakeyaml.engine.v2.nodes.Node item : sequence.getValue()) {
                    items.add(convert(item, depth + 1));
                }
                active.remove(node);
                return new ArrayNode(items, position);
            }
            var scalar = (org.snakeyaml.engine.v2.nodes.ScalarNode) node;
            if (scalar.getScalarStyle() == ScalarStyle.PLAIN) {
                if (isNull(scalar.getValue()) || scalar.getTag().equals(Tag.NULL)) {
                    return new NullNode(position);
                }
                return new ScalarNode(text(scalar), Style.PLAIN, position);
            }
            return new ScalarNode(text(scalar), Style.STRING, position);
        }

        private void enter(org.snakeyaml.engine.v2.nodes.Node node, int depth, String position) {
            // The parser bounds the nesting as written; an alias may still place a deep anchor deeper.
            if (depth + 1 > limits.maxDepth()) {
                throw new CodecException("the document nests deeper than " + limits.maxDepth() + " levels");
            }
            if (!active.add(node)) {
                throw new CodecException("recursive YAML alias at " + position);
            }
        }

        /**
         * The text of a key or value. Counted, because the value count alone does not bound what aliases of scalars
         * expand to: a 3 MiB stream could repeat one 1 MiB string a million times. Without aliases the text is never
         * longer than the document, so only expansion reaches the limit.
         */
        private String text(org.snakeyaml.engine.v2.nodes.ScalarNode scalar) {
            String value = scalar.getValue();
            characters += value.length();
            if (characters > limits.maxBytes()) {
                throw new CodecException("the document expands to more than " + limits.maxBytes()
                        + " characters of text (through YAML aliases); refused");
            }
            Utf8.requireNoUnpairedSurrogate(value, "invalid YAML: the string at " + position(scalar));
            return value;
        }

        private boolean isNull(String text) {
            return text.isEmpty()
                    || text.equals("~")
                    || text.equals("null")
                    || text.equals("Null")
                    || text.equals("NULL");
        }
    }

    private static String position(Event event) {
        return event.getStartMark()
                .map(mark -> "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1))
                .orElse("an unknown position");
    }

    static String position(org.snakeyaml.engine.v2.nodes.Node node) {
        return node.getStartMark()
                .map(mark -> "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1))
                .orElse("");
    }
}
