package io.dbprovision.api.codec;

import com.google.protobuf.Message;
import io.dbprovision.api.field.FieldError;
import java.util.ArrayList;
import java.util.List;

/**
 * A decoded object and what the decoder noticed without failing: unknown and duplicate fields (whether they are
 * errors, warnings or ignored is the request's {@code fieldValidation}), and enum values that are not supported
 * (field errors, reported with the validation errors).
 *
 * @param unknownFields paths of fields the schema does not have, such as {@code spec.conection}
 * @param duplicateFields paths of fields given more than once; the last occurrence was kept
 */
public record Decoded<T extends Message>(
        T object, List<String> unknownFields, List<String> duplicateFields, List<FieldError> invalidValues) {

    /** The strict-decoding problems in Kubernetes wording: {@code unknown field "spec.x"}, {@code duplicate field "y"}. */
    public List<String> strictProblems() {
        List<String> out = new ArrayList<>();
        unknownFields.forEach(path -> out.add("unknown field \"" + path + "\""));
        duplicateFields.forEach(path -> out.add("duplicate field \"" + path + "\""));
        return out;
    }

    public <U extends Message> Decoded<U> withObject(U replacement) {
        return new Decoded<>(replacement, unknownFields, duplicateFields, invalidValues);
    }
}
