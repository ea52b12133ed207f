package io.dbprovision.api.codec;

import java.util.List;
import java.util.Map;

/**
 * A parsed JSON or YAML document before it meets the schema. YAML plain scalars keep their text and are typed by
 * the field they land in, so {@code version: 1.10} stays the string "1.10" and {@code setGtidPurged: OFF} stays the
 * enum value OFF (YAML 1.1 readers turn both into something else). Objects keep duplicate keys so that they can
 * be reported.
 */
sealed interface Node {

    /** Where the node starts, for error messages: "line 3, column 5", or empty for JSON. */
    String position();

    record ObjectNode(List<Map.Entry<String, Node>> entries, String position) implements Node {}

    record ArrayNode(List<Node> items, String position) implements Node {}

    record ScalarNode(String text, Style style, String position) implements Node {}

    record NullNode(String position) implements Node {}

    /** How a scalar was written, which decides the types it may take. */
    enum Style {
        /** A JSON string or a quoted YAML scalar: only a string (or an enum, or a timestamp). */
        STRING,
        /** A JSON number. */
        NUMBER,
        /** A JSON true or false. */
        BOOLEAN,
        /** An unquoted YAML scalar: typed by the field it is decoded into. */
        PLAIN
    }
}
