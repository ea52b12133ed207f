package io.dbprovision.api.field;

import java.util.List;
import java.util.stream.Collectors;

/**
 * An object failed defaulting or validation. Carries every field error; the REST layer turns it into a 422
 * {@code Status} with reason Invalid and one cause per error.
 */
public final class InvalidObjectException extends RuntimeException {
    private final String kind;
    private final String name;
    private final transient List<FieldError> errors;

    public InvalidObjectException(String kind, String name, List<FieldError> errors) {
        super(kind + " \"" + name + "\" is invalid: ["
                + errors.stream().map(FieldError::toString).collect(Collectors.joining(", ")) + "]");
        this.kind = kind;
        this.name = name;
        this.errors = List.copyOf(errors);
    }

    public String kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    public List<FieldError> errors() {
        return errors;
    }
}
