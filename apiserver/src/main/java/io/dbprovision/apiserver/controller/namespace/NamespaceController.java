package io.dbprovision.apiserver.controller.namespace;

import io.dbprovision.apiserver.controller.Controller;
import io.dbprovision.apiserver.controller.ControllerManager;
import io.dbprovision.apiserver.controller.LeaderElection;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.k8s.core.v1.Namespace;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Standalone mode's namespace controller, as Kubernetes runs one in its controller manager, on the controller runtime:
 * an informer on namespaces queues every namespace that appears or changes (the deletion of one sets its
 * deletionTimestamp), and {@link NamespaceReconciler} deletes a terminating namespace's content, then removes the
 * {@code kubernetes} finalizer so the namespace goes.
 */
public final class NamespaceController implements AutoCloseable {
    static final String USER = "system:dbprovision:namespace-controller";
    private static final RequestContext CONTROLLER = RequestContext.internal(USER);

    private final ControllerManager manager;

    private NamespaceController(ControllerManager manager) {
        this.manager = manager;
    }

    /**
     * Starts the controller, on a manager of its own that always leads, when {@code registry} serves namespaces;
     * nothing to run otherwise. Several replicas may run it at once: its work is idempotent.
     */
    public static Optional<NamespaceController> start(Registry registry) {
        ControllerManager manager = new ControllerManager(LeaderElection.always("namespace-controller"), CONTROLLER);
        if (register(manager, registry).isEmpty()) {
            return Optional.empty();
        }
        manager.start();
        return Optional.of(new NamespaceController(manager));
    }

    /** Adds the controller to {@code manager} when {@code registry} serves namespaces. */
    public static Optional<Controller<Namespace>> register(ControllerManager manager, Registry registry) {
        Optional<ResourceStore> namespaces = registry.lookup("v1", "namespaces");
        if (namespaces.isEmpty()) {
            return Optional.empty();
        }
        List<ResourceStore> namespaced = registry.stores().stream()
                .filter(store -> !store.kind().clusterScoped())
                .toList();
        var informer = manager.informer(namespaces.get(), Namespace.class);
        Controller<Namespace> controller = Controller.builder(
                        "namespace-controller",
                        informer,
                        new NamespaceReconciler(namespaces.get(), namespaced, CONTROLLER))
                .workers(2)
                .resyncEvery(Duration.ofMinutes(1))
                .build();
        manager.add(controller);
        return Optional.of(controller);
    }

    @Override
    public void close() {
        manager.close();
    }
}
