package io.dbprovision.api.field;

/**
 * Strings quoted as Go's {@code %q} quotes them, which is how Kubernetes prints values in errors and messages: in
 * double quotes, with quotes, backslashes and control characters escaped.
 */
public final class GoQuote {
    private GoQuote() {}

    public static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
