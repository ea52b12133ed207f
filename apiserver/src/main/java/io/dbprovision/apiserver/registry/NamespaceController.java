package io.dbprovision.apiserver.registry;

import com.google.protobuf.Message;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.apiserver.request.RequestContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standalone mode's namespace controller, as Kubernetes runs one in its controller manager: a namespace marked for
 * deletion (Terminating, held by the {@code kubernetes} finalizer in its spec) has every namespaced object of every
 * kind served here deleted; objects with finalizers are marked and waited for; once nothing is left the controller
 * removes the finalizer and the namespace goes.
 *
 * <p>It wakes on every change to a namespace (a watch) and also sweeps every few seconds: the watch makes deletion
 * prompt, the sweep makes it certain (objects whose finalizers are removed later, a watch that ended with a storage
 * outage). All it does goes through the stores, as any client's requests do.
 */
public final class NamespaceController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceController.class);
    private static final Duration RESYNC = Duration.ofSeconds(2);
    private static final WriteOptions AS_CONTROLLER = new WriteOptions(false, "namespace-controller");
    private static final RequestContext CONTROLLER = RequestContext.internal("system:dbprovision:namespace-controller");

    private final ResourceStore namespaces;
    private final List<ResourceStore> namespaced;
    private final Semaphore wake = new Semaphore(0);
    private final Thread thread;
    private volatile boolean closed;
    private AutoCloseable watch;

    private NamespaceController(ResourceStore namespaces, List<ResourceStore> namespaced) {
        this.namespaces = namespaces;
        this.namespaced = namespaced;
        this.thread = Thread.ofVirtual().name("namespace-controller").unstarted(this::run);
    }

    /** Starts the controller when {@code registry} serves namespaces; nothing to run otherwise. */
    public static Optional<NamespaceController> start(Registry registry) {
        Optional<ResourceStore> namespaces = registry.lookup("v1", "namespaces");
        if (namespaces.isEmpty()) {
            return Optional.empty();
        }
        List<ResourceStore> namespaced = registry.stores().stream()
                .filter(store -> !store.kind().clusterScoped())
                .toList();
        NamespaceController controller = new NamespaceController(namespaces.get(), namespaced);
        controller.thread.start();
        return Optional.of(controller);
    }

    private void run() {
        try {
            adoptNamespacesWithoutFinalizer();
        } catch (RuntimeException e) {
            LOG.warn("namespace controller: {}", e.getMessage());
        }
        while (!closed) {
            try {
                if (watch == null) {
                    watch = namespaces.watch(
                            CONTROLLER,
                            "",
                            new WatchQuery("", "", 0, true, false),
                            event -> wake.release(),
                            end -> watch = null);
                }
                wake.tryAcquire(RESYNC.toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
                if (!closed) {
                    sweep();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                // storage unavailable, most likely: try again at the next sweep
                LOG.warn("namespace controller: {}", e.getMessage());
                sleep();
            }
        }
    }

    /**
     * Mends the namespaces an earlier build stored without the {@code kubernetes} finalizer or without apiVersion and
     * kind: a write applies the namespace defaults and the type, so that deleting one deletes its content too and
     * clients can read it.
     */
    private void adoptNamespacesWithoutFinalizer() {
        for (Message namespace : namespaces.list(CONTROLLER, "", ListQuery.ALL).items()) {
            boolean old = !Objects.specFinalizers(namespace).contains(ObjectRules.NAMESPACE_FINALIZER)
                    || Objects.withTypeMeta(
                                    namespace,
                                    namespaces.kind().apiVersion(),
                                    namespaces.kind().kind())
                            != namespace;
            if (!Objects.meta(namespace).hasDeletionTimestamp() && old) {
                namespaces.patch(
                        CONTROLLER, "", Objects.meta(namespace).getName(), current -> current, AS_CONTROLLER, false);
            }
        }
    }

    /** Finishes every namespace that is being deleted. */
    void sweep() {
        for (Message namespace : namespaces.list(CONTROLLER, "", ListQuery.ALL).items()) {
            if (Objects.meta(namespace).hasDeletionTimestamp()) {
                finish(Objects.meta(namespace).getName());
            }
        }
    }

    private void finish(String namespace) {
        boolean empty = true;
        for (ResourceStore store : namespaced) {
            try {
                store.deleteCollection(CONTROLLER, namespace, ListQuery.ALL, DeleteOptions.DEFAULT);
                // What is left has finalizers pending: marked for deletion, waited for.
                empty &= store.list(CONTROLLER, namespace, ListQuery.ALL)
                        .versions()
                        .isEmpty();
            } catch (ApiException e) {
                LOG.warn(
                        "namespace {}: deleting {} failed: {}",
                        namespace,
                        store.kind().plural(),
                        e.getMessage());
                empty = false;
            }
        }
        if (!empty) {
            return;
        }
        try {
            namespaces.patch(
                    CONTROLLER,
                    "",
                    namespace,
                    current -> Objects.withoutSpecFinalizer(current, ObjectRules.NAMESPACE_FINALIZER),
                    AS_CONTROLLER,
                    false);
            LOG.info("namespace {} deleted", namespace);
        } catch (ApiException.NotFound gone) {
            // finished meanwhile
        }
    }

    private void sleep() {
        try {
            Thread.sleep(RESYNC);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        AutoCloseable current = watch;
        if (current != null) {
            try {
                current.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
    }
}
