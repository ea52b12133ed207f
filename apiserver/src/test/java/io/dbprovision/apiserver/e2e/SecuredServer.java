package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.dbprovision.apiserver.audit.AuditOptions;
import io.dbprovision.apiserver.registry.ServedSubresource;
import io.dbprovision.apiserver.server.StandaloneServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A standalone server with users: the admin (group system:masters) and the users of a {@code --token-auth-file}
 * written here, each with a random bearer token, reached over real HTTPS (as a user, optionally impersonating
 * another) or with real kubectl through a kubeconfig of their own. Optionally with an audit log (and its policy file)
 * and computed subresources answered by test readers.
 */
final class SecuredServer implements AutoCloseable {
    /** A user of the token file: name, uid and groups (the CSV's columns). */
    record User(String name, String uid, List<String> groups) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StandaloneServer server;
    private final Path work;
    private final Map<String, String> tokens = new LinkedHashMap<>();
    private final HttpClient client;

    private SecuredServer(
            Path work,
            List<User> users,
            Optional<Path> auditLog,
            Optional<Path> auditPolicy,
            List<ServedSubresource> subresources) {
        this.work = work;
        try {
            StringBuilder csv = new StringBuilder();
            SecureRandom random = new SecureRandom();
            for (User user : users) {
                byte[] bytes = new byte[16];
                random.nextBytes(bytes);
                String token = HexFormat.of().formatHex(bytes);
                tokens.put(user.name(), token);
                csv.append(token)
                        .append(',')
                        .append(user.name())
                        .append(',')
                        .append(user.uid())
                        .append(",\"")
                        .append(String.join(",", user.groups()))
                        .append("\"\n");
            }
            Path tokenFile = Files.writeString(work.resolve("tokens.csv"), csv);
            StandaloneServer.Options options = StandaloneServer.Options.of(work.resolve("data"), "127.0.0.1", 0, false)
                    .withTokenFile(tokenFile);
            if (auditLog.isPresent()) {
                options = options.withAudit(new AuditOptions(
                        auditPolicy.map(Path::toString).orElse(""),
                        auditLog.get().toString(),
                        0,
                        0,
                        0,
                        "json"));
            }
            for (ServedSubresource subresource : subresources) {
                options = options.withSubresource(subresource);
            }
            this.server = StandaloneServer.start(options);
            this.client = HttpClient.newBuilder()
                    .sslContext(trusting(server.caCertificate()))
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        tokens.put("admin", server.adminToken());
    }

    static SecuredServer start(Path work, List<User> users) {
        return new SecuredServer(work, users, Optional.empty(), Optional.empty(), List.of());
    }

    static SecuredServer startAudited(Path work, List<User> users, Path auditLog) {
        return new SecuredServer(work, users, Optional.of(auditLog), Optional.empty(), List.of());
    }

    /** With computed subresources answered by {@code subresources}' readers. */
    static SecuredServer startServing(Path work, List<User> users, List<ServedSubresource> subresources) {
        return new SecuredServer(work, users, Optional.empty(), Optional.empty(), subresources);
    }

    /**
     * With computed subresources answered by {@code subresources}' readers, and an audit log written with the policy
     * file {@code auditPolicy}.
     */
    static SecuredServer startServing(
            Path work, List<User> users, List<ServedSubresource> subresources, Path auditLog, Path auditPolicy) {
        return new SecuredServer(work, users, Optional.of(auditLog), Optional.of(auditPolicy), subresources);
    }

    StandaloneServer server() {
        return server;
    }

    /** The bearer token of a user of the token file, or of "admin". */
    String token(String user) {
        String token = tokens.get(user);
        assertThat(token).as("token of %s", user).isNotNull();
        return token;
    }

    // ---- HTTPS

    /** An answer: the code, the body as JSON (missing when it is not JSON) and the headers. */
    record Response(int code, String body, HttpHeaders headers) {
        JsonNode json() {
            try {
                return body.isEmpty() ? MissingNode.getInstance() : JSON.readTree(body);
            } catch (IOException e) {
                return MissingNode.getInstance();
            }
        }

        /** The message of a {@code Status}, or "". */
        String message() {
            return json().path("message").asText("");
        }

        @Override
        public String toString() {
            return code + " " + (body.length() > 400 ? body.substring(0, 400) + "…" : body);
        }
    }

    /** One request as {@code user} (a name of the token file, or "admin"). */
    Request as(String user) {
        return new Request(token(user), Map.of());
    }

    /** One request with a bearer token nobody knows. */
    Request withUnknownToken() {
        return new Request("not-a-token-of-this-server", Map.of());
    }

    /** A request in the making: who sends it and the extra headers (impersonation). */
    final class Request {
        private final String token;
        private final Map<String, String> headers;

        private Request(String token, Map<String, String> headers) {
            this.token = token;
            this.headers = headers;
        }

        /** The same caller, asking to act as {@code user} ({@code Impersonate-User}). */
        Request impersonating(String user) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put("Impersonate-User", user);
            return new Request(token, more);
        }

        Request header(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Request(token, more);
        }

        Response get(String path) {
            return send("GET", path, null, null);
        }

        Response delete(String path) {
            return send("DELETE", path, null, null);
        }

        Response head(String path) {
            return send("HEAD", path, null, null);
        }

        Response post(String path, String yaml) {
            return send("POST", path, yaml, "application/yaml");
        }

        Response put(String path, String yaml) {
            return send("PUT", path, yaml, "application/yaml");
        }

        Response mergePatch(String path, String json) {
            return send("PATCH", path, json, "application/merge-patch+json");
        }

        Response send(String method, String path, String body, String contentType) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + token)
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body));
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            if (headers.keySet().stream().noneMatch(name -> name.equalsIgnoreCase("Accept"))) {
                request.header("Accept", "application/json");
            }
            headers.forEach(request::header);
            try {
                if (path.contains("watch=true")) {
                    // a watch answers its headers and then streams: its code is all that matters here
                    HttpResponse<InputStream> response =
                            client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                    String text = "";
                    try (InputStream in = response.body()) {
                        if (response.statusCode() != 200) {
                            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        }
                    }
                    return new Response(response.statusCode(), text, response.headers());
                }
                HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                return new Response(response.statusCode(), response.body(), response.headers());
            } catch (IOException e) {
                throw new UncheckedIOException(method + " " + path, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    String baseUrl() {
        return "https://127.0.0.1:" + server.port();
    }

    /** Creates objects as the admin, from a YAML document (one object) at its collection path; asserts 201. */
    void create(String collectionPath, String yaml) {
        Response created = as("admin").post(collectionPath, yaml);
        assertThat(created.code())
                .as("create at %s: %s", collectionPath, created)
                .isEqualTo(201);
    }

    // ---- kubectl

    /** A kubeconfig whose only user is {@code user} with their bearer token ({@code users: - name: …, token}). */
    Path kubeconfigFor(String user, String namespace) {
        try {
            String ca = Base64.getEncoder().encodeToString(Files.readAllBytes(server.caCertificate()));
            String config = """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: dbprovision
                      cluster:
                        server: %s
                        certificate-authority-data: %s
                    users:
                    - name: %s
                      user:
                        token: %s
                    contexts:
                    - name: %s
                      context:
                        cluster: dbprovision
                        user: %s
                        namespace: %s
                    current-context: %s
                    """.formatted(baseUrl(), ca, user, token(user), user, user, namespace, user);
            Path file = work.resolve("kubeconfig-" + user.replace(':', '_'));
            Files.writeString(file, config);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SSLContext trusting(Path caCertificate) {
        try (InputStream in = Files.newInputStream(caCertificate)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, factory.getTrustManagers(), null);
            return tls;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
