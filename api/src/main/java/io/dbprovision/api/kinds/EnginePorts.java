package io.dbprovision.api.kinds;

import io.dbprovision.proto.v1alpha1.EngineType;
import java.util.Optional;

/** Each engine's default TCP port: what an instance's {@code spec.connection.port} defaults to, and a port 0 means. */
public final class EnginePorts {
    private EnginePorts() {}

    public static Optional<Integer> defaultPort(EngineType engine) {
        return switch (engine) {
            case ENGINE_TYPE_POSTGRES -> Optional.of(5432);
            case ENGINE_TYPE_MYSQL, ENGINE_TYPE_MARIADB -> Optional.of(3306);
            case ENGINE_TYPE_COCKROACHDB -> Optional.of(26257);
            case ENGINE_TYPE_CLICKHOUSE -> Optional.of(9000);
            default -> Optional.empty();
        };
    }
}
