package io.dbprovision.apiserver.reconcile;

import io.dbprovision.api.kinds.EnginePorts;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.v1alpha1.DatabaseInstanceSpec;
import io.dbprovision.proto.v1alpha1.EngineType;
import java.util.Locale;

/**
 * The database server an instance object names: engine, host and port, as the provisioner groups its connection
 * pools per server. Several DatabaseInstance objects may name one server; the reconcilers' concurrency limits are per
 * server so that those objects together never send more calls at once than the provisioner has connections for it.
 * A port left out is the engine's default, as the provisioner's.
 */
public final class ServerKey {
    private ServerKey() {}

    /** The server of an instance's spec. */
    public static String of(DatabaseInstanceSpec spec) {
        return of(
                spec.getEngine(),
                spec.getConnection().getHost(),
                spec.getConnection().getPort());
    }

    /** The server of a provisioner request's connection. */
    public static String of(Instance connection) {
        return of(connection.getEngine(), connection.getHost(), connection.getPort());
    }

    private static String of(EngineType engine, String host, int port) {
        return engine.name().replace("ENGINE_TYPE_", "").toLowerCase(Locale.ROOT) + "://"
                + host.strip().toLowerCase(Locale.ROOT) + ":" + (port == 0 ? defaultPort(engine) : port);
    }

    /** A port left out (0) is the engine's default, as the instance's defaulting and the provisioner have it. */
    private static int defaultPort(EngineType engine) {
        return EnginePorts.defaultPort(engine).orElse(5432);
    }
}
