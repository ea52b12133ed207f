package io.dbprovision.apiserver.reconcile.credentials;

/**
 * Bounds that keep a hostile template from using more than a small, fixed amount of memory and time. Without
 * {@code range} nothing in a template loops, so the work of a render is bounded by the template's size times the size
 * of the largest string, and these numbers bound both.
 */
final class Limits {
    /** Data keys in one template; a Secret with more is not a credentials Secret. */
    static final int MAX_KEYS = 256;
    /** Length of one data key, as Kubernetes allows for Secret keys. */
    static final int MAX_KEY_LENGTH = 253;
    /** UTF-8 bytes of one key's template text. */
    static final int MAX_TEMPLATE_BYTES = 64 * 1024;
    /** {@code if}, {@code with} and parentheses inside one another; bounds the recursion of parser and evaluator. */
    static final int MAX_NESTING = 100;
    /** UTF-8 bytes of all rendered values together: a Secret cannot hold more than about 1 MiB. */
    static final long MAX_OUTPUT_BYTES = 1024 * 1024;
    /** Characters of any one string a function builds. */
    static final int MAX_STRING_CHARS = 1024 * 1024;
    /** Characters read and written by all function calls and output of one render, across all keys. */
    static final long MAX_WORK_CHARS = 64L * 1024 * 1024;

    private Limits() {}
}
