package io.dbprovision.apiserver.audit;

/** Cuts strings that a client controls to a bound, saying so, as Kubernetes cuts a long user agent. */
final class Truncation {
    static final String MARK = "...TRUNCATED";

    private Truncation() {}

    static String cut(String value, int maxLength) {
        if (value.length() <= maxLength) {
            return value;
        }
        int end = maxLength;
        if (Character.isHighSurrogate(value.charAt(end - 1))) {
            end--; // never leave half a character behind
        }
        return value.substring(0, end) + MARK;
    }
}
