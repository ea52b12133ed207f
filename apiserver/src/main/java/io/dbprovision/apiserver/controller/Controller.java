package io.dbprovision.apiserver.controller;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.registry.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Reconciler} for the objects of one kind: the kind's {@link Informer} feeds a {@link WorkQueue} of
 * keys (filtered by an {@link UpdatePredicate}, so status writes do not reconcile again), and workers on virtual
 * threads take keys from it and reconcile them — with per-key backoff on failure, requeues the reconciler asks for,
 * a periodic resync of every key, and at most {@code partitionLimit} keys of one partition (the database server an
 * object lives on) at once. Other informers can feed it too ({@link Builder#watches}): a change to an instance
 * queues its dependants.
 *
 * <p>A controller can be started and stopped again (a replica that loses its lease stops its controllers, one that
 * wins it starts them): each start gets a fresh queue. Workers wait until every informer has synced before the first
 * reconcile, so a reconciler never mistakes an object not yet listed for one deleted.
 */
public final class Controller<T extends Message> {
    private static final Logger LOG = LoggerFactory.getLogger(Controller.class);

    private final String name;
    private final Informer<T> informer;
    private final Reconciler reconciler;
    private final int workers;
    private final Function<NamespacedName, String> partitionOf;
    private final int partitionLimit;
    private final Backoff backoff;
    private final Duration resync;
    private final UpdatePredicate<? super T> updates;
    private final List<Source<?>> sources;
    private final Duration shutdownGrace;
    private Run run;

    /** Another informer whose changes queue keys of this controller. */
    private record Source<S extends Message>(
            Informer<S> informer,
            Function<? super S, ? extends Collection<NamespacedName>> keysOf,
            UpdatePredicate<? super S> updates) {}

    /** One start-to-stop of the controller. */
    private record Run(WorkQueue<NamespacedName> queue, List<Thread> workers, List<Runnable> unregister) {}

    private Controller(Builder<T> builder) {
        this.name = builder.name;
        this.informer = builder.informer;
        this.reconciler = builder.reconciler;
        this.workers = builder.workers;
        this.partitionOf = builder.partitionOf;
        this.partitionLimit = builder.partitionLimit;
        this.backoff = builder.backoff;
        this.resync = builder.resync;
        this.updates = builder.updates;
        this.sources = List.copyOf(builder.sources);
        this.shutdownGrace = builder.shutdownGrace;
    }

    /**
     * A controller named {@code name} (its log lines and threads say it) reconciling the objects of {@code informer}
     * with {@code reconciler}.
     */
    public static <T extends Message> Builder<T> builder(String name, Informer<T> informer, Reconciler reconciler) {
        return new Builder<>(name, informer, reconciler);
    }

    public String name() {
        return name;
    }

    public Informer<T> informer() {
        return informer;
    }

    public synchronized boolean isRunning() {
        return run != null;
    }

    /** Starts the informers (if they are not yet) and the workers; does nothing if running already. */
    public synchronized void start() {
        if (run != null) {
            return;
        }
        WorkQueue<NamespacedName> queue = new WorkQueue<>(name, partitionOf, partitionLimit, backoff);
        List<Runnable> unregister = new ArrayList<>();
        EventHandler<T> primary = new EventHandler<>() {
            @Override
            public void onAdd(T object) {
                queue.add(NamespacedName.of(object));
            }

            @Override
            public void onUpdate(T oldObject, T newObject) {
                if (updates.test(oldObject, newObject)) {
                    queue.add(NamespacedName.of(newObject));
                }
            }

            @Override
            public void onDelete(T lastKnown) {
                queue.add(NamespacedName.of(lastKnown));
            }
        };
        informer.addHandler(primary);
        unregister.add(() -> informer.removeHandler(primary));
        for (Source<?> source : sources) {
            unregister.add(register(source, queue));
        }
        informer.start();
        sources.forEach(source -> source.informer().start());
        if (resync != null) {
            queue.resyncEvery(resync, informer::keys);
        }
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            threads.add(Thread.ofVirtual().name(name + "-worker-" + i).start(() -> work(queue)));
        }
        run = new Run(queue, threads, unregister);
        LOG.info("controller {} started with {} workers", name, workers);
    }

    private <S extends Message> Runnable register(Source<S> source, WorkQueue<NamespacedName> queue) {
        EventHandler<S> handler = new EventHandler<>() {
            @Override
            public void onAdd(S object) {
                source.keysOf().apply(object).forEach(queue::add);
            }

            @Override
            public void onUpdate(S oldObject, S newObject) {
                if (source.updates().test(oldObject, newObject)) {
                    // Both: a reference that moved concerns the object it left as well as the one it names now.
                    Set<NamespacedName> keys =
                            new LinkedHashSet<>(source.keysOf().apply(oldObject));
                    keys.addAll(source.keysOf().apply(newObject));
                    keys.forEach(queue::add);
                }
            }

            @Override
            public void onDelete(S lastKnown) {
                source.keysOf().apply(lastKnown).forEach(queue::add);
            }
        };
        source.informer().addHandler(handler);
        return () -> source.informer().removeHandler(handler);
    }

    /** Queues {@code key} for a reconcile, as a change to its object would; ignored while stopped. */
    public void enqueue(NamespacedName key) {
        Run current;
        synchronized (this) {
            current = run;
        }
        if (current != null) {
            current.queue().add(key);
        }
    }

    private void work(WorkQueue<NamespacedName> queue) {
        try {
            awaitSynced(queue);
            while (true) {
                NamespacedName key = queue.take();
                if (key == null) {
                    return;
                }
                try {
                    Result result = reconciler.reconcile(key);
                    queue.forget(key);
                    result.requeueAfter().ifPresent(delay -> queue.addAfter(key, delay));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return; // stopping
                } catch (Exception e) {
                    failed(queue, key, e);
                } finally {
                    queue.done(key);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void failed(WorkQueue<NamespacedName> queue, NamespacedName key, Exception e) {
        int attempt = queue.failures(key) + 1;
        if (e instanceof ApiException) {
            LOG.warn(
                    "{}({}): reconcile failed (attempt {}), retrying after a backoff: {}",
                    informer.kind(),
                    key,
                    attempt,
                    e.getMessage());
        } else {
            LOG.warn(
                    "{}({}): reconcile failed (attempt {}), retrying after a backoff",
                    informer.kind(),
                    key,
                    attempt,
                    e);
        }
        queue.addRateLimited(key);
    }

    private void awaitSynced(WorkQueue<NamespacedName> queue) throws InterruptedException {
        List<Informer<?>> all = new ArrayList<>();
        all.add(informer);
        sources.forEach(source -> all.add(source.informer()));
        for (Informer<?> each : all) {
            while (!each.awaitSynced(Duration.ofSeconds(1))) {
                if (queue.isShuttingDown()) {
                    return;
                }
            }
        }
    }

    /**
     * Stops: no new keys are taken, the reconciles under way get {@code shutdownGrace} to finish and are interrupted
     * after it. Returns once every worker has ended. The informers keep running (others may share them).
     */
    public void stop() {
        Run current;
        synchronized (this) {
            current = run;
            run = null;
        }
        if (current == null) {
            return;
        }
        current.unregister().forEach(Runnable::run);
        try {
            if (!current.queue().shutDown(shutdownGrace)) {
                LOG.warn("controller {}: reconciles still running after {}; interrupting them", name, shutdownGrace);
                current.workers().forEach(Thread::interrupt);
            }
            for (Thread worker : current.workers()) {
                worker.join();
            }
        } catch (InterruptedException e) {
            current.workers().forEach(Thread::interrupt);
            Thread.currentThread().interrupt();
        }
        LOG.info("controller {} stopped", name);
    }

    /** How a controller runs; every setting has a default. */
    public static final class Builder<T extends Message> {
        private final String name;
        private final Informer<T> informer;
        private final Reconciler reconciler;
        private int workers = 4;
        private Function<NamespacedName, String> partitionOf = key -> "";
        private int partitionLimit = Integer.MAX_VALUE;
        private Backoff backoff = Backoff.RECONCILE;
        private Duration resync = Duration.ofMinutes(10);
        private UpdatePredicate<? super T> updates = UpdatePredicate.generationOrMetadataChanged();
        private final List<Source<?>> sources = new ArrayList<>();
        private Duration shutdownGrace = Duration.ofSeconds(30);

        private Builder(String name, Informer<T> informer, Reconciler reconciler) {
            this.name = name;
            this.informer = informer;
            this.reconciler = reconciler;
        }

        /** Reconciles at once (default 4); virtual threads, so waiting on a slow server costs little. */
        public Builder<T> workers(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("a controller needs at least one worker, not " + count);
            }
            this.workers = count;
            return this;
        }

        /**
         * Keys of one partition reconcile at most {@code limit} at once (default: no partitions). {@code partitionOf}
         * runs when a key is queued; it may read informers, such as the instance a Database names.
         */
        public Builder<T> partitionedBy(Function<NamespacedName, String> partitionOf, int limit) {
            this.partitionOf = partitionOf;
            this.partitionLimit = limit;
            return this;
        }

        /** The retry delays after failures (default {@link Backoff#RECONCILE}). */
        public Builder<T> backoff(Backoff backoff) {
            this.backoff = backoff;
            return this;
        }

        /** Every key is reconciled again this often (default 10 minutes); null: never. */
        public Builder<T> resyncEvery(Duration interval) {
            this.resync = interval;
            return this;
        }

        /** Which updates of the kind's objects reconcile (default {@link UpdatePredicate#generationOrMetadataChanged}). */
        public Builder<T> updatesWhen(UpdatePredicate<? super T> predicate) {
            this.updates = predicate;
            return this;
        }

        /** Any change to an object of {@code other} queues the keys {@code keysOf} maps it to. */
        public <S extends Message> Builder<T> watches(
                Informer<S> other, Function<? super S, ? extends Collection<NamespacedName>> keysOf) {
            return watches(other, keysOf, UpdatePredicate.always());
        }

        /** Changes to objects of {@code other} that pass {@code updates} (and every add and delete) queue keys. */
        public <S extends Message> Builder<T> watches(
                Informer<S> other,
                Function<? super S, ? extends Collection<NamespacedName>> keysOf,
                UpdatePredicate<? super S> updates) {
            sources.add(new Source<>(other, keysOf, updates));
            return this;
        }

        /** How long a stop waits for reconciles under way before interrupting them (default 30 s). */
        public Builder<T> shutdownGrace(Duration grace) {
            this.shutdownGrace = grace;
            return this;
        }

        public Controller<T> build() {
            return new Controller<>(this);
        }
    }
}
