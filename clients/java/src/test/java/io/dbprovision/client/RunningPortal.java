package io.dbprovision.client;

import io.dbprovision.apiserver.server.StandaloneServer;
import io.dbprovision.client.config.ConnectionConfig;
import io.dbprovision.client.config.KubeconfigReader;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseSpec;
import io.dbprovision.proto.v1alpha1.InstanceReference;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The real API server for the SDK's tests: a {@link StandaloneServer} started in-process with the portal gRPC API on
 * a fixed free port (so a restart comes back on the same one), the embedded store in the test's directory, and the
 * portal kubeconfig it writes. Two more users come from a token file: {@link #NOBODY_TOKEN} (authenticated, no RBAC
 * bindings: every call is PERMISSION_DENIED). Secrets, which the portal API does not serve, are created over REST
 * with the admin token.
 */
public final class RunningPortal implements AutoCloseable {
    public static final String NOBODY_TOKEN = "jsdk-nobody-token-" + UUID.randomUUID();
    /** User {@code jsdk-dev}: whatever RBAC objects the test creates for it allow. */
    public static final String DEV_TOKEN = "jsdk-dev-token-" + UUID.randomUUID();

    private final Path dataDir;
    private final int portalPort;
    private final boolean reconcilers;
    private StandaloneServer server;

    private RunningPortal(Path work, boolean reconcilers) {
        this.dataDir = work.resolve("data");
        this.portalPort = freePort();
        this.reconcilers = reconcilers;
        try {
            Files.createDirectories(work);
            Files.writeString(
                    work.resolve("tokens.csv"),
                    NOBODY_TOKEN + ",jsdk-nobody,jsdk-nobody-uid\n" + DEV_TOKEN + ",jsdk-dev,jsdk-dev-uid\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    /** A server that serves the API only (objects point at no real database server). */
    public static RunningPortal apiOnly(Path work) {
        return new RunningPortal(work, false);
    }

    /** A server with the reconcilers and the provisioner: objects become real databases. */
    public static RunningPortal withReconcilers(Path work) {
        return new RunningPortal(work, true);
    }

    private void start() {
        StandaloneServer.Options options = StandaloneServer.Options.of(dataDir, "127.0.0.1", 0, false)
                .withTokenFile(dataDir.getParent().resolve("tokens.csv"))
                .withPortal("127.0.0.1", portalPort);
        server = StandaloneServer.start(reconcilers ? options : options.withoutReconcilers());
    }

    /** Stops the server; {@link #restart()} starts it again on the same ports with the same data. */
    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public void restart() {
        stop();
        start();
    }

    public Path kubeconfig() {
        return server.portalKubeconfig().orElseThrow();
    }

    public int port() {
        return portalPort;
    }

    public String adminToken() {
        return server.adminToken();
    }

    public Path caFile() {
        return server.caCertificate();
    }

    public String caPem() {
        try {
            return Files.readString(server.caCertificate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The admin's client, from the portal kubeconfig. */
    public DbProvisionClient client() {
        return DbProvisionClient.fromConfig(kubeconfig());
    }

    /** The portal kubeconfig's endpoint and CA, without credentials. */
    public ConnectionConfig anonymous() {
        return KubeconfigReader.read(kubeconfig(), Optional.empty())
                .withoutToken()
                .withoutClientCertificate();
    }

    /** Creates a Secret over REST (the portal API serves only dbops kinds). */
    public void createSecret(String namespace, String name, String username, String password) {
        String body = """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"%s","namespace":"%s"},
                 "stringData":{"username":"%s","password":"%s"}}
                """.formatted(name, namespace, username, password);
        rest("POST", "/api/v1/namespaces/" + namespace + "/secrets", body);
    }

    /** Creates a namespace over REST. */
    public void createNamespace(String name) {
        rest(
                "POST",
                "/api/v1/namespaces",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}");
    }

    /**
     * Lets user {@code jsdk-dev} do {@code verbs} on {@code resources} of dbops.dbprovision.io in {@code namespace}
     * (a Role and a RoleBinding, over REST).
     */
    public void allowDev(
            String namespace, String role, java.util.List<String> resources, java.util.List<String> verbs) {
        String quotedResources =
                String.join(",", resources.stream().map(r -> "\"" + r + "\"").toList());
        String quotedVerbs =
                String.join(",", verbs.stream().map(v -> "\"" + v + "\"").toList());
        rest("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/" + namespace + "/roles", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"%s"},
                 "rules":[{"apiGroups":["dbops.dbprovision.io"],"resources":[%s],"verbs":[%s]}]}
                """.formatted(
                        role, quotedResources, quotedVerbs));
        rest("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/" + namespace + "/rolebindings", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"%s"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"%s"},
                 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"jsdk-dev"}]}
                """.formatted(
                        role, role));
    }

    private void rest(String method, String path, String body) {
        try {
            HttpClient http = HttpClient.newBuilder().sslContext(trustingCa()).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path))
                    .header("Authorization", "Bearer " + adminToken())
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body))
                    .build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(
                        method + " " + path + ": " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private SSLContext trustingCa() {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry(
                    "ca",
                    CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(caPem().getBytes(StandardCharsets.UTF_8))));
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Database named {@code name} in {@code namespace} on an instance that need not exist. */
    public static Database database(String namespace, String name) {
        return Database.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName(name).setNamespace(namespace))
                .setSpec(DatabaseSpec.newBuilder()
                        .setInstanceRef(InstanceReference.newBuilder().setName("jsdk-nowhere"))
                        .setDeletionProtection(false))
                .build();
    }

    /** A unique name with the prefix of this helper's tests. */
    public static String unique(String what) {
        return "jsdk-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
