package io.dbprovision.apiserver.auth.delegated;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.credentials.TokenFileAuthentication;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How this server reaches the kube-apiserver it delegates to: through a kubeconfig file when one is given
 * ({@code --authentication-kubeconfig}, {@code --authorization-kubeconfig}), else with the pod's service account
 * (its token file, re-read as the kubelet rotates it, its {@code ca.crt}, and {@code KUBERNETES_SERVICE_HOST} /
 * {@code _PORT}), as client-go's in-cluster configuration does. Builds client-java {@link ApiClient}s: short
 * requests time out (a slow kube-apiserver must not hold our requests), watches do not.
 */
public final class ClusterConnection {
    private final String description;
    private final ClientFactory factory;
    private final Duration requestTimeout;

    /** Where the in-cluster configuration lives; tests point these at a fake kube-apiserver. */
    public record InCluster(
            Path tokenFile, Path caFile, Optional<String> host, Optional<String> port, Duration tokenRereadPeriod) {
        public static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

        /** The pod's service account files and the {@code KUBERNETES_SERVICE_*} variables of this process. */
        public static InCluster fromEnvironment() {
            return fromEnvironment(System.getenv());
        }

        public static InCluster fromEnvironment(Map<String, String> environment) {
            return new InCluster(
                    SERVICE_ACCOUNT.resolve("token"),
                    SERVICE_ACCOUNT.resolve("ca.crt"),
                    Optional.ofNullable(environment.get("KUBERNETES_SERVICE_HOST"))
                            .filter(h -> !h.isBlank()),
                    Optional.ofNullable(environment.get("KUBERNETES_SERVICE_PORT"))
                            .filter(p -> !p.isBlank()),
                    // client-go re-reads the projected token at most every minute; the kubelet rotates it well before
                    // it expires
                    Duration.ofMinutes(1));
        }

        boolean available() {
            return host.isPresent() && port.isPresent() && Files.isReadable(tokenFile);
        }

        String baseUrl() {
            String h = host.orElseThrow();
            // an IPv6 service address must be bracketed in a URL
            return "https://" + (h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h) + ":" + port.orElseThrow();
        }
    }

    @FunctionalInterface
    private interface ClientFactory {
        ClientBuilder builder() throws IOException;
    }

    private ClusterConnection(String description, ClientFactory factory, Duration requestTimeout) {
        this.description = description;
        this.factory = factory;
        this.requestTimeout = requestTimeout;
    }

    /**
     * The kubeconfig when given, else the in-cluster configuration; a clear error when neither can be used (k8s.io
     * apiserver refuses to start then too, unless delegation is optional).
     */
    public static ClusterConnection resolve(Optional<Path> kubeconfig, InCluster inCluster, Duration requestTimeout) {
        if (kubeconfig.isPresent()) {
            return fromKubeconfig(kubeconfig.get(), requestTimeout);
        }
        if (!inCluster.available()) {
            throw new IllegalStateException("no kubeconfig was given and this process does not run in a cluster"
                    + " (KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT unset or " + inCluster.tokenFile()
                    + " unreadable): give --authentication-kubeconfig and --authorization-kubeconfig");
        }
        return inCluster(inCluster, requestTimeout);
    }

    public static ClusterConnection fromKubeconfig(Path kubeconfig, Duration requestTimeout) {
        if (!Files.isReadable(kubeconfig)) {
            throw new IllegalStateException("cannot read the kubeconfig " + kubeconfig);
        }
        ClusterConnection connection = new ClusterConnection(
                "kubeconfig " + kubeconfig,
                () -> {
                    try (Reader reader = Files.newBufferedReader(kubeconfig)) {
                        KubeConfig config = KubeConfig.loadKubeConfig(reader);
                        // relative certificate and token paths in a kubeconfig are relative to its own folder
                        config.setFile(kubeconfig.toAbsolutePath().toFile());
                        return ClientBuilder.kubeconfig(config);
                    }
                },
                requestTimeout);
        connection.check();
        return connection;
    }

    public static ClusterConnection inCluster(InCluster inCluster, Duration requestTimeout) {
        ClusterConnection connection = new ClusterConnection(
                "in-cluster service account at " + inCluster.baseUrl(),
                () -> new ClientBuilder()
                        .setBasePath(inCluster.baseUrl())
                        .setCertificateAuthority(Files.readAllBytes(inCluster.caFile()))
                        .setAuthentication(new TokenFileAuthentication(
                                inCluster.tokenFile().toString(), inCluster.tokenRereadPeriod())),
                requestTimeout);
        connection.check();
        return connection;
    }

    /** A client for TokenReview, SubjectAccessReview and reads: every call bounded by the request timeout. */
    public ApiClient client() {
        ApiClient client = build();
        int millis = (int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis());
        client.setConnectTimeout(millis);
        client.setReadTimeout(millis);
        client.setWriteTimeout(millis);
        return client;
    }

    /** A client for watches: no read timeout, since a watch is quiet until something changes. */
    public ApiClient watchClient() {
        ApiClient client = build();
        client.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, requestTimeout.toMillis()));
        client.setReadTimeout(0);
        return client;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    @Override
    public String toString() {
        return description;
    }

    private void check() {
        build();
    }

    private ApiClient build() {
        try {
            return factory.builder().build();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "cannot set up the connection to the kube-apiserver from the " + description + ": "
                            + e.getMessage(),
                    e);
        }
    }
}
