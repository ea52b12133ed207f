package io.dbprovision.provisioner;

import io.dbprovision.provisioner.engine.Engine;
import io.dbprovision.provisioner.engine.Engines;
import io.dbprovision.provisioner.engine.cockroach.CockroachEngine;
import io.dbprovision.provisioner.engine.jdbc.ConnectionPools;
import io.dbprovision.provisioner.engine.mysql.MySqlEngine;
import io.dbprovision.provisioner.engine.password.PasswordGenerator;
import io.dbprovision.provisioner.engine.postgres.PostgresEngine;
import io.dbprovision.provisioner.service.EngineGrpcService;
import io.dbprovision.provisioner.service.JdbcSessionFactory;
import java.time.Duration;
import java.util.List;
import org.jooq.ExecuteListener;

/**
 * The engine service assembled from the parts the provisioner ships with — the engines, JDBC sessions over shared
 * connection pools (closed after {@code poolIdle} unused) and the password generator — in one place, so the command
 * and the benchmark serve the same thing. Closing it closes the pools; do that after the server has stopped.
 */
public record ProvisionerWiring(EngineGrpcService service, ConnectionPools pools) implements AutoCloseable {
    /** Every engine this build serves; adding an engine is one more element here. */
    public static List<Engine> engines() {
        return List.of(new PostgresEngine(), new CockroachEngine(), new MySqlEngine());
    }

    public static ProvisionerWiring create(Duration poolIdle) {
        return create(poolIdle, List.of());
    }

    /** @param observers jOOQ listeners that see every statement sent to an engine (the benchmark's recorder) */
    public static ProvisionerWiring create(Duration poolIdle, List<ExecuteListener> observers) {
        ConnectionPools pools = new ConnectionPools(poolIdle, ConnectionPools.DEFAULT_FAIL_FAST_WINDOW);
        EngineGrpcService service = new EngineGrpcService(
                new Engines(engines()), new JdbcSessionFactory(pools, observers), new PasswordGenerator());
        return new ProvisionerWiring(service, pools);
    }

    @Override
    public void close() {
        pools.close();
    }
}
