package io.dbprovision.provisioner.service;

import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.provisioner.engine.EngineException.InvalidDefinition;

/**
 * The checks every call's envelope passes before an engine sees it: the instance is there and says which engine,
 * where and on which port, and the object the call is about has a name. Each refusal names the request field's path
 * ({@code instance.port}, {@code user.name}); what the name may contain is the engine's business (its limits differ).
 */
final class RequestEnvelope {
    private static final int MAX_PORT = 65_535;

    private RequestEnvelope() {}

    /** A field the call cannot do without, by its path in the request. */
    record Required(String field, String value) {}

    static void check(boolean hasInstance, Instance instance, Required... names) {
        if (!hasInstance) {
            throw new InvalidDefinition("instance", "is required");
        }
        EngineType engine = instance.getEngine();
        if (engine == EngineType.ENGINE_TYPE_UNSPECIFIED || engine == EngineType.UNRECOGNIZED) {
            throw new InvalidDefinition("instance.engine", "must name the engine (postgres, mysql, mariadb, ...)");
        }
        if (instance.getHost().isBlank()) {
            throw new InvalidDefinition("instance.host", "is required");
        }
        if (instance.getPort() < 0 || instance.getPort() > MAX_PORT) {
            throw new InvalidDefinition("instance.port", "must be 0 (the engine's default) to " + MAX_PORT);
        }
        for (Required name : names) {
            if (name.value().isEmpty()) {
                throw new InvalidDefinition(name.field(), "is required");
            }
        }
    }
}
