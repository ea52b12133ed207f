package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Namespaces in standalone mode behave as in Kubernetes: {@code kubectl delete namespace} deletes what is in it and
 * returns once it is gone, an object with a finalizer holds the namespace in Terminating, nothing new can be created
 * in a terminating namespace, and the system namespaces cannot be deleted.
 */
class KubectlNamespaceTest extends E2eServer {
    private static final String SECRET = """
            apiVersion: v1
            kind: Secret
            metadata:
              name: pg-admin
            stringData:
              password: s3cret
            """;

    private static String namespaceManifest(String name) {
        return """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %s
                ---
                """.formatted(name);
    }

    @EachKubectl
    void deletingANamespaceDeletesItsContent(String version) {
        String namespace = "gone-" + version.replace(".", "");
        Kubectl kubectl = kubectl(version).namespace(namespace);
        kubectl.runWithInput(namespaceManifest(namespace) + SECRET, "apply", "-f", "-")
                .ok();
        kubectl.runWithInput(Manifests.instance("primary", "primary.example.com", 5432), "apply", "-f", "-")
                .ok();
        assertThat(kubectl.run("get", "namespace", namespace, "-o", "jsonpath={.spec.finalizers}")
                        .ok()
                        .stdout())
                .contains("kubernetes");

        assertThat(kubectl.run("delete", "namespace", namespace).ok().stdout())
                .contains("namespace \"" + namespace + "\" deleted");

        assertThat(kubectl.run("get", "namespace", namespace).exit(1).stderr()).contains("NotFound");
        assertThat(kubectl.run("get", "secrets,dbi", "-o", "name").ok().stdout())
                .isBlank();
    }

    @EachKubectl
    void anObjectWithAFinalizerHoldsItsNamespaceInTerminating(String version) {
        String namespace = "held-" + version.replace(".", "");
        Kubectl kubectl = kubectl(version).namespace(namespace);
        kubectl.runWithInput(namespaceManifest(namespace), "apply", "-f", "-").ok();
        kubectl.runWithInput(Manifests.instance("held", "held.example.com", 5432), "apply", "-f", "-")
                .ok();
        kubectl.run(
                        "patch",
                        "dbi",
                        "held",
                        "--type=merge",
                        "-p",
                        "{\"metadata\":{\"finalizers\":[\"example.com/hold\"]}}")
                .ok();

        kubectl.run("delete", "namespace", namespace, "--wait=false").ok();
        awaitDeletionTimestamp(kubectl, "dbi", "held");
        assertThat(kubectl.run("get", "namespace", namespace, "-o", "jsonpath={.status.phase}")
                        .ok()
                        .stdout())
                .isEqualTo("Terminating");
        assertThat(kubectl.runWithInput(SECRET, "apply", "-f", "-").exit(1).stderr())
                .contains("unable to create new content in namespace " + namespace + " because it is being terminated");

        kubectl.run("patch", "dbi", "held", "--type=merge", "-p", "{\"metadata\":{\"finalizers\":null}}")
                .ok();
        kubectl.run("wait", "namespace/" + namespace, "--for=delete", "--timeout=20s")
                .ok();
        assertThat(kubectl.run("get", "namespace", namespace).exit(1).stderr()).contains("NotFound");
    }

    @EachKubectl
    void theSystemNamespacesCannotBeDeleted(String version) {
        assertThat(kubectl(version)
                        .run("delete", "namespace", "default")
                        .exit(1)
                        .stderr())
                .contains("namespaces \"default\" is forbidden: this namespace may not be deleted");
    }

    /** Polls until the object is marked for deletion ({@code kubectl wait --for=jsonpath} without a value is 1.31+). */
    private static void awaitDeletionTimestamp(Kubectl kubectl, String resource, String name) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (kubectl.run("get", resource, name, "-o", "jsonpath={.metadata.deletionTimestamp}")
                .ok()
                .stdout()
                .isBlank()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(resource + "/" + name + " was not marked for deletion in 20 s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
