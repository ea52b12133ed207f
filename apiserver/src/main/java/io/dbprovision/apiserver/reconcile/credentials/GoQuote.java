package io.dbprovision.apiserver.reconcile.credentials;

/**
 * Go's two ways of quoting a string: {@code encoding/json} (the seed's {@code quote} and {@code toJson}, which also
 * escape {@code < > &} and U+2028/U+2029 for HTML safety) and {@code strconv.Quote} (fmt's {@code %q}, Go syntax).
 */
final class GoQuote {
    private static final char[] LOWER_HEX = "0123456789abcdef".toCharArray();

    private GoQuote() {}

    /** json.Marshal of a string (Go 1.22 and later, which writes \b and \f rather than \u0008 and \u000c). */
    static String json(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"', '\\' -> out.append('\\').append(c);
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> unicodeEscape(out, c);
                default -> {
                    if (c < 0x20) {
                        unicodeEscape(out, c);
                    } else if (Character.isSurrogate(c) && !isPairAt(s, i)) {
                        out.append("\\ufffd");
                    } else if (Character.isHighSurrogate(c)) {
                        out.append(c).append(s.charAt(++i));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** strconv.Quote: printable runes as they are, the rest as \a … \v, \xHH, \\uHHHH or \UHHHHHHHH. */
    static String go(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        s.codePoints().forEach(c -> appendEscapedRune(out, c));
        return out.append('"').toString();
    }

    /** A data key as a message shows it: Go-quoted, and cut short if long, since keys are not validated yet. */
    static String forMessage(String key) {
        String shown = key.length() > 64 ? key.substring(0, 64) : key;
        return go(GoStrings.wellFormed(shown)) + (shown.length() < key.length() ? "..." : "");
    }

    /** A name from the template (field, variable) as a message shows it: cut short if long. */
    static String name(String name) {
        return name.length() > 64 ? name.substring(0, 64) + "..." : name;
    }

    private static void appendEscapedRune(StringBuilder out, int c) {
        if (c == '"' || c == '\\') {
            out.append('\\').appendCodePoint(c);
        } else if (isPrint(c)) {
            out.appendCodePoint(c);
        } else {
            switch (c) {
                case 7 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case 11 -> out.append("\\v");
                default -> {
                    if (c < ' ' || c == 0x7f) {
                        out.append("\\x").append(LOWER_HEX[c >> 4]).append(LOWER_HEX[c & 0xF]);
                    } else if (c < 0x10000) {
                        int rune = Character.isSurrogate((char) c) ? 0xFFFD : c;
                        out.append("\\u");
                        hex(out, rune, 4);
                    } else {
                        out.append("\\U");
                        hex(out, c, 8);
                    }
                }
            }
        }
    }

    /** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    static boolean isPrint(int c) {
        if (c < 0x80) {
            return c >= 0x20 && c < 0x7f;
        }
        return switch (Character.getType(c)) {
            case Character.UPPERCASE_LETTER,
                    Character.LOWERCASE_LETTER,
                    Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER,
                    Character.OTHER_LETTER,
                    Character.NON_SPACING_MARK,
                    Character.ENCLOSING_MARK,
                    Character.COMBINING_SPACING_MARK,
                    Character.DECIMAL_DIGIT_NUMBER,
                    Character.LETTER_NUMBER,
                    Character.OTHER_NUMBER,
                    Character.CONNECTOR_PUNCTUATION,
                    Character.DASH_PUNCTUATION,
                    Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION,
                    Character.MATH_SYMBOL,
                    Character.CURRENCY_SYMBOL,
                    Character.MODIFIER_SYMBOL,
                    Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    private static void unicodeEscape(StringBuilder out, char c) {
        out.append("\\u");
        hex(out, c, 4);
    }

    private static void hex(StringBuilder out, int value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.append(LOWER_HEX[(value >> shift) & 0xF]);
        }
    }

    private static boolean isPairAt(String s, int i) {
        char c = s.charAt(i);
        return Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
}
