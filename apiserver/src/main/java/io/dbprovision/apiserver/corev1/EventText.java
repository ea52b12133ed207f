package io.dbprovision.apiserver.corev1;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The bounds of what an Event carries, and the name an Event gets from the object it is about. */
final class EventText {
    /** An Event's message, in UTF-8 bytes: the kube-apiserver's limit on an events.k8s.io note, client-go's cut. */
    static final int MAX_MESSAGE_BYTES = 1024;
    /** The kube-apiserver's limits on reason and reportingInstance. */
    static final int MAX_REASON = 128;

    static final int MAX_REPORTING_INSTANCE = 128;
    /** The most kept of an involved object's name, namespace, uid or version: an object name's own limit. */
    static final int MAX_REFERENCE = 253;

    private static final String CUT = " ...";
    /** 253, the limit of a name, less the '.' and 16 hex digits that follow the object's name. */
    private static final int MAX_NAME_PREFIX = 253 - 17;

    private EventText() {}

    /**
     * {@code message} in at most {@value #MAX_MESSAGE_BYTES} UTF-8 bytes: when longer, cut at a character boundary
     * and ended with {@code " ..."}, as client-go's recorder does.
     */
    static String message(String message) {
        if (message == null) {
            return "";
        }
        // a char is at most 3 UTF-8 bytes (a surrogate pair 4 for two chars): short strings need no encoding
        if (message.length() * 3L <= MAX_MESSAGE_BYTES
                || message.getBytes(StandardCharsets.UTF_8).length <= MAX_MESSAGE_BYTES) {
            return message;
        }
        return prefixInBytes(message, MAX_MESSAGE_BYTES - CUT.length()) + CUT;
    }

    /** {@code text} cut to at most {@code max} characters (never in the middle of a surrogate pair). */
    static String clip(String text, int max) {
        if (text == null) {
            return "";
        }
        if (text.length() <= max) {
            return text;
        }
        int end = max;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }

    /** The longest prefix of {@code text} whose UTF-8 form fits {@code maxBytes}, ending at a character boundary. */
    private static String prefixInBytes(String text, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < text.length()) {
            int codePoint = text.codePointAt(i);
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            i += Character.charCount(codePoint);
        }
        return text.substring(0, i);
    }

    /**
     * The start of an Event's name about the object named {@code objectName}: that name, so that Events sort by their
     * object as client-go's do, made a valid DNS subdomain short enough for the suffix (a name of an RBAC object may
     * hold ':'; the longest names are cut). Never empty.
     */
    static String namePrefix(String objectName) {
        String clipped =
                clip(objectName == null ? "" : objectName, MAX_NAME_PREFIX).toLowerCase(Locale.ROOT);
        StringBuilder cleaned = new StringBuilder(clipped.length());
        for (int i = 0; i < clipped.length(); i++) {
            char c = clipped.charAt(i);
            cleaned.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ? c : '-');
        }
        // every dot-separated label must start and end with a letter or digit, and none may be empty
        StringBuilder name = new StringBuilder(cleaned.length());
        for (String label : cleaned.toString().split("\\.")) {
            String trimmed = trimDashes(label);
            if (!trimmed.isEmpty()) {
                if (!name.isEmpty()) {
                    name.append('.');
                }
                name.append(trimmed);
            }
        }
        return name.isEmpty() ? "object" : name.toString();
    }

    private static String trimDashes(String label) {
        int start = 0;
        int end = label.length();
        while (start < end && label.charAt(start) == '-') {
            start++;
        }
        while (end > start && label.charAt(end - 1) == '-') {
            end--;
        }
        return label.substring(start, end);
    }
}
