package io.dbprovision.apiserver.controller;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.request.RequestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controllers of one replica and the informers they share, run while the replica leads: as controller-runtime's
 * manager. Informers run on every replica from {@link #start} to {@link #close} (the registry's watch cache is in
 * memory on each anyway), so a replica that wins the lease starts reconciling at once; controllers run only while
 * {@link LeaderElection} says this replica leads, and stop when it loses the lease.
 */
public final class ControllerManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerManager.class);

    private final LeaderElection election;
    private final RequestContext context;
    private final Map<ResourceStore, Informer<?>> informers = new LinkedHashMap<>();
    private final List<Controller<?>> controllers = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private boolean started;

    /** @param context who the informers list and watch as ({@link RequestContext#internal}) */
    public ControllerManager(LeaderElection election, RequestContext context) {
        this.election = election;
        this.context = context;
    }

    /** The informer of {@code store}'s objects, one per store, shared by every controller that asks for it. */
    public synchronized <T extends Message> Informer<T> informer(ResourceStore store, Class<T> type) {
        Informer<?> existing = informers.get(store);
        if (existing == null) {
            Informer<T> created = new Informer<>(store, type, context);
            informers.put(store, created);
            if (started) {
                created.start();
            }
            return created;
        }
        if (!type.isInstance(store.kind().object())) {
            throw new IllegalArgumentException(store.kind().kind() + " objects are not " + type.getSimpleName());
        }
        @SuppressWarnings("unchecked")
        Informer<T> shared = (Informer<T>) existing;
        return shared;
    }

    /** Adds a controller; it runs whenever this replica leads. Add them all before {@link #start}. */
    public synchronized ControllerManager add(Controller<?> controller) {
        if (started) {
            throw new IllegalStateException("add controllers before the manager starts");
        }
        controllers.add(controller);
        return this;
    }

    /**
     * Something that lives as long as the manager, such as a watch that queues keys of a controller: closed by
     * {@link #close}, after the controllers stopped and before the informers.
     */
    public ControllerManager closeWith(AutoCloseable resource) {
        resources.add(resource);
        return this;
    }

    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        informers.values().forEach(Informer::start);
        election.start(new Leadership() {
            @Override
            public void startedLeading() {
                LOG.info("{} leads: starting {} controllers", election.identity(), controllers.size());
                controllers.forEach(Controller::start);
            }

            @Override
            public void stoppedLeading() {
                stopControllers();
            }

            @Override
            public void newLeader(String identity) {
                if (!identity.equals(election.identity())) {
                    LOG.info("controllers are led by {}", identity.isEmpty() ? "nobody" : identity);
                }
            }
        });
    }

    public boolean isLeading() {
        return election.isLeader();
    }

    public LeaderElection election() {
        return election;
    }

    /** Stops every controller at once, each with its grace for the reconciles under way. */
    private void stopControllers() {
        List<Thread> stopping = new ArrayList<>();
        for (Controller<?> controller : controllers) {
            stopping.add(Thread.ofVirtual().name("stop-" + controller.name()).start(controller::stop));
        }
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops leading (the controllers stop, then the lease is released) and the informers. */
    @Override
    public void close() {
        election.close();
        stopControllers(); // in case the election never started
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", resource, e);
            }
        }
        resources.clear();
        List<Informer<?>> all;
        synchronized (this) {
            all = List.copyOf(informers.values());
        }
        all.forEach(Informer::close);
    }
}
