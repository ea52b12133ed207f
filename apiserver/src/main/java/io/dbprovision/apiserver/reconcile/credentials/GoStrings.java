package io.dbprovision.apiserver.reconcile.credentials;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Go's {@code strings}, {@code net/url} and {@code encoding/base64} functions that secret templates call, with Go's
 * exact behaviour where Java's differs: simple (per-rune) case mapping ({@code "ß"} stays {@code "ß"}), Go's Unicode
 * white space, byte lengths, replacement of an empty string between runes, strict padded base64 that skips line breaks.
 */
final class GoStrings {
    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

    private GoStrings() {}

    /** strings.ToUpper: unicode.ToUpper on every rune. */
    static String upper(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> out.appendCodePoint(Character.toUpperCase(c)));
        return out.toString();
    }

    /** strings.ToLower: unicode.ToLower on every rune. */
    static String lower(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> out.appendCodePoint(Character.toLowerCase(c)));
        return out.toString();
    }

    /** The seed's title: unicode.ToUpper on the first rune only. */
    static String title(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        return new StringBuilder(s.length())
                .appendCodePoint(Character.toUpperCase(first))
                .append(s, Character.charCount(first), s.length())
                .toString();
    }

    /** strings.TrimSpace. */
    static String trimSpace(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && isSpace(s.codePointAt(from))) {
            from += Character.charCount(s.codePointAt(from));
        }
        while (to > from && isSpace(s.codePointBefore(to))) {
            to -= Character.charCount(s.codePointBefore(to));
        }
        return s.substring(from, to);
    }

    /** unicode.IsSpace: the Unicode White_Space property, which is not what Java's isWhitespace tests. */
    static boolean isSpace(int c) {
        return switch (c) {
            case '\t', '\n', 0x0B, '\f', '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> c >= 0x2000 && c <= 0x200A;
        };
    }

    /**
     * strings.ReplaceAll. An empty {@code old} matches before every rune and at the end, as in Go (Java's replace would
     * split surrogate pairs). The result's size is known before it is built, so an explosive one is refused unbuilt.
     */
    static String replaceAll(String s, String old, String replacement) {
        if (old.isEmpty()) {
            long runes = s.codePointCount(0, s.length());
            Budget.checkLength(s.length() + (runes + 1) * replacement.length());
            StringBuilder out = new StringBuilder().append(replacement);
            s.codePoints().forEach(c -> out.appendCodePoint(c).append(replacement));
            return out.toString();
        }
        long matches = 0;
        for (int i = s.indexOf(old); i >= 0; i = s.indexOf(old, i + old.length())) {
            matches++;
        }
        Budget.checkLength(s.length() + matches * (replacement.length() - old.length()));
        return s.replace(old, replacement);
    }

    /** Go's len of a string: its UTF-8 bytes. A lone surrogate counts as the 3 bytes of U+FFFD. */
    static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The string with every lone surrogate replaced by U+FFFD, as Go's JSON decoding leaves strings. */
    static String wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                StringBuilder out = new StringBuilder(s.length());
                s.codePoints()
                        .forEach(c -> out.appendCodePoint(Character.isSurrogate((char) c) && c < 0x10000 ? 0xFFFD : c));
                return out.toString();
            }
        }
        return s;
    }

    /** url.QueryEscape: all but {@code A-Za-z0-9-_.~} as %XX of the UTF-8 bytes, space as {@code +}. */
    static String queryEscape(String s) {
        return escape(s, true);
    }

    /** url.PathEscape: as QueryEscape, but space is %20 and {@code $&+:=@} stay as they are. */
    static String pathEscape(String s) {
        return escape(s, false);
    }

    private static String escape(String s, boolean query) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            boolean unreserved = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '_'
                    || c == '.'
                    || c == '~';
            if (unreserved || (!query && "$&+:=@".indexOf(c) >= 0)) {
                out.append((char) c);
            } else if (query && c == ' ') {
                out.append('+');
            } else {
                out.append('%').append(UPPER_HEX[c >> 4]).append(UPPER_HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    /** base64.StdEncoding.EncodeToString of the UTF-8 bytes. */
    static String base64Encode(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * base64.StdEncoding.DecodeString: padding required, CR and LF ignored wherever they are, nothing after the
     * padding, unused trailing bits ignored. The bytes must be UTF-8 text, since the result is a Java string.
     */
    static String base64Decode(String s) {
        String clean = s.indexOf('\r') < 0 && s.indexOf('\n') < 0
                ? s
                : s.replace("\r", "").replace("\n", "");
        int length = clean.length();
        if (length % 4 != 0) {
            throw new FunctionError("illegal base64 data");
        }
        int padding = length > 0 && clean.charAt(length - 1) == '=' ? (clean.charAt(length - 2) == '=' ? 2 : 1) : 0;
        byte[] out = new byte[length / 4 * 3 - padding];
        int written = 0;
        for (int quantum = 0; quantum < length; quantum += 4) {
            int bits = 0;
            int chars = quantum + 4 == length ? 4 - padding : 4;
            for (int j = 0; j < 4; j++) {
                int sextet = j < chars ? sextet(clean.charAt(quantum + j)) : 0;
                bits = bits << 6 | sextet;
            }
            for (int k = 0; k < chars - 1; k++) {
                out[written++] = (byte) (bits >> (16 - 8 * k));
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new FunctionError("decoded data is not UTF-8 text; binary data is not supported");
        }
    }

    private static int sextet(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        } else if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        } else if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        } else if (c == '+') {
            return 62;
        } else if (c == '/') {
            return 63;
        }
        throw new FunctionError("illegal base64 data");
    }
}
