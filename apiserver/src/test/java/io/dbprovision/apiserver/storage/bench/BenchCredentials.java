package io.dbprovision.apiserver.storage.bench;

import io.dbprovision.apiserver.server.Pki;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How the load driver's requests prove who they come from, per {@link BenchAuth}: a bearer token (the standalone
 * admin's, or a {@code --token-auth-file} user's), or the front proxy's client certificate with the user in
 * {@code X-Remote-*} headers (the kube-aggregator's way into an aggregated server). Also writes the files the server
 * process reads for it, and for RBAC creates the user's ClusterRole and ClusterRoleBinding as the admin.
 */
final class BenchCredentials {
    private final List<Map.Entry<String, String>> headers;
    private final Optional<Pki.Issued> clientCertificate;

    private BenchCredentials(List<Map.Entry<String, String>> headers, Optional<Pki.Issued> clientCertificate) {
        this.headers = List.copyOf(headers);
        this.clientCertificate = clientCertificate;
    }

    static BenchCredentials bearer(String token) {
        return new BenchCredentials(List.of(Map.entry("Authorization", "Bearer " + token)), Optional.empty());
    }

    /**
     * {@link BenchAuth#USER} in group {@link BenchAuth#GROUP} with a fresh token, written to {@code
     * bench-users.csv} in {@code dir} (the kube-apiserver's token file format; readable by this user only).
     */
    static BenchCredentials tokenFileUser(Path dir) throws IOException {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path file = dir.resolve("bench-users.csv");
        Files.writeString(
                file, token + "," + BenchAuth.USER + ",uid-" + BenchAuth.USER + ",\"" + BenchAuth.GROUP + "\"\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return bearer(token);
    }

    /**
     * The front proxy: a CA written to {@code front-proxy-ca.crt} in {@code dir} (the server's
     * {@code --requestheader-client-ca-file}), a client certificate it issued with the allowed name, and the user in
     * {@code X-Remote-User} and its groups in {@code X-Remote-Group}, as the aggregator sends them.
     */
    static BenchCredentials frontProxy(Path dir) {
        Pki.Issued ca = Pki.newCa("bench-front-proxy-ca", Duration.ofDays(1));
        ca.write(dir.resolve("front-proxy-ca.crt"), dir.resolve("front-proxy-ca.key"));
        Pki.Issued proxy = Pki.newClient(ca, DelegatedBenchServer.FRONT_PROXY_NAME, List.of(), Duration.ofDays(1));
        return new BenchCredentials(
                List.of(
                        Map.entry("X-Remote-User", BenchAuth.USER),
                        Map.entry("X-Remote-Group", BenchAuth.GROUP),
                        Map.entry("X-Remote-Group", "system:authenticated")),
                Optional.of(proxy));
    }

    /** Whether these credentials include a client certificate (which h2load cannot present). */
    boolean hasClientCertificate() {
        return clientCertificate.isPresent();
    }

    /** The headers as {@code name: value} lines, names in lower case (as HTTP/2 sends them), for h2load's -H. */
    List<String> headerLines() {
        return headers.stream()
                .map(header -> header.getKey().toLowerCase(java.util.Locale.ROOT) + ": " + header.getValue())
                .toList();
    }

    HttpRequest.Builder addTo(HttpRequest.Builder request) {
        for (Map.Entry<String, String> header : headers) {
            request.header(header.getKey(), header.getValue());
        }
        return request;
    }

    /** The headers every request carries (names as written; HTTP/2 sends them in lower case). */
    List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** TLS that trusts only the server's CA and presents the client certificate, if these credentials have one. */
    SSLContext tls(Path caCertificate) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(
                keyManagers().map(KeyManagerFactory::getKeyManagers).orElse(null),
                trustManagers(caCertificate).getTrustManagers(),
                null);
        return context;
    }

    /** Trust in the server's CA alone (for {@link #tls} and the Netty watch driver's TLS). */
    static TrustManagerFactory trustManagers(Path caCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caCertificate)) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        return trustManagers;
    }

    /** The client certificate and its key, when these credentials have one. */
    Optional<KeyManagerFactory> keyManagers() throws Exception {
        if (clientCertificate.isEmpty()) {
            return Optional.empty();
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", clientCertificate.get().key(), new char[0], new Certificate[] {
            clientCertificate.get().certificate()
        });
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, new char[0]);
        return Optional.of(factory);
    }

    /**
     * As the admin, a ClusterRole allowing what the benchmark does with DatabaseInstances (create, get, list, watch)
     * and a ClusterRoleBinding of it to {@link BenchAuth#USER}; then waits until the server's RBAC index has them
     * (it follows the objects by watch) and the user is allowed.
     */
    static void grantBenchUser(HttpBench.Http admin, HttpBench.Http user) throws InterruptedException {
        String rbac = "/apis/rbac.authorization.k8s.io/v1/";
        created(admin.postTo(rbac + "clusterroles", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole",
                 "metadata":{"name":"bench-databaseinstances"},
                 "rules":[{"apiGroups":["dbops.dbprovision.io"],"resources":["databaseinstances"],
                           "verbs":["create","get","list","watch"]}]}"""));
        created(admin.postTo(rbac + "clusterrolebindings", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding",
                 "metadata":{"name":"bench-databaseinstances"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole",
                            "name":"bench-databaseinstances"},
                 "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"%s"}]}""".formatted(BenchAuth.USER)));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int status = 0;
        while (System.nanoTime() < deadline) {
            status = user.get(user.resourcePath("default", "")).statusCode();
            if (status == 200) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the benchmark user is still refused (" + status + ") 10 s after its binding");
    }

    private static void created(HttpResponse<byte[]> response) {
        if (response.statusCode() != 201) {
            throw new IllegalStateException("granting the benchmark user failed: " + response.statusCode() + " "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
    }
}
