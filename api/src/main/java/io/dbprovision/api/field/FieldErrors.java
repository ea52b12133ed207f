package io.dbprovision.api.field;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/** Collects every field error of one object, so a client learns all that is wrong in one round trip. */
public final class FieldErrors {
    private final List<FieldError> errors = new ArrayList<>();

    public FieldErrors add(FieldError error) {
        errors.add(error);
        return this;
    }

    public FieldErrors addAll(List<FieldError> more) {
        errors.addAll(more);
        return this;
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<FieldError> asList() {
        return Collections.unmodifiableList(errors);
    }

    /** Throws {@link InvalidObjectException} if any error was collected. */
    public void throwIfAny(String kind, String name) {
        if (!errors.isEmpty()) {
            throw new InvalidObjectException(kind, name, List.copyOf(errors));
        }
    }

    @Override
    public String toString() {
        return errors.stream().map(FieldError::toString).collect(Collectors.joining(", "));
    }
}
