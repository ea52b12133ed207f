package io.dbprovision.api.kinds;

import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.InvalidObjectException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What validating one object found: field errors (the request fails with 422) and warnings (the request succeeds;
 * each warning becomes a {@code Warning} response header that kubectl prints).
 */
public final class Findings {
    private final List<FieldError> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    public Findings error(FieldError error) {
        errors.add(error);
        return this;
    }

    public Findings errors(Collection<FieldError> more) {
        errors.addAll(more);
        return this;
    }

    public Findings warn(String warning) {
        warnings.add(warning);
        return this;
    }

    public List<FieldError> errors() {
        return List.copyOf(errors);
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** Throws {@link InvalidObjectException} carrying every error, if there is any. */
    public void throwIfInvalid(String kind, String name) {
        if (!errors.isEmpty()) {
            throw new InvalidObjectException(kind, name, errors);
        }
    }

    @Override
    public String toString() {
        return "errors=" + errors + ", warnings=" + warnings;
    }
}
