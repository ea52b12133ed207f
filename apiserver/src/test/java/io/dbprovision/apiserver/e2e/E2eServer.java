package io.dbprovision.apiserver.e2e;

import io.dbprovision.apiserver.server.StandaloneServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the end-to-end classes: one real server per test class, started in-process on a free port with the
 * embedded store in a temporary data directory (standalone mode: its own CA, admin credentials and kubeconfig),
 * and one {@link Kubectl} per version, each working in its own namespace so that versions never see each other's
 * objects (and {@code get -A} sees them all).
 */
abstract class E2eServer {
    @TempDir
    static Path work;

    static StandaloneServer server;
    private static final Map<String, Kubectl> KUBECTLS = new ConcurrentHashMap<>();

    @BeforeAll
    static void startServer() {
        KUBECTLS.clear();
        // The REST layer's tests: their objects point at servers that do not exist, so no reconcilers (the
        // reconcilers' end-to-end test, KubectlReconcileTest, runs a server with them).
        server = StandaloneServer.start(StandaloneServer.Options.of(work.resolve("data"), "127.0.0.1", 0, false)
                .withoutReconcilers());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** kubectl {@code version} in its namespace ({@code e2e-127} for 1.27). */
    static Kubectl kubectl(String version) {
        return KUBECTLS.computeIfAbsent(
                version, v -> Kubectl.of(v, server.kubeconfig(), work).namespace(namespaceOf(v)));
    }

    static String namespaceOf(String version) {
        return "e2e-" + version.replace(".", "");
    }

    static String baseUrl() {
        return "https://127.0.0.1:" + server.port();
    }
}
