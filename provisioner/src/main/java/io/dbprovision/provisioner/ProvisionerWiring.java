package io.dbprovision.provisioner;

import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.service.EngineGrpcService;
import java.time.Duration;
import java.util.Optional;

/**
 * Assembles the engine service from the parts the provisioner ships with: the engine registry, the JDBC session
 * factory (pooled connections closed after {@code poolIdle}) and the password generator. One place, so the command
 * and the benchmark serve the same thing.
 */
public final class ProvisionerWiring {
    private ProvisionerWiring() {}

    public static EngineGrpcService engineService(Duration poolIdle) {
        // Until the engine registry and the JDBC session are merged: every engine call answers UNIMPLEMENTED.
        return new EngineGrpcService(
                type -> Optional.empty(),
                (instance, validateOnly) -> {
                    throw new EngineException.Unsupported("no engine sessions in this build");
                },
                policy -> {
                    throw new EngineException.Unsupported("no password generator in this build");
                });
    }
}
