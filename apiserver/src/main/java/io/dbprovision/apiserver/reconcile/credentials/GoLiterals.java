package io.dbprovision.apiserver.reconcile.credentials;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the literals of a template as Go does ({@code strconv.Unquote}, {@code strconv.UnquoteChar},
 * {@code strconv.ParseInt} with base 0). Only integers are numbers here: floating-point and complex constants, which Go
 * also accepts, are refused, since nothing a credentials Secret needs is a fraction.
 */
final class GoLiterals {
    /** A literal Go would refuse, or one this renderer does not support; the message never quotes the literal. */
    static final class LiteralException extends Exception {
        LiteralException(String message) {
            super(message, null, false, false);
        }
    }

    private GoLiterals() {}

    /** The value of a {@code "…"} or {@code `…`} token. */
    static String unquoteString(String token) throws LiteralException {
        if (token.charAt(0) == '`') {
            // Go discards carriage returns from raw strings.
            return token.substring(1, token.length() - 1).replace("\r", "");
        }
        String inner = token.substring(1, token.length() - 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(inner.length());
        int i = 0;
        while (i < inner.length()) {
            int c = inner.codePointAt(i);
            if (c != '\\') {
                writeUtf8(bytes, c);
                i += Character.charCount(c);
                continue;
            }
            i = unescape(inner, i + 1, '"', bytes);
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new LiteralException("string literal is not valid UTF-8 (\\x and octal escapes must spell whole UTF-8"
                    + " sequences; binary data is not supported)");
        }
    }

    /** The code point of a {@code '…'} token, which Go treats as an integer constant. */
    static long unquoteChar(String token) throws LiteralException {
        String inner = token.substring(1, token.length() - 1);
        if (inner.isEmpty()) {
            throw new LiteralException("empty character constant");
        }
        int c = inner.codePointAt(0);
        int end;
        long value;
        if (c == '\\') {
            ByteArrayOutputStream one = new ByteArrayOutputStream();
            end = unescape(inner, 1, '\'', one);
            byte[] b = one.toByteArray();
            // \x and octal escapes give the byte's value; the others a whole rune, written here as UTF-8.
            value = isByteEscape(inner.charAt(1)) ? (b[0] & 0xff) : decodeSingleRune(b);
        } else {
            end = Character.charCount(c);
            value = c;
        }
        if (end != inner.length()) {
            throw new LiteralException("malformed character constant");
        }
        return value;
    }

    /** An integer constant: decimal, {@code 0x}, {@code 0o}, {@code 0b}, leading-zero octal, underscores, a sign. */
    static long parseInteger(String text) throws LiteralException {
        if (text.endsWith("i")) {
            throw new LiteralException("complex constants are not supported");
        }
        String unsigned = text.startsWith("+") || text.startsWith("-") ? text.substring(1) : text;
        boolean hex = unsigned.length() >= 2
                && unsigned.charAt(0) == '0'
                && (unsigned.charAt(1) == 'x' || unsigned.charAt(1) == 'X');
        if (unsigned.contains(".") || (hex ? unsigned.matches(".*[pP].*") : unsigned.matches(".*[eE].*"))) {
            throw new LiteralException("floating-point constants are not supported");
        }
        if (!underscoreOk(unsigned)) {
            throw new LiteralException("illegal number syntax");
        }
        String digits = unsigned.replace("_", "");
        int radix = 10;
        if (digits.length() >= 2 && digits.charAt(0) == '0') {
            char prefix = Character.toLowerCase(digits.charAt(1));
            if (prefix == 'x' || prefix == 'o' || prefix == 'b') {
                radix = prefix == 'x' ? 16 : prefix == 'o' ? 8 : 2;
                digits = digits.substring(2);
            } else {
                radix = 8;
                digits = digits.substring(1);
            }
        }
        if (digits.isEmpty()) {
            throw new LiteralException("illegal number syntax");
        }
        BigInteger value;
        try {
            value = new BigInteger(digits, radix);
        } catch (NumberFormatException e) {
            throw new LiteralException("illegal number syntax");
        }
        if (text.startsWith("-")) {
            value = value.negate();
        }
        if (value.bitLength() > 63) {
            throw new LiteralException("integer overflow");
        }
        return value.longValueExact();
    }

    /** Go's strconv underscoreOK: underscores only between digits, or right after a base prefix. */
    private static boolean underscoreOk(String s) {
        char saw = '^';
        int i = 0;
        boolean hex = false;
        if (s.length() >= 2 && s.charAt(0) == '0') {
            char prefix = Character.toLowerCase(s.charAt(1));
            if (prefix == 'b' || prefix == 'o' || prefix == 'x') {
                i = 2;
                saw = '0';
                hex = prefix == 'x';
            }
        }
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            char lower = Character.toLowerCase(c);
            if ((c >= '0' && c <= '9') || (hex && lower >= 'a' && lower <= 'f')) {
                saw = '0';
                continue;
            }
            if (c == '_') {
                if (saw != '0') {
                    return false;
                }
                saw = '_';
                continue;
            }
            if (saw == '_') {
                return false;
            }
            saw = '!';
        }
        return saw != '_';
    }

