package io.dbprovision.api.codec;

import java.util.List;

/**
 * A document could not be decoded: it is not well-formed, too large, nests or expands too much, or has values of
 * the wrong type. The REST layer answers 400 BadRequest with these messages.
 */
public final class CodecException extends RuntimeException {
    private final transient List<String> problems;

    public CodecException(String message) {
        this(List.of(message));
    }

    public CodecException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
