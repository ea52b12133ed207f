package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Standalone mode serves core v1 Namespace, Secret and Event: a plain manifest that carries its namespace and
 * credentials Secret applies as written, and {@code kubectl describe} shows the Events about our objects.
 */
class KubectlStandaloneCoreTest extends E2eServer {

    @EachKubectl
    void manifestWithNamespaceSecretAndInstanceAppliesAsWritten(String version) {
        String namespace = "core-" + version.replace(".", "");
        Kubectl kubectl = kubectl(version).namespace(namespace);
        String manifest = """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %1$s
                ---
                apiVersion: v1
                kind: Secret
                metadata:
                  name: pg-admin
                  namespace: %1$s
                type: Opaque
                stringData:
                  username: postgres
                  password: s3cret
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata:
                  name: primary
                  namespace: %1$s
                spec:
                  engine: postgres
                  connection:
                    host: 127.0.0.1
                    secretRef:
                      name: pg-admin
                """.formatted(namespace);

        assertThat(kubectl.runWithInput(manifest, "apply", "-f", "-").ok().lines())
                .containsExactly(
                        "namespace/" + namespace + " created",
                        "secret/pg-admin created",
                        "databaseinstance.dbops.dbprovision.io/primary created");
        assertThat(kubectl.runWithInput(manifest, "apply", "-f", "-").ok().lines())
                .containsExactly(
                        "namespace/" + namespace + " unchanged",
                        // stringData is write-only, so its patch is sent again: Kubernetes says configured too
                        "secret/pg-admin configured",
                        "databaseinstance.dbops.dbprovision.io/primary unchanged");
        assertThat(secretValue(kubectl, "pg-admin", "password")).isEqualTo("s3cret");
        assertThat(phaseOf(kubectl, namespace)).isEqualTo("Active");
    }

    /** kubectl 1.33 sends these as protobuf (Kubernetes' wire form of core kinds), older ones as JSON. */
    @EachKubectl
    void imperativeCreateOfANamespaceAndASecret(String version) {
        String namespace = "made-" + version.replace(".", "");
        Kubectl kubectl = kubectl(version).namespace(namespace);
        assertThat(kubectl.run("create", "namespace", namespace).ok().stdout())
                .contains("namespace/" + namespace + " created");
        assertThat(kubectl.run(
                                "create",
                                "secret",
                                "generic",
                                "pg-admin",
                                "--from-literal=username=postgres",
                                "--from-literal=password=s3cret",
                                "--type=Opaque")
                        .ok()
                        .stdout())
                .contains("secret/pg-admin created");
        assertThat(secretValue(kubectl, "pg-admin", "password")).isEqualTo("s3cret");
        assertThat(phaseOf(kubectl, namespace)).isEqualTo("Active");
    }

    /** Server-side apply of a core kind, into a namespace it provisions; the namespace reads back with its type. */
    @EachKubectl
    void serverSideApplyOfASecret(String version) {
        String namespace = "ssa-" + version.replace(".", "");
        Kubectl kubectl = kubectl(version).namespace(namespace);
        String secret = """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: applied
                stringData:
                  password: s3cret
                """;
        assertThat(kubectl.runWithInput(secret, "apply", "--server-side", "-f", "-")
                        .ok()
                        .stdout())
                .contains("secret/applied serverside-applied");
        assertThat(secretValue(kubectl, "applied", "password")).isEqualTo("s3cret");
        assertThat(kubectl.run("get", "namespace", namespace, "-o", "jsonpath={.apiVersion} {.kind}")
                        .ok()
                        .stdout())
                .isEqualTo("v1 Namespace");
    }

    @EachKubectl
    void describeShowsTheEventsAboutAnObject(String version) {
        Kubectl kubectl = kubectl(version);
        kubectl.runWithInput(Manifests.instance("evented", "evented.example.com", 5432), "apply", "-f", "-")
                .ok();
        String uid = kubectl.run("get", "dbi", "evented", "-o", "jsonpath={.metadata.uid}")
                .ok()
                .stdout();
        String event = """
                apiVersion: v1
                kind: Event
                metadata:
                  name: evented.connected
                involvedObject:
                  apiVersion: dbops.dbprovision.io/v1alpha1
                  kind: DatabaseInstance
                  name: evented
                  namespace: %s
                  uid: %s
                reason: Connected
                message: Successfully connected to postgres 15.19
                type: Normal
                count: 1
                firstTimestamp: "2026-11-26T16:30:00Z"
                lastTimestamp: "2026-11-26T16:30:00Z"
                source:
                  component: dbprovision-reconciler
                """.formatted(namespaceOf(version), uid);
        kubectl.runWithInput(event, "create", "-f", "-").ok();

        assertThat(kubectl.run("describe", "dbi", "evented").ok().stdout())
                .containsPattern("Normal\\s+Connected\\s+\\S+\\s+dbprovision-reconciler\\s+Successfully connected to"
                        + " postgres 15.19");
    }

    /** A value of a Secret in the kubectl's namespace, decoded from its base64 form. */
    private static String secretValue(Kubectl kubectl, String secret, String key) {
        String encoded = kubectl.run("get", "secret", secret, "-o", "jsonpath={.data." + key + "}")
                .ok()
                .stdout();
        return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }

    private static String phaseOf(Kubectl kubectl, String namespace) {
        return kubectl.run("get", "namespace", namespace, "-o", "jsonpath={.status.phase}")
                .ok()
                .stdout();
    }
}