    private static boolean isByteEscape(char c) {
        return c == 'x' || (c >= '0' && c <= '7');
    }

    /** Reads the escape after a backslash at {@code i}; writes its bytes; returns the index after it. */
    private static int unescape(String s, int i, char quote, ByteArrayOutputStream out) throws LiteralException {
        if (i >= s.length()) {
            throw new LiteralException("invalid escape in literal");
        }
        char c = s.charAt(i);
        switch (c) {
            case 'a' -> out.write(7);
            case 'b' -> out.write('\b');
            case 'f' -> out.write('\f');
            case 'n' -> out.write('\n');
            case 'r' -> out.write('\r');
            case 't' -> out.write('\t');
            case 'v' -> out.write(11);
            case '\\' -> out.write('\\');
            case '\'', '"' -> {
                if (c != quote) {
                    throw new LiteralException("invalid escape in literal");
                }
                out.write(c);
            }
            case 'x' -> {
                out.write((int) hex(s, i + 1, 2));
                return i + 3;
            }
            case 'u', 'U' -> {
                int length = c == 'u' ? 4 : 8;
                long rune = hex(s, i + 1, length);
                if (rune > Character.MAX_CODE_POINT || (rune >= 0xD800 && rune <= 0xDFFF)) {
                    throw new LiteralException("invalid escape in literal");
                }
                writeUtf8(out, (int) rune);
                return i + 1 + length;
            }
            default -> {
                if (c < '0' || c > '7') {
                    throw new LiteralException("invalid escape in literal");
                }
                int value = 0;
                for (int j = 0; j < 3; j++) {
                    char d = i + j < s.length() ? s.charAt(i + j) : 'x';
                    if (d < '0' || d > '7') {
                        throw new LiteralException("invalid escape in literal");
                    }
                    value = value * 8 + (d - '0');
                }
                if (value > 255) {
                    throw new LiteralException("invalid escape in literal");
                }
                out.write(value);
                return i + 3;
            }
        }
        return i + 1;
    }

    private static long hex(String s, int from, int length) throws LiteralException {
        if (from + length > s.length()) {
            throw new LiteralException("invalid escape in literal");
        }
        long value = 0;
        for (int i = from; i < from + length; i++) {
            int digit = Character.digit(s.charAt(i), 16);
            if (digit < 0 || s.charAt(i) > 'f') {
                throw new LiteralException("invalid escape in literal");
            }
            value = value * 16 + digit;
        }
        return value;
    }

    private static long decodeSingleRune(byte[] utf8) {
        return new String(utf8, StandardCharsets.UTF_8).codePointAt(0);
    }

    private static void writeUtf8(ByteArrayOutputStream out, int codePoint) {
        out.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
    }
}
