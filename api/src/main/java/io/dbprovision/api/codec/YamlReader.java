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
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads a YAML stream (one or more documents separated by {@code ---}) into {@link Node} trees. Aliases are counted
 * and their expansion is bounded, so a "billion laughs" document is refused rather than expanded.
 */
final class YamlReader {
    private final Limits limits;

    YamlReader(Limits limits) {
        this.limits = limits;
    }

    /** Every non-empty document of the stream. */
    List<Node> readAll(byte[] bytes) {
        String text = Utf8.decode(bytes, limits);
        LoadSettings settings = LoadSettings.builder()
                .setLabel("document")
                .setAllowDuplicateKeys(true) // reported by the schema mapper with their path instead
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(limits.maxAliases())
                .setCodePointLimit(limits.maxBytes())
                .setUseMarks(true)
                .build();
        List<Node> documents = new ArrayList<>();
        try {
            for (org.snakeyaml.engine.v2.nodes.Node root : new Compose(settings).composeAllFromString(text)) {
                Node node = new Expansion().convert(root, 0);
                if (!(node instanceof NullNode)) {
                    documents.add(node);
                }
            }
        } catch (YamlEngineException e) {
            throw new CodecException("invalid YAML: " + oneLine(e.getMessage()));
        } catch (StackOverflowError e) {
            throw new CodecException("the document nests deeper than this server reads");
        }
        return documents;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\n\\s*", " ").trim();
    }

    /** Converts one document, counting every value it expands to. */
    private final class Expansion {
        private final Set<org.snakeyaml.engine.v2.nodes.Node> active =
                java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        private int nodes;

        Node convert(org.snakeyaml.engine.v2.nodes.Node node, int depth) {
            if (++nodes > limits.maxNodes()) {
                throw new CodecException("the document expands to more than " + limits.maxNodes()
                        + " values (through YAML aliases); refused");
            }
            if (depth > limits.maxDepth()) {
                throw new CodecException("the document nests deeper than " + limits.maxDepth() + " levels");
            }
            String position = position(node);
            if (node instanceof MappingNode mapping) {
                if (!active.add(node)) {
                    throw new CodecException("recursive YAML alias at " + position);
                }
                List<Map.Entry<String, Node>> entries = new ArrayList<>();
                for (NodeTuple tuple : mapping.getValue()) {
                    if (!(tuple.getKeyNode() instanceof org.snakeyaml.engine.v2.nodes.ScalarNode key)) {
                        throw new CodecException("mapping keys must be strings, at " + position(tuple.getKeyNode()));
                    }
                    if (key.getTag().equals(Tag.MERGE)) {
                        throw new CodecException("YAML merge keys (<<) are not supported, at " + position(key));
                    }
                    entries.add(new SimpleImmutableEntry<>(key.getValue(), convert(tuple.getValueNode(), depth + 1)));
                }
                active.remove(node);
                return new ObjectNode(entries, position);
            }
            if (node instanceof SequenceNode sequence) {
                if (!active.add(node)) {
                    throw new CodecException("recursive YAML alias at " + position);
                }
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
                return new ScalarNode(scalar.getValue(), Style.PLAIN, position);
            }
            return new ScalarNode(scalar.getValue(), Style.STRING, position);
        }

        private boolean isNull(String text) {
            return text.isEmpty()
                    || text.equals("~")
                    || text.equals("null")
                    || text.equals("Null")
                    || text.equals("NULL");
        }
    }

    static String position(org.snakeyaml.engine.v2.nodes.Node node) {
        return node.getStartMark()
                .map(mark -> "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1))
                .orElse("");
    }
}
