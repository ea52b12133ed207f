package io.dbprovision.apiserver.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A JSON object written into one line, whatever its strings hold. Every character that could end a line or confuse a
 * reader is escaped: control characters (C0, DEL and C1, so also {@code \n}, {@code \r} and NEL), the Unicode line and
 * paragraph separators, and the bidirectional controls that make a terminal show text in another order than it is
 * stored. A lone surrogate (a Java string made from invalid UTF-16) becomes U+FFFD, so the line is always valid UTF-8.
 * Everything else is written as it is, in UTF-8, as Kubernetes writes its audit events.
 *
 * <p>The line is written as UTF-8 bytes straight away, not as a {@code StringBuilder} turned into a {@code String}
 * and then into bytes: every request writes one, and those two copies and the encoder's scan of ~1 KiB were most of
 * the audit record's cost (and most of what it allocated).
 */
final class JsonLine {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final DateTimeFormatter MICRO_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    /** Room for a whole Metadata-level event (~0.9 KiB) with some to spare: growing the buffer copies it. */
    private byte[] out = new byte[1536];

    private int size;
    private boolean first = true;

    JsonLine beginObject() {
        separate();
        put('{');
        first = true;
        return this;
    }

    JsonLine endObject() {
        put('}');
        first = false;
        return this;
    }

    JsonLine name(String name) {
        separate();
        string(name);
        put(':');
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
        ascii(Long.toString(value));
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
        put('[');
        first = true;
        for (String value : values) {
            value(value);
        }
        put(']');
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

    /** A field whose value is {@code instant} as Kubernetes' {@code MicroTime}: see {@link #microTime(Instant)}. */
    JsonLine microTimeField(String name, Instant instant) {
        name(name);
        separate();
        put('"');
        microTime(instant);
        put('"');
        return this;
    }

    /**
     * {@code 2025-01-31T08:15:42.123456Z}: the instant in UTC, cut to microseconds, written digit by digit (a
     * formatter took a good part of an event's cost). Years outside 0–9999 (never a request's) go through the
     * formatter.
     */
    JsonLine microTime(Instant instant) {
        LocalDateTime time = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
        int year = time.getYear();
        if (year < 0 || year > 9999) {
            ascii(MICRO_TIME.format(instant.truncatedTo(ChronoUnit.MICROS)));
            return this;
        }
        ensure(27);
        digits(year, 4);
        out[size++] = '-';
        digits(time.getMonthValue(), 2);
        out[size++] = '-';
        digits(time.getDayOfMonth(), 2);
        out[size++] = 'T';
        digits(time.getHour(), 2);
        out[size++] = ':';
        digits(time.getMinute(), 2);
        out[size++] = ':';
        digits(time.getSecond(), 2);
        out[size++] = '.';
        digits(instant.getNano() / 1_000, 6);
        out[size++] = 'Z';
        return this;
    }

    /** What was written, as text (for tests and {@link AuditEventJson#write}). */
    @Override
    public String toString() {
        return new String(out, 0, size, StandardCharsets.UTF_8);
    }

    /** Ends the line with {@code \n}. */
    JsonLine endLine() {
        put('\n');
        return this;
    }

    /** What was written, as a copy of its own. */
    byte[] bytes() {
        return Arrays.copyOf(out, size);
    }

    /** What was written, without a copy: valid until this line is written to again. */
    ByteBuffer asBuffer() {
        return ByteBuffer.wrap(out, 0, size);
    }

    int length() {
        return size;
    }

    private void separate() {
        if (!first) {
            put(',');
        }
        first = false;
    }

    private void put(char c) {
        ensure(1);
        out[size++] = (byte) c;
    }

    /** Text known to be ASCII (numbers, formatted times). */
    private void ascii(String text) {
        ensure(text.length());
        for (int i = 0; i < text.length(); i++) {
            out[size++] = (byte) text.charAt(i);
        }
    }

    /** {@code value} in decimal, zero-padded to {@code count} digits; room for them is ensured by the caller. */
    private void digits(int value, int count) {
        for (int i = size + count - 1; i >= size; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        size += count;
    }

    private void ensure(int more) {
        if (size + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, size + more));
        }
    }

    private void string(String value) {
        int length = value.length();
        // one byte per character and the quotes; an escape or a non-ASCII character asks for the rest of its room
        ensure(length + 2);
        out[size++] = '"';
        for (int i = 0; i < length; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                out[size++] = (byte) c;
                continue;
            }
            ensure(6 + (length - i)); // the longest escape, and the rest of the string
            if (c == '"' || c == '\\') {
                out[size++] = '\\';
                out[size++] = (byte) c;
            } else if (c == '\n') {
                escape('n');
            } else if (c == '\r') {
                escape('r');
            } else if (c == '\t') {
                escape('t');
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < length
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                utf8(Character.toCodePoint(c, value.charAt(++i)));
            } else if (Character.isSurrogate(c)) {
                unicodeEscape('\ufffd');
            } else if (mustEscape(c)) {
                unicodeEscape(c);
            } else {
                utf8(c);
            }
        }
        out[size++] = '"';
    }

    private void escape(char c) {
        out[size++] = '\\';
        out[size++] = (byte) c;
    }

    /** A code point of U+0080 or above, as UTF-8; room for it is ensured by the caller. */
    private void utf8(int codePoint) {
        if (codePoint < 0x800) {
            out[size++] = (byte) (0xc0 | (codePoint >> 6));
        } else if (codePoint < 0x10000) {
            out[size++] = (byte) (0xe0 | (codePoint >> 12));
            out[size++] = (byte) (0x80 | ((codePoint >> 6) & 0x3f));
        } else {
            out[size++] = (byte) (0xf0 | (codePoint >> 18));
            out[size++] = (byte) (0x80 | ((codePoint >> 12) & 0x3f));
            out[size++] = (byte) (0x80 | ((codePoint >> 6) & 0x3f));
        }
        out[size++] = (byte) (0x80 | (codePoint & 0x3f));
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
        out[size++] = '\\';
        out[size++] = 'u';
        out[size++] = HEX[(c >> 12) & 0xf];
        out[size++] = HEX[(c >> 8) & 0xf];
        out[size++] = HEX[(c >> 4) & 0xf];
        out[size++] = HEX[c & 0xf];
    }
}
