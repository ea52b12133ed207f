package io.dbprovision.apiserver.auth;

import java.util.Locale;

/**
 * Header names compared as HTTP compares them, in any case, without lower-casing a copy of every name of every
 * request: the common case (ASCII names, as every header name a client or proxy sends is) is a loop over the
 * characters; anything else falls back to {@link String#toLowerCase(Locale)} with {@link Locale#ROOT}, so that the
 * answer is always the one that lower-casing the name would give.
 */
public final class HeaderNames {
    private HeaderNames() {}

    /** Whether {@code name}, lower-cased, starts with {@code lowerCasePrefix}. */
    public static boolean startsWithIgnoringCase(String name, String lowerCasePrefix) {
        int length = lowerCasePrefix.length();
        for (int i = 0; i < length; i++) {
            if (i >= name.length()) {
                return false;
            }
            char c = name.charAt(i);
            char p = lowerCasePrefix.charAt(i);
            if (c >= 0x80 || p >= 0x80) {
                return name.toLowerCase(Locale.ROOT).startsWith(lowerCasePrefix);
            }
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != p) {
                return false;
            }
        }
        return true;
    }

    /**
     * What follows {@code lowerCasePrefix} in {@code name}, for a name {@link #startsWithIgnoringCase starting with
     * it}: the rest as sent when the prefix was matched in ASCII, else the rest of the lower-cased name.
     */
    public static String afterPrefix(String name, String lowerCasePrefix) {
        for (int i = 0; i < lowerCasePrefix.length(); i++) {
            if (name.charAt(i) >= 0x80) {
                return name.toLowerCase(Locale.ROOT).substring(lowerCasePrefix.length());
            }
        }
        return name.substring(lowerCasePrefix.length());
    }

    /** Whether every character of {@code s} is ASCII. */
    public static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
