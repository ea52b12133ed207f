package io.dbprovision.apiserver.corev1;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.controller.Backoff;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.DeleteOptions;
import io.dbprovision.apiserver.registry.ListQuery;
import io.dbprovision.apiserver.registry.ObjectEvent;
import io.dbprovision.apiserver.registry.ObjectVersion;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.Page;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WatchQuery;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.storage.ListOptions;
import io.dbprovision.proto.k8s.core.v1.Secret;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcilers' Secrets in standalone mode: this server's own core v1 {@code secrets} store, called in-process as
 * the controllers' user ({@value ControllerIdentity#USER}), with the store's errors as they are.
 *
 * <p>A watch lists the matching Secrets (names and versions only are kept), then watches from the list's
 * resourceVersion; when the watch ends it watches again from the last version it saw, and when that version is gone
 * (410 Expired) it lists again and tells what changed meanwhile, as {@link io.dbprovision.apiserver.controller.Informer}
 * does. Events pass through a bounded buffer to the watch's own thread; a consumer that falls so far behind that the
 * buffer fills has the store watch closed under it and resumed from the last version it was told of, so it neither
 * holds the store's watcher up nor loses a change.
 */
public final class RegistrySecrets implements Secrets {
    private static final Logger LOG = LoggerFactory.getLogger(RegistrySecrets.class);
    private static final Backoff RETRY = Backoff.of(Duration.ofMillis(100), Duration.ofSeconds(10), 0.2);
    private static final WriteOptions WRITE = new WriteOptions(false, ControllerIdentity.COMPONENT);
    private static final int WATCH_BUFFER = 1_000;

    private final ResourceStore store;
    private final int watchBuffer;

    /** Over the registry's {@code v1/secrets} store; refused when the registry does not serve core v1. */
    public RegistrySecrets(Registry registry) {
        this(
                registry.lookup("v1", "secrets")
                        .orElseThrow(() -> new IllegalArgumentException("the registry serves no core v1 secrets")),
                WATCH_BUFFER);
    }

    /** @param watchBuffer events a watch holds for a slow consumer before it resumes from where the consumer is */
    RegistrySecrets(ResourceStore store, int watchBuffer) {
        if (!(store.kind().object() instanceof Secret)) {
            throw new IllegalArgumentException(
                    "not a store of Secrets: " + store.kind().kind());
        }
        if (watchBuffer < 1) {
            throw new IllegalArgumentException("a watch buffer holds at least one event");
        }
        this.store = store;
        this.watchBuffer = watchBuffer;
    }

    /** A new context for each call, so each has its own audit id, as each request of a client would. */
    private static RequestContext context() {
        return RequestContext.internal(ControllerIdentity.USER);
    }

    @Override
    public Optional<Secret> get(String namespace, String name) {
        if (!KubeNames.canExist(namespace, name)) {
            return Optional.empty(); // as in a cluster: a name no Secret can have is not looked up
        }
        try {
            return Optional.of((Secret) store.get(context(), namespace, name));
        } catch (ApiException.NotFound e) {
            return Optional.empty();
        }
    }

    @Override
    public Secret create(Secret secret) {
        // the registry checks metadata too, but takes an empty namespace from an in-process caller as given
        KubeNames.checkForWrite("Secret", secret.getMetadata());
        return (Secret) store.create(context(), secret.getMetadata().getNamespace(), secret, WRITE)
                .object();
    }

    @Override
    public Secret update(Secret secret) {
        KubeNames.checkForWrite("Secret", secret.getMetadata());
        var meta = secret.getMetadata();
        return (Secret) store.update(context(), meta.getNamespace(), meta.getName(), secret, WRITE, false)
                .object();
    }

    @Override
    public void delete(String namespace, String name, String uid) {
        if (!KubeNames.canExist(namespace, name)) {
            return;
        }
        try {
            store.delete(context(), namespace, name, new DeleteOptions(false, uid == null ? "" : uid, "", ""));
        } catch (ApiException.NotFound e) {
            // gone already
        } catch (ApiException.Conflict e) {
            if (uid == null || uid.isEmpty()) {
                throw e;
            }
            // the name now holds another Secret than the one meant: that one is gone, this one is not ours to delete
        }
    }

    @Override
    public AutoCloseable watch(String labelSelector, Consumer<NamespacedName> changed) {
        String selector = labelSelector == null ? "" : labelSelector;
        store.selector(
                selector, ""); // a selector that does not parse is the caller's mistake: said now, not logged later
        return new Watch(selector, changed).start();
    }

    /** One watch: a list, then watches resumed from the last version seen, on a thread of its own until closed. */
    private final class Watch implements AutoCloseable {
        private final String selector;
        private final WatchedNames names;
        private volatile boolean closed;
        private volatile AutoCloseable storeWatch;
        private Thread thread;
        private long resourceVersion;

        Watch(String selector, Consumer<NamespacedName> changed) {
            this.selector = selector;
            this.names = new WatchedNames(name -> tell(changed, name));
        }

        Watch start() {
            thread = Thread.ofVirtual().name("secrets-watch").start(this::run);
            return this;
        }

        private void tell(Consumer<NamespacedName> changed, NamespacedName name) {
            if (closed) {
                return;
            }
            try {
                changed.accept(name);
            } catch (RuntimeException e) {
                // a failing consumer must not end the watch: the next change is told all the same
                LOG.error("secrets watch ({}): the consumer failed on Secret({})", describe(), name, e);
            }
        }

