package io.dbprovision.apiserver.corev1;

import com.google.gson.reflect.TypeToken;
import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.apiserver.auth.delegated.ClusterConnection;
import io.dbprovision.apiserver.controller.Backoff;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.storage.LabelSelector;
import io.dbprovision.proto.k8s.core.v1.Secret;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1DeleteOptions;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Preconditions;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecretList;
import io.kubernetes.client.util.Watch;
import java.io.IOException;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconcilers' Secrets in a cluster: the kube-apiserver's, through client-java with the server's own credentials
 * ({@link ClusterConnection}). Its failures become the registry's {@link ApiException}s in one place
 * ({@link KubeErrors}); no exception, log line or message carries a Secret's data, not even when the kube-apiserver's
 * answer cannot be read.
 *
 * <p>A watch is client-go's reflector in small: a list (paged) of the Secrets matching the selector in every
 * namespace, then watches from the list's resourceVersion with bookmarks, each resumed from the last version seen when
 * it ends; a version the kube-apiserver no longer has (an ERROR event with 410) means a new list, and the difference
 * to what was known is told. It keeps names and versions, never data.
 */
public final class ClusterSecrets implements Secrets {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterSecrets.class);
    private static final Backoff RETRY = Backoff.of(Duration.ofMillis(200), Duration.ofSeconds(30), 0.2);
    private static final Type WATCH_EVENT = new TypeToken<Watch.Response<V1Secret>>() {}.getType();
    private static final int PAGE = 500;
    /** A watch that ends this soon having told nothing is followed by a pause before the next. */
    private static final Duration QUIET_WATCH = Duration.ofSeconds(1);

    private static final KubeErrors.Resource SECRETS = KubeErrors.Resource.SECRETS;

    private final CoreV1Api api;
    private final ApiClient watchClient;
    private final CoreV1Api watchApi;
    private final int watchSeconds;

    /** With watches re-opened every 5 minutes, as client-go's reflectors do at least. */
    public ClusterSecrets(ClusterConnection connection) {
        this(connection, Duration.ofMinutes(5));
    }

    /** @param watchLength how long one watch request runs before it is re-opened */
    public ClusterSecrets(ClusterConnection connection, Duration watchLength) {
        this.api = new CoreV1Api(connection.client());
        this.watchClient = connection.watchClient();
        this.watchApi = new CoreV1Api(watchClient);
        this.watchSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, watchLength.toSeconds()));
    }

    @Override
    public Optional<Secret> get(String namespace, String name) {
        if (!KubeNames.canExist(namespace, name)) {
            return Optional.empty();
        }
        try {
            return Optional.of(SecretConversion.fromKube(
                    api.readNamespacedSecret(name, namespace).execute()));
        } catch (io.kubernetes.client.openapi.ApiException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw KubeErrors.translate(e, SECRETS, name);
        } catch (RuntimeException e) {
            throw KubeErrors.unreadable(e, SECRETS, name);
        }
    }

    @Override
    public Secret create(Secret secret) {
        KubeNames.checkForWrite("Secret", secret.getMetadata());
        SecretSize.check(secret);
        String name = secret.getMetadata().getName();
        try {
            V1Secret created = api.createNamespacedSecret(
                            secret.getMetadata().getNamespace(), SecretConversion.toKube(withoutServerFields(secret)))
                    .fieldManager(ControllerIdentity.COMPONENT)
                    .execute();
            return SecretConversion.fromKube(created);
        } catch (io.kubernetes.client.openapi.ApiException e) {
            throw KubeErrors.translate(e, SECRETS, name);
        } catch (RuntimeException e) {
            throw KubeErrors.unreadable(e, SECRETS, name);
        }
    }

    @Override
    public Secret update(Secret secret) {
        KubeNames.checkForWrite("Secret", secret.getMetadata());
        String name = secret.getMetadata().getName();
        if (secret.getMetadata().getResourceVersion().isEmpty()) {
            // the kube-apiserver would take a Secret's update without one as unconditional; the contract is conditional
            throw new ApiException.Invalid(
                    "",
                    "Secret",
                    name,
                    List.of(FieldError.invalid(
                            FieldPath.of("metadata.resourceVersion"), "0x0", "must be specified for an update")));
        }
        SecretSize.check(secret);
        try {
            V1Secret replaced = api.replaceNamespacedSecret(
                            name, secret.getMetadata().getNamespace(), SecretConversion.toKube(secret))
                    .fieldManager(ControllerIdentity.COMPONENT)
                    .execute();
            return SecretConversion.fromKube(replaced);
        } catch (io.kubernetes.client.openapi.ApiException e) {
            throw KubeErrors.translate(e, SECRETS, name);
        } catch (RuntimeException e) {
            throw KubeErrors.unreadable(e, SECRETS, name);
        }
    }

    @Override
    public void delete(String namespace, String name, String uid) {
        if (!KubeNames.canExist(namespace, name)) {
            return;
        }
        boolean conditional = uid != null && !uid.isEmpty();
        V1DeleteOptions options = new V1DeleteOptions();
        if (conditional) {
            options.setPreconditions(new V1Preconditions().uid(uid));
        }
        try {
            api.deleteNamespacedSecret(name, namespace).body(options).execute();
        } catch (io.kubernetes.client.openapi.ApiException e) {
            if (e.getCode() == 404) {
                return; // gone already
            }
            if (e.getCode() == 409 && conditional) {
                return; // the name now holds another Secret than the one meant: not ours to delete
            }
            throw KubeErrors.translate(e, SECRETS, name);
        } catch (RuntimeException e) {
            throw KubeErrors.unreadable(e, SECRETS, name);
        }
    }

    @Override
    public AutoCloseable watch(String labelSelector, Consumer<NamespacedName> changed) {
        String selector = labelSelector == null ? "" : labelSelector;
        try {
            LabelSelector.parse(selector);
        } catch (IllegalArgumentException e) {
            throw new ApiException.BadRequest(e.getMessage());
        }
        return new ClusterWatch(selector, changed).start();
    }

    /** The server's fields of a new Secret: a create sends none (a copied resourceVersion would be refused). */
    private static Secret withoutServerFields(Secret secret) {
        return secret.toBuilder()
                .setMetadata(secret.getMetadata().toBuilder()
                        .clearUid()
                        .clearResourceVersion()
                        .clearCreationTimestamp()
                        .clearDeletionTimestamp()
                        .clearGeneration())
                .build();
    }

    /** One watch: list, then watch and resume, on a thread of its own until closed. */
    private final class ClusterWatch implements AutoCloseable {
        private final String selector;
        private final WatchedNames names;
        private volatile boolean closed;
        private volatile Watch<V1Secret> open;
        private Thread thread;
        /** Where the next watch starts; null: list first. */
        private String resourceVersion;

        ClusterWatch(String selector, Consumer<NamespacedName> changed) {
            this.selector = selector;
            this.names = new WatchedNames(name -> tell(changed, name));
        }

        ClusterWatch start() {
            thread = Thread.ofPlatform().daemon().name("secrets-watch-cluster").start(this::run);
            return this;
        }

        private String describe() {
            return selector.isEmpty() ? "every Secret" : selector;
        }

        private void tell(Consumer<NamespacedName> changed, NamespacedName name) {
            if (closed) {
                return;
            }
            try {
                changed.accept(name);
            } catch (RuntimeException e) {
                LOG.error("secrets watch ({}): the consumer failed on Secret({})", describe(), name, e);
            }
        }

        private void run() {
            boolean listedOnce = false;
            boolean tellAll = false;
            int failures = 0;
            while (!closed) {
                try {
                    if (resourceVersion == null) {
                        list(listedOnce, tellAll);
                        listedOnce = true;
                        tellAll = false;
                    }
                    long started = System.nanoTime();
                    boolean heardAnything = watchUntilEnd();
                    failures = 0;
                    if (!heardAnything
                            && System.nanoTime() - started < QUIET_WATCH.toNanos()
                            && !pause(RETRY.delay(1))) {
                        return; // a kube-apiserver (or proxy) that ends every watch at once must not be hammered
                    }
                } catch (io.kubernetes.client.openapi.ApiException | RuntimeException e) {
                    // okhttp reports a watch closed under it as an I/O failure, or even an InterruptedException
                    if (closed) {
                        return;
                    }
                    if (e instanceof io.kubernetes.client.openapi.ApiException api && api.getCode() == 410) {
                        resourceVersion = null; // the version (or a list's continue token) is gone: list again
                        continue;
                    }
                    tellAll |= !listedOnce;
                    failures++;
                    if (failures == 1) {
                        LOG.warn("secrets watch ({}): {}; retrying", describe(), describe(e));
                    }
                    if (!pause(RETRY.delay(failures))) {
                        return;
                    }
                } catch (WatchError e) {
                    if (closed) {
                        return;
                    }
                    failures++;
                    LOG.warn("secrets watch ({}): {}; listing again", describe(), e.getMessage());
                    if (!pause(RETRY.delay(failures))) {
                        return;
                    }
                }
            }
        }

        /** What may be logged of a failure: the HTTP code or the I/O failure's type, never an answer's text. */
        private static String describe(Exception e) {
            if (e instanceof io.kubernetes.client.openapi.ApiException api) {
                return api.getCode() == 0
                        ? "the kube-apiserver cannot be reached ("
                                + (api.getCause() == null
                                        ? "no answer"
                                        : api.getCause().getClass().getSimpleName())
                                + ")"
                        : "HTTP " + api.getCode();
            }
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return cause.getClass().getSimpleName();
        }

        private void list(boolean listedBefore, boolean tellAll) throws io.kubernetes.client.openapi.ApiException {
            Map<NamespacedName, String> listed = new HashMap<>();
            String continueToken = null;
            String version;
            do {
                V1SecretList page = api.listSecretForAllNamespaces()
                        .labelSelector(selector.isEmpty() ? null : selector)
                        .limit(PAGE)
                        ._continue(continueToken)
                        .execute();
                for (V1Secret secret : page.getItems()) {
                    key(secret.getMetadata()).ifPresent(key -> listed.put(key, version(secret.getMetadata())));
                }
                version = page.getMetadata() == null ? "" : page.getMetadata().getResourceVersion();
                continueToken = page.getMetadata() == null
                        ? null
                        : MetaConversion.emptyToNull(page.getMetadata().getContinue());
            } while (continueToken != null && !closed);
            if (listedBefore || tellAll) {
                names.relisted(listed, tellAll);
            } else {
                names.baseline(listed);
            }
            resourceVersion = version == null ? "" : version;
        }

        /**
         * Watches from {@link #resourceVersion} until the watch ends, advancing it (null in it: list again); whether
         * any event came.
         */
        private boolean watchUntilEnd() throws io.kubernetes.client.openapi.ApiException, WatchError {
            Watch<V1Secret> watch = Watch.createWatch(
                    watchClient,
                    watchApi.listSecretForAllNamespaces()
                            .labelSelector(selector.isEmpty() ? null : selector)
                            .resourceVersion(MetaConversion.emptyToNull(resourceVersion))
                            .allowWatchBookmarks(true)
                            .timeoutSeconds(watchSeconds)
                            .watch(true)
                            .buildCall(null),
                    WATCH_EVENT);
            open = watch;
            boolean heardAnything = false;
            try {
                if (closed) {
                    return false;
                }
                for (Watch.Response<V1Secret> event : watch) {
                    heardAnything = true;
                    V1ObjectMeta meta = event.object == null ? null : event.object.getMetadata();
                    switch (event.type) {
                        case "ADDED", "MODIFIED" -> key(meta).ifPresent(key -> names.seen(key, version(meta)));
                        case "DELETED" -> key(meta).ifPresent(names::gone);
                        case "BOOKMARK" -> {}
                        default -> {
                            resourceVersion = null;
                            if (event.status != null && Integer.valueOf(410).equals(event.status.getCode())) {
                                LOG.info("secrets watch ({}): version is gone; listing again", describe());
                                return true;
                            }
                            throw new WatchError("the watch ended with " + event.type
                                    + (event.status == null
                                            ? ""
                                            : " " + event.status.getCode() + " " + event.status.getReason()));
                        }
                    }
                    String version = version(meta);
                    if (!version.isEmpty()) {
                        resourceVersion = version;
                    }
                }
                return heardAnything;
            } finally {
                open = null;
                try {
                    watch.close();
                } catch (IOException | RuntimeException ignored) {
                    // closing anyway
                }
            }
        }

        private static Optional<NamespacedName> key(V1ObjectMeta meta) {
            if (meta == null || meta.getName() == null || meta.getName().isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new NamespacedName(MetaConversion.nullToEmpty(meta.getNamespace()), meta.getName()));
        }

        private static String version(V1ObjectMeta meta) {
            return meta == null ? "" : MetaConversion.nullToEmpty(meta.getResourceVersion());
        }

        /** Sleeps; false when interrupted (closed). */
        private boolean pause(Duration delay) {
            try {
                Thread.sleep(delay);
                return true;
            } catch (InterruptedException e) {
                return false;
            }
        }

        @Override
        public void close() {
            closed = true;
            Watch<V1Secret> watch = open;
            if (watch != null) {
                try {
                    watch.close();
                } catch (IOException | RuntimeException ignored) {
                    // closing anyway
                }
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

    /** A watch that ended with an ERROR event other than 410: list again after a pause. */
    private static final class WatchError extends Exception {
        WatchError(String message) {
            super(message, null, false, false);
        }
    }
}
