package io.dbprovision.apiserver.reconcile.credentials;

/** Counts what one render has produced and worked through, across all keys, and stops it at the {@link Limits}. */
final class Budget {
    private long outputBytes;
    private long work;

    /** Accounts for text written to a key's rendered value. */
    void output(String text) {
        outputBytes += GoStrings.utf8Length(text);
        if (outputBytes > Limits.MAX_OUTPUT_BYTES) {
            throw new FunctionError("rendered output exceeds " + Limits.MAX_OUTPUT_BYTES + " bytes");
        }
        work(text.length());
    }

    /** Accounts for characters a function read or wrote. */
    void work(long chars) {
        work += chars;
        if (work > Limits.MAX_WORK_CHARS) {
            throw new FunctionError("template does too much work: its functions processed more than "
                    + Limits.MAX_WORK_CHARS + " characters");
        }
    }

    /** Refuses a string a function would build before it is built. */
    static void checkLength(long chars) {
        if (chars > Limits.MAX_STRING_CHARS) {
            throw new FunctionError("result would exceed " + Limits.MAX_STRING_CHARS + " characters");
        }
    }
}