        private String describe() {
            return selector.isEmpty() ? "every Secret" : selector;
        }

        private void run() {
            boolean relist = true;
            boolean listedOnce = false;
            boolean tellAll = false;
            int failures = 0;
            while (!closed) {
                try {
                    if (relist) {
                        list(listedOnce, tellAll);
                        listedOnce = true;
                        relist = false;
                    }
                    Outcome outcome = watchUntilEnd();
                    failures = 0;
                    switch (outcome) {
                        case EXPIRED -> {
                            LOG.info(
                                    "secrets watch ({}): version {} is gone; listing again",
                                    describe(),
                                    resourceVersion);
                            relist = true;
                        }
                        case FAILED -> pause(RETRY.delay(1));
                        case RESUME -> {}
                        case CLOSED -> {
                            return;
                        }
                    }
                } catch (ApiException.Expired e) {
                    relist = true;
                } catch (ApiException e) {
                    if (closed) {
                        return;
                    }
                    // a watch that could not list first cannot know what changed before: it tells all it finds
                    tellAll |= !listedOnce;
                    failures++;
                    if (failures == 1) {
                        LOG.warn("secrets watch ({}): {}; retrying", describe(), e.getMessage());
                    }
                    pause(RETRY.delay(failures));
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    if (closed) {
                        return;
                    }
                    LOG.error("secrets watch ({}) failed; retrying", describe(), e);
                    failures++;
                    pause(RETRY.delay(failures));
                }
            }
        }

        private void list(boolean listedBefore, boolean tellAll) {
            Page page = store.list(context(), "", new ListQuery(selector, "", 0, "", 0, ListOptions.Match.LATEST));
            Map<NamespacedName, String> listed = new HashMap<>();
            for (ObjectVersion version : page.versions()) {
                Message secret = version.object();
                listed.put(NamespacedName.of(secret), Objects.meta(secret).getResourceVersion());
            }
            if (listedBefore || tellAll) {
                names.relisted(listed, tellAll);
            } else {
                names.baseline(listed);
            }
            resourceVersion = Long.parseLong(page.resourceVersion());
        }

        private enum Outcome {
            /** Watch again from the last version seen. */
            RESUME,
            /** The store ended the watch with an error: watch again after a pause. */
            FAILED,
            /** The last version seen is gone: list again. */
            EXPIRED,
            /** Closed by the caller. */
            CLOSED
        }

        /** What the store's watch hands to this watch's thread. */
        private record Item(ObjectEvent event, boolean ended, ApiException cause, boolean overflowed) {
            static final Item OVERFLOWED = new Item(null, false, null, true);
        }

        private Outcome watchUntilEnd() throws InterruptedException {
            LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
            AtomicInteger waiting = new AtomicInteger();
            AtomicBoolean overflowed = new AtomicBoolean();
            AutoCloseable watch = store.watch(
                    context(),
                    "",
                    new WatchQuery(selector, "", resourceVersion, false, true),
                    event -> {
                        if (overflowed.get()) {
                            return; // dropped: the watch resumes from before them
                        }
                        if (waiting.incrementAndGet() > watchBuffer) {
                            overflowed.set(true);
                            queue.add(Item.OVERFLOWED);
                        } else {
                            queue.add(new Item(event, false, null, false));
                        }
                    },
                    cause -> queue.add(new Item(null, true, cause, false)));
            storeWatch = watch;
            try {
                if (closed) {
                    return Outcome.CLOSED;
                }
                while (true) {
                    Item item = queue.take();
                    if (item.overflowed()) {
                        LOG.debug(
                                "secrets watch ({}): the consumer fell behind; resuming from {}",
                                describe(),
                                resourceVersion);
                        return Outcome.RESUME;
                    }
                    if (item.ended()) {
                        if (closed) {
                            return Outcome.CLOSED;
                        }
                        if (item.cause() instanceof ApiException.Expired) {
                            return Outcome.EXPIRED;
                        }
                        if (item.cause() != null) {
                            LOG.debug(
                                    "secrets watch ({}) ended: {}",
                                    describe(),
                                    item.cause().getMessage());
                            return Outcome.FAILED;
                        }
                        return Outcome.RESUME;
                    }
                    waiting.decrementAndGet();
                    apply(item.event());
                }
            } finally {
                storeWatch = null;
                closeQuietly(watch);
            }
        }

        private void apply(ObjectEvent event) {
            Message object = event.object();
            String version = Objects.meta(object).getResourceVersion();
            switch (event.type()) {
                case ADDED, MODIFIED -> names.seen(NamespacedName.of(object), version);
                case DELETED -> names.gone(NamespacedName.of(object));
                case BOOKMARK -> {}
            }
            resourceVersion = Math.max(resourceVersion, Long.parseLong(version));
        }

        private void pause(Duration delay) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // only close() interrupts: the loop ends at its next check
            }
        }

        @Override
        public void close() {
            closed = true;
            AutoCloseable watch = storeWatch;
            if (watch != null) {
                closeQuietly(watch);
            }
            Thread running = thread;
            if (running != null && running != Thread.currentThread()) {
                running.interrupt();
                try {
                    running.join(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
