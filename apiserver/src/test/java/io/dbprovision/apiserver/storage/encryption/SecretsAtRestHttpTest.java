package io.dbprovision.apiserver.storage.encryption;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.server.StandaloneServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest through the whole server, as an operator turns it on: {@code dbprovision standalone
 * --encryption-provider-config}. A Secret created over the REST API reads back in the clear, and its value is nowhere
 * in the store's files on disk; without the configuration, the same search finds it (so the search works).
 */
class SecretsAtRestHttpTest {
    @TempDir
    Path work;

    @Test
    void aSecretCreatedThroughTheApiIsNotInTheStoreFiles() throws Exception {
        String value = "pw-" + UUID.randomUUID();
        Path config = work.resolve("encryption.yaml");
        Files.writeString(config, new EncryptionKeys().aesgcmThenIdentity("key1"));
        Files.setPosixFilePermissions(config, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        Path data = work.resolve("encrypted");
        createSecretAndStop(
                StandaloneServer.Options.of(data, "127.0.0.1", 0, false).withEncryptionConfig(config), value);
        assertThat(contains(storeBytes(data), value))
                .as("the Secret's value in the store files")
                .isFalse();
        assertThat(contains(storeBytes(data), "k8s:enc:aesgcm:v1:key1:")).isTrue();
    }

    @Test
    void withoutTheConfigurationTheSameSearchFindsTheValue() throws Exception {
        String value = "pw-" + UUID.randomUUID();
        Path data = work.resolve("plain");
        createSecretAndStop(StandaloneServer.Options.of(data, "127.0.0.1", 0, false), value);
        assertThat(contains(storeBytes(data), value)).isTrue();
    }

    private static void createSecretAndStop(StandaloneServer.Options options, String value) throws Exception {
        try (StandaloneServer server = StandaloneServer.start(options)) {
            HttpClient client = client(server.caCertificate());
            String base = "https://127.0.0.1:" + server.port() + "/api/v1/namespaces/default/secrets";
            String body = """
                    {"apiVersion":"v1","kind":"Secret","metadata":{"name":"app-credentials"},
                     "stringData":{"password":"%s"}}""".formatted(value);
            HttpResponse<String> created = client.send(
                    HttpRequest.newBuilder(URI.create(base))
                            .header("Authorization", "Bearer " + server.adminToken())
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            HttpResponse<String> read = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/app-credentials"))
                            .header("Authorization", "Bearer " + server.adminToken())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(read.statusCode()).isEqualTo(200);
            String encoded = java.util.Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
            assertThat(read.body()).contains(encoded);
        }
    }

    private static byte[] storeBytes(Path data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Stream<Path> files = Files.walk(data.resolve("store"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                out.write(Files.readAllBytes(file));
            }
        }
        return out.toByteArray();
    }

    private static boolean contains(byte[] haystack, String needle) {
        return EncryptionAtRestContract.contains(haystack, needle)
                || EncryptionAtRestContract.contains(
                        haystack,
                        java.util.Base64.getEncoder().encodeToString(needle.getBytes(StandardCharsets.UTF_8)));
    }

    private static HttpClient client(Path caFile) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(tls).build();
    }
}
