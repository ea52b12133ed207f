package io.dbprovision.apiserver.audit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A JSON object written into one line, whatever its strings hold. Every character that could end a line or confuse a
 * reader is escaped: control characters (C0, DEL and C1, so also {@code \n}, {@code \r} and NEL), the Unicode line and
 * paragraph separators, and the bidirectional controls that make a terminal show text in another order than it is
 * stored. A lone surrogate (a Java string made from invalid UTF-16) becomes U+FFFD, so the line is always valid UTF-8.
 * Everything else is written as it is, in UTF-8, as Kubernetes writes its audit events.
 */
final class JsonLine {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Room for a whole Metadata-level event (~0.9 KiB) with some to spare: growing the buffer copies it. */
    private final StringBuilder out = new StringBuilder(2048);

    private boolean first = true;

    JsonLine beginObject() {
        separate();
        out.append('{');
        first = true;
        return this;
    }

    JsonLine endObject() {
        out.append('}');
        first = false;
        return this;
    }

    JsonLine name(String name) {
        separate();
        string(name);
        out.append(':');
        first = true; // the value that follows needs no comma
        return this;
    }

    JsonLine value(String value) {
        separate();
        string(value);
        return this;
    }

    JsonLine value(long value) {
        separate();
        out.append(value);
        return this;
    }

    JsonLine field(String name, String value) {
        return name(name).value(value);
    }

    /** Writes the field only if the value is not empty, as Go's {@code omitempty}. */
    JsonLine fieldIfNotEmpty(String name, String value) {
        return value.isEmpty() ? this : field(name, value);
    }

    JsonLine field(String name, List<String> values) {
        name(name);
        separate();
        out.append('[');
        first = true;
        for (String value : values) {
            value(value);
        }
        out.append(']');
        first = false;
        return this;
    }

    JsonLine fieldIfNotEmpty(String name, List<String> values) {
        return values.isEmpty() ? this : field(name, values);
    }

    JsonLine listMap(String name, Map<String, List<String>> map) {
        name(name).beginObject();
        map.forEach(this::field);
        return endObject();
    }

    @Override
    public String toString() {
        return out.toString();
    }

    private void separate() {
        if (!first) {
            out.append(',');
        }
        first = false;
    }

    /** Ends the line: what was written followed by {@code \n}, in UTF-8 (one copy fewer than via a String). */
    byte[] endLine() {
        return out.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    private void string(String value) {
        out.append('"');
        int length = value.length();
        int plain = 0; // start of the run of characters written as they are, appended at once
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                continue;
            }
            if (plain < i) {
                out.append(value, plain, i);
            }
            plain = i + 1;
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < length
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                out.append(c).append(value.charAt(++i));
                plain = i + 1;
            } else if (Character.isSurrogate(c)) {
                out.append("\\ufffd");
            } else if (mustEscape(c)) {
                unicodeEscape(c);
            } else {
                out.append(c);
            }
        }
        if (plain < length) {
            out.append(value, plain, length);
        }
        out.append('"');
    }

    private static boolean mustEscape(char c) {
        return c < 0x20
                || (c >= 0x7f && c <= 0x9f) // DEL and the C1 controls, NEL (U+0085) among them
                || c == '\u2028'
                || c == '\u2029'
                || (c >= '\u200e' && c <= '\u200f') // left-to-right and right-to-left marks
                || (c >= '\u202a' && c <= '\u202e') // bidirectional embeddings and overrides
                || (c >= '\u2066' && c <= '\u2069') // bidirectional isolates
                || c == '\ufeff'; // a byte order mark in the middle of a line
    }

    private void unicodeEscape(char c) {
        out.append("\\u")
                .append(HEX[(c >> 12) & 0xf])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
    }
}
