package io.dbprovision.apiserver.auth.delegated;

import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ConfigMapList;
import io.kubernetes.client.util.Watch;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the {@code kube-system/extension-apiserver-authentication} ConfigMap with client-java, list then watch
 * (an informer for one object), so that a rotated front-proxy or client CA, or new allowed names, take effect
 * without a restart. Readers get the latest {@link ClusterAuthenticationConfig} snapshot, swapped whole.
 *
 * <p>A watch that ends is resumed from the last resource version; one that fails, or is told its version is gone,
 * starts again with a fresh list after a pause that grows to 30 s. A version of the ConfigMap that cannot be read
 * is logged and skipped: the previous configuration stays, as k8s.io/apiserver's controller keeps its last good
 * value. A deleted ConfigMap trusts nobody any more.
 */
public final class ClusterAuthenticationWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterAuthenticationWatcher.class);
    private static final String OBJECT = ClusterAuthenticationConfig.NAMESPACE + "/" + ClusterAuthenticationConfig.NAME;
    private static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    private final CoreV1Api api;
    private final CoreV1Api watchApi;
    private final ApiClient watchClient;
    private final int watchSeconds;
    private final AtomicReference<ClusterAuthenticationConfig> current =
            new AtomicReference<>(ClusterAuthenticationConfig.none());
    private final AtomicReference<Watch<V1ConfigMap>> openWatch = new AtomicReference<>();
    private volatile boolean closed;
    private volatile String appliedVersion = "";
    private volatile String seenVersion = "";
    private Thread follower;

    private ClusterAuthenticationWatcher(ClusterConnection connection, Duration watchLength) {
        this.api = new CoreV1Api(connection.client());
        this.watchClient = connection.watchClient();
        this.watchApi = new CoreV1Api(watchClient);
        this.watchSeconds = (int) Math.max(1, watchLength.toSeconds());
    }

    /**
     * Reads the ConfigMap once (so the server starts with it) and then follows it. When that first read fails the
     * server does not start, unless {@code tolerateLookupFailure} ({@code --authentication-tolerate-lookup-failure}),
     * in which case it starts trusting no front proxy and no client CA until the ConfigMap can be read.
     *
     * @param watchLength how long one watch runs before it is re-opened (k8s.io/apiserver: 5 to 10 minutes)
     */
    public static ClusterAuthenticationWatcher start(
            ClusterConnection connection, Duration watchLength, boolean tolerateLookupFailure) {
        ClusterAuthenticationWatcher watcher = new ClusterAuthenticationWatcher(connection, watchLength);
        String version = null;
        try {
            version = watcher.list();
        } catch (ApiException | RuntimeException e) {
            String why = e instanceof ApiException api ? KubeApiRetry.describe(api) : e.getMessage();
            if (!tolerateLookupFailure) {
                throw new IllegalStateException(
                        "cannot read the ConfigMap " + OBJECT + " from the " + connection
                                + " (" + why + "); the server needs the get, list and watch rights of the Role"
                                + " extension-apiserver-authentication-reader in kube-system",
                        e);
            }
            LOG.warn(
                    "cannot read the ConfigMap {} ({}): starting without a front proxy or client CA from the cluster,"
                            + " retrying in the background",
                    OBJECT,
                    why);
        }
        String startVersion = version;
        watcher.follower = Thread.ofPlatform()
                .daemon()
                .name("watch-" + ClusterAuthenticationConfig.NAME)
                .start(() -> watcher.follow(startVersion));
        return watcher;
    }

    /** The latest configuration read; never null. */
    public ClusterAuthenticationConfig current() {
        return current.get();
    }

    /** The resource version of the ConfigMap the current configuration was read from ("" before any). */
    public String appliedVersion() {
        return appliedVersion;
    }

    /** The resource version of the last version of the ConfigMap seen, used or not ("" before any). */
    public String seenVersion() {
        return seenVersion;
    }

    @Override
    public void close() {
        closed = true;
        Watch<V1ConfigMap> watch = openWatch.get();
        if (watch != null) {
            try {
                watch.close();
            } catch (IOException | RuntimeException ignored) {
                // closing anyway
            }
        }
        if (follower != null) {
            follower.interrupt();
        }
    }

    private void follow(String startVersion) {
        String version = startVersion;
        Duration pause = Duration.ofSeconds(1);
        while (!closed) {
            try {
                if (version == null) {
                    version = list();
                }
                version = watch(version);
                pause = Duration.ofSeconds(1);
            } catch (Exception e) {
                // okhttp may also throw InterruptedException undeclared when the watch is closed
                if (closed) {
                    return;
                }
                String why = e instanceof ApiException api ? KubeApiRetry.describe(api) : e.toString();
                LOG.warn(
                        "following the ConfigMap {} failed ({}); listing it again in {}s",
                        OBJECT,
                        why,
                        pause.toSeconds());
                version = null;
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    return;
                }
                pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
            }
        }
    }

    /** Lists the one ConfigMap and applies it; returns the list's resource version to watch from. */
    private String list() throws ApiException {
        V1ConfigMapList list = api.listNamespacedConfigMap(ClusterAuthenticationConfig.NAMESPACE)
                .fieldSelector("metadata.name=" + ClusterAuthenticationConfig.NAME)
                .execute();
        Optional<V1ConfigMap> found = list.getItems().stream()
                .filter(item -> item.getMetadata() != null
                        && ClusterAuthenticationConfig.NAME.equals(
                                item.getMetadata().getName()))
                .findFirst();
        if (found.isPresent()) {
            apply(found.get());
        } else {
            removed("");
        }
        return list.getMetadata() == null ? "" : list.getMetadata().getResourceVersion();
    }

    /** Watches from {@code version} until the watch ends; returns where to resume, or null to list again. */
    private String watch(String version) throws ApiException, IOException {
        Watch<V1ConfigMap> watch = Watch.createWatch(
                watchClient,
                watchApi.listNamespacedConfigMap(ClusterAuthenticationConfig.NAMESPACE)
                        .fieldSelector("metadata.name=" + ClusterAuthenticationConfig.NAME)
                        .resourceVersion(version)
                        .allowWatchBookmarks(true)
                        .timeoutSeconds(watchSeconds)
                        .watch(true)
                        .buildCall(null),
                new TypeToken<Watch.Response<V1ConfigMap>>() {}.getType());
        openWatch.set(watch);
        try (watch) {
            if (closed) {
                return null;
            }
            String resume = version;
            for (Watch.Response<V1ConfigMap> event : watch) {
                String eventVersion = event.object != null && event.object.getMetadata() != null
                        ? event.object.getMetadata().getResourceVersion()
                        : null;
                switch (event.type) {
                    case "ADDED", "MODIFIED" -> apply(event.object);
                    case "DELETED" -> removed(eventVersion);
                    case "BOOKMARK" -> {
                        // only moves the resume point
                    }
                    default -> {
                        // ERROR: typically 410 Gone, the version is too old; list again
                        LOG.debug(
                                "watch of {} ended with {}",
                                OBJECT,
                                event.status == null
                                        ? event.type
                                        : event.status.getCode() + " " + event.status.getReason());
                        return null;
                    }
                }
                if (eventVersion != null && !eventVersion.isEmpty()) {
                    resume = eventVersion;
                }
            }
            return resume;
        } finally {
            openWatch.set(null);
        }
    }

    private void apply(V1ConfigMap configMap) {
        String version =
                configMap.getMetadata() == null ? "" : configMap.getMetadata().getResourceVersion();
        try {
            applyOrKeep(configMap, version);
        } finally {
            seenVersion = version == null ? "" : version;
        }
    }

    private void applyOrKeep(V1ConfigMap configMap, String version) {
        try {
            ClusterAuthenticationConfig config = ClusterAuthenticationConfig.fromConfigMapData(configMap.getData());
            current.set(config);
            appliedVersion = version == null ? "" : version;
            LOG.info(
                    "authentication configuration from ConfigMap {} (resourceVersion {}): client CA {}, front proxy {}",
                    OBJECT,
                    version,
                    config.clientCa()
                            .map(ca -> ca.certificates().size() + " certificate(s)")
                            .orElse("none"),
                    config.requestHeader()
                            .map(rh -> "CA of " + rh.ca().certificates().size() + " certificate(s), allowed names "
                                    + (rh.allowedNames().isEmpty() ? "any" : rh.allowedNames()))
                            .orElse("none"));
        } catch (IllegalArgumentException e) {
            LOG.warn(
                    "ConfigMap {} (resourceVersion {}) cannot be used ({}); keeping the previous configuration",
                    OBJECT,
                    version,
                    e.getMessage());
        }
    }

    private void removed(String version) {
        if (current.getAndSet(ClusterAuthenticationConfig.none()).clientCa().isPresent() || !appliedVersion.isEmpty()) {
            LOG.warn(
                    "ConfigMap {} is gone: no front proxy and no client certificate is trusted until it is back",
                    OBJECT);
        }
        appliedVersion = version == null ? "" : version;
        seenVersion = appliedVersion;
    }
}
