package io.dbprovision.apiserver.server;

import io.dbprovision.apiserver.controller.ControllerManager;
import io.dbprovision.apiserver.controller.LeaderElection;
import io.dbprovision.apiserver.corev1.ConfigMaps;
import io.dbprovision.apiserver.corev1.CorrelatingEventRecorder;
import io.dbprovision.apiserver.corev1.EventSink;
import io.dbprovision.apiserver.corev1.Secrets;
import io.dbprovision.apiserver.portal.ProvisionerPlans;
import io.dbprovision.apiserver.provisioning.EngineChannel;
import io.dbprovision.apiserver.reconcile.DbopsControllers;
import io.dbprovision.apiserver.reconcile.DriftReader;
import io.dbprovision.apiserver.reconcile.user.CredentialsReader;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.v1alpha1.DatabaseDrift;
import io.dbprovision.proto.v1alpha1.DatabaseUserCredentials;
import io.grpc.Status;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A server's reconcilers, in both modes: the controllers of the dbops kinds on a {@link ControllerManager} (led by
 * {@code election}: always in standalone, a lease row on the PostgreSQL store with several replicas), their Secrets
 * and Events (the server's own core v1, or the cluster's), and the computed subresources that read through them
 * ({@code databaseusers/credentials}, {@code databases/drift}), and the portal's plans of {@code validate_only} writes
 * ({@link ProvisionerPlans}). Prepared before the HTTP server starts (the
 * subresources must be registered by then), started once the provisioner is connected, closed before the
 * provisioner and the store.
 */
final class Reconcilers implements AutoCloseable {
    private final ControllerManager manager;
    private final CorrelatingEventRecorder events;
    private final AtomicReference<EngineChannel> engine;

    private Reconcilers(
            ControllerManager manager, CorrelatingEventRecorder events, AtomicReference<EngineChannel> engine) {
        this.manager = manager;
        this.events = events;
        this.engine = engine;
    }

    static Reconcilers prepare(
            ServerAssembly assembly,
            LeaderElection election,
            Secrets secrets,
            ConfigMaps configMaps,
            EventSink eventSink,
            Clock clock) {
        AtomicReference<EngineChannel> engine = new AtomicReference<>();
        EngineChannel deferred = deadline -> {
            EngineChannel connected = engine.get();
            if (connected == null) {
                throw Status.UNAVAILABLE
                        .withDescription("the provisioner is not connected yet")
                        .asRuntimeException();
            }
            return connected.engine(deadline);
        };
        ControllerManager manager = new ControllerManager(election, RequestContext.internal(DbopsControllers.USER));
        CorrelatingEventRecorder events = new CorrelatingEventRecorder(eventSink, election.identity());
        DbopsControllers controllers = DbopsControllers.register(
                manager,
                assembly.registry(),
                deferred,
                secrets,
                configMaps,
                events,
                DbopsControllers.Settings.DEFAULTS,
                clock);
        // The portal's validate_only writes plan through the same logic, instances and provisioner.
        assembly.plans(new ProvisionerPlans(controllers::engineLogic));
        String apiVersion = DbopsControllers.GROUP_VERSION;
        if (!assembly.servesSubresource(apiVersion, "databaseusers", "credentials")) {
            assembly.subresource(
                    apiVersion,
                    "databaseusers",
                    "credentials",
                    DatabaseUserCredentials.getDefaultInstance(),
                    new CredentialsReader(controllers));
        }
        if (!assembly.servesSubresource(apiVersion, "databases", "drift")) {
            controllers
                    .engineLogic("databases")
                    .ifPresent(logic -> assembly.subresource(
                            apiVersion,
                            "databases",
                            "drift",
                            DatabaseDrift.getDefaultInstance(),
                            new DriftReader(
                                    controllers.informers().databases().store(),
                                    logic,
                                    controllers.parts().context(),
                                    clock)));
        }
        return new Reconcilers(manager, events, engine);
    }

    /** Starts the controllers (when this replica leads), calling the provisioner through {@code channel}. */
    void start(EngineChannel channel) {
        engine.set(channel);
        manager.start();
    }

    @Override
    public void close() {
        manager.close();
        events.close();
    }
}
