package io.dbprovision.apiserver.endpoints;

import java.util.regex.Pattern;

/**
 * Makes the message of a parser's error fit for a client: what went wrong and where, without the names of the
 * libraries, features and classes behind it ("enable `JsonReadFeature...`", "java.lang.IllegalArgumentException:",
 * "Source: REDACTED"), which tell an attacker what runs here and tell a user nothing they can act on.
 */
final class PublicMessages {
    /** A qualified Java class name followed by a colon, as exceptions print themselves inside other messages. */
    private static final Pattern CLASS_PREFIX =
            Pattern.compile("\\b(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error)\\b:?\\s*");
    /** Advice on a parser feature: "(not recognized as one since Feature 'X' not enabled for parser)". */
    private static final Pattern FEATURE_ADVICE =
            Pattern.compile("\\s*\\((?:[^()]|\\([^()]*\\))*(?:Feature|`)(?:[^()]|\\([^()]*\\))*\\)");
    /** ": enable `Feature` to allow" and any other back-quoted reference to a library's API. */
    private static final Pattern BACKQUOTED =
            Pattern.compile("[:,]?\\s*(?:enable\\s+|from\\s+)?`[^`]*`(?:\\s+to allow)?");

    private static final Pattern SOURCE = Pattern.compile("\\s*\\[?Source: [^\\]]*\\]?;?");
    private static final int MAX_LENGTH = 1024;

    private PublicMessages() {}

    /** A client's value quoted in a message: control characters escaped, at most 64 characters. */
    static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(64).forEach(c -> {
            if (Character.isISOControl(c) || c == 0xFFFD) {
                out.append(String.format("\\u%04X", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return value.codePointCount(0, value.length()) > 64 ? out + "…" : out.toString();
    }

    static String clean(String message) {
        if (message == null) {
            return "";
        }
        String text = message.replaceAll("\\s*\\n\\s*", " ");
        text = SOURCE.matcher(text).replaceAll("");
        text = FEATURE_ADVICE.matcher(text).replaceAll("");
        text = BACKQUOTED.matcher(text).replaceAll("");
        text = CLASS_PREFIX.matcher(text).replaceAll("");
        text = text.replaceAll("\\s{2,}", " ").trim();
        return text.length() > MAX_LENGTH ? text.substring(0, MAX_LENGTH) + "…" : text;
    }
}
