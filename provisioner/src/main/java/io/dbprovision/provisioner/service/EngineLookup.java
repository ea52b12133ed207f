package io.dbprovision.provisioner.service;

import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.provisioner.engine.Engine;
import java.util.Optional;

/** Which {@link Engine} serves an engine type; empty when none does in this build (ClickHouse, say). */
@FunctionalInterface
public interface EngineLookup {
    Optional<Engine> find(EngineType type);
}
