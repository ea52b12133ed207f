package io.dbprovision.client;

import io.dbprovision.proto.engine.v1alpha1.PlannedStatement;
import java.util.List;

/**
 * What a write stored or, with validate_only, would store: the object, the SQL the provisioner would run for it
 * (validate_only only; secrets redacted) and the server's warnings.
 */
public record Written<T>(T object, List<PlannedStatement> plan, List<String> warnings) {
    public Written {
        plan = List.copyOf(plan);
        warnings = List.copyOf(warnings);
    }
}
