package io.dbprovision.apiserver.storage.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer.SarAnswer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The kube-apiserver the delegated server asks in the benchmark's SAR mode: the tests' {@link FakeKubeApiServer}
 * (HTTPS, real {@code authorization.k8s.io/v1} JSON) playing the cluster's RBAC for the benchmark: {@link
 * BenchAuth#USER} may create, get, list and watch DatabaseInstances and read discovery paths; nothing else is allowed.
 * It runs in the load driver's process (as the cluster would run outside the server's); reviews are counted, so the
 * report can show how many requests the server's cache answered.
 */
final class BenchKubeApiServer implements AutoCloseable {
    private static final Set<String> VERBS = Set.of("create", "get", "list", "watch");

    private final String callerToken;
    private final FakeKubeApiServer server;

    private BenchKubeApiServer() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        this.callerToken = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        this.server = FakeKubeApiServer.start(callerToken);
        server.answerSubjectAccessReviews(spec -> allowed(spec)
                ? SarAnswer.allow("RBAC: allowed by ClusterRoleBinding \"bench\" of ClusterRole \"bench\" to User \""
                        + BenchAuth.USER + "\"")
                : SarAnswer.noOpinion("no RBAC rule matched"));
    }

    static BenchKubeApiServer start() {
        return new BenchKubeApiServer();
    }

    /** SubjectAccessReviews answered so far. */
    int reviews() {
        return server.subjectAccessReviews.get();
    }

    /** A kubeconfig (readable by this user only) that reaches this server with its service-account token. */
    Path writeKubeconfig(Path dir) throws IOException {
        Path written = server.writeKubeconfig(dir.resolve("cluster-kubeconfig.d"), callerToken);
        Path file = Files.move(written, dir.resolve("cluster.kubeconfig"), StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    @Override
    public void close() {
        server.close();
    }

    /** The benchmark user's rights: DatabaseInstances (create, get, list, watch) and discovery. */
    private static boolean allowed(JsonNode spec) {
        if (!BenchAuth.USER.equals(spec.path("user").asText())) {
            return false;
        }
        JsonNode resource = spec.path("resourceAttributes");
        if (!resource.isMissingNode()) {
            return resource.path("group").asText().equals("dbops.dbprovision.io")
                    && resource.path("resource").asText().equals("databaseinstances")
                    && resource.path("subresource").asText().isEmpty()
                    && VERBS.contains(resource.path("verb").asText());
        }
        JsonNode path = spec.path("nonResourceAttributes");
        return path.path("verb").asText().equals("get")
                && (path.path("path").asText().startsWith("/api")
                        || path.path("path").asText().equals("/version"));
    }
}
