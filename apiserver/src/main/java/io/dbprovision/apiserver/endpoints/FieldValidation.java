package io.dbprovision.apiserver.endpoints;

import io.dbprovision.api.codec.Decoded;
import io.dbprovision.apiserver.registry.ApiException;

/**
 * The {@code fieldValidation} query parameter: what unknown and duplicate fields do. Strict refuses them (400),
 * Warn (the default, as in Kubernetes) drops them with a {@code Warning} header each, Ignore drops them silently.
 */
enum FieldValidation {
    STRICT,
    WARN,
    IGNORE;

    static FieldValidation of(Call call) {
        return switch (call.query("fieldValidation")) {
            case "Strict" -> STRICT;
            case "", "Warn" -> WARN;
            case "Ignore" -> IGNORE;
            default ->
                throw new ApiException.BadRequest("fieldValidation must be one of Strict, Warn or Ignore, not \""
                        + call.query("fieldValidation") + "\"");
        };
    }

    void check(Decoded<?> decoded, Call call) {
        var problems = decoded.strictProblems();
        if (problems.isEmpty()) {
            return;
        }
        switch (this) {
            case STRICT -> throw new ApiException.BadRequest("strict decoding error: " + String.join(", ", problems));
            case WARN -> call.warnAll(problems);
            case IGNORE -> {}
        }
    }
}
