package io.dbprovision.apiserver.portal;

/**
 * A field of a gRPC request message that cannot be used as it is — a malformed resource name, a page token of
 * another list, an unknown update-mask path — before any registry operation runs: INVALID_ARGUMENT with one
 * {@code BadRequest} field violation, audited as a 400. Its message never repeats more of the value than is safe to
 * print.
 */
public final class InvalidArgument extends RuntimeException {
    private final String field;
    private final String description;

    public InvalidArgument(String field, String description) {
        super(field + ": " + description, null, false, false);
        this.field = field;
        this.description = description;
    }

    /** The field's path in the request message, such as {@code name} or {@code update_mask.paths[0]}. */
    public String field() {
        return field;
    }

    public String description() {
        return description;
    }

    /** At most 64 printable ASCII characters of a value a caller sent, for a message. */
    static String printable(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < 64; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return value.length() > 64 ? out + "..." : out.toString();
    }
}
