package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * kubectl's documented migration from client-side to server-side apply: {@code kubectl apply -f x.yaml}, then
 * {@code kubectl apply --server-side -f x.yaml} of the same manifest succeeds without conflicts (the server lets
 * kubectl's applies take over the fields the last-applied annotation still describes, and kubectl then moves the
 * {@code kubectl-client-side-apply} manager's fields to its own apply entry). Afterwards kubectl owns the fields, so
 * removing one from the manifest removes it from the object. The manifest holds kinds whose list items get
 * defaults the manifest does not write: a Database's extensions (schema: public) and a DatabaseGrant's grants
 * (withGrantOption: false).
 */
class KubectlApplyMigrationTest extends E2eServer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String manifest(String namespace, boolean withUuidExtension) {
        return """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %1$s
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata:
                  name: primary
                  namespace: %1$s
                  labels:
                    tier: gold
                spec:
                  engine: postgres
                  deletionProtection: false
                  connection:
                    host: primary.example.com
                    secretRef:
                      name: primary-admin
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata:
                  name: orders
                  namespace: %1$s
                spec:
                  instanceRef:
                    name: primary
                  deletionProtection: false
                  postgres:
                    extensions:
                      - name: pgcrypto
                %2$s
                    schemas:
                      - name: sales
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseUser
                metadata:
                  name: orders-app
                  namespace: %1$s
                spec:
                  instanceRef:
                    name: primary
                  username: orders_app
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseGrant
                metadata:
                  name: orders-app
                  namespace: %1$s
                spec:
                  userRef:
                    name: orders-app
                  databaseRef:
                    name: orders
                  deletionProtection: false
                  postgres:
                    grants:
                      - database: orders
                        schema: sales
                        tables: ["*"]
                        privileges: [SELECT, INSERT]
                      - database: orders
                        privileges: [CONNECT]
                """.formatted(namespace, withUuidExtension ? "      - name: uuid-ossp" : "");
    }

    @EachKubectl
    void clientSideApplyThenServerSideApplyOfTheSameManifestHasNoConflicts(String version) {
        String namespace = "migrate-" + version.replace(".", "");
        Kubectl kubectl = kubectl(version).namespace(namespace);
        String manifest = manifest(namespace, true);

        assertThat(kubectl.runWithInput(manifest, "apply", "-f", "-").ok().lines())
                .containsExactly(
                        "namespace/" + namespace + " created",
                        "databaseinstance.dbops.dbprovision.io/primary created",
                        "database.dbops.dbprovision.io/orders created",
                        "databaseuser.dbops.dbprovision.io/orders-app created",
                        "databasegrant.dbops.dbprovision.io/orders-app created");
        // the defaults inside list items are on the stored objects, not in the manifest
        assertThat(kubectl.run("get", "database", "orders", "-o", "jsonpath={.spec.postgres.extensions[*].schema}")
                        .ok()
                        .stdout())
                .isEqualTo("public public");
        assertThat(kubectl.run(
                                "get",
                                "databasegrant",
                                "orders-app",
                                "-o",
                                "jsonpath={.spec.postgres.grants[*].withGrantOption}")
                        .ok()
                        .stdout())
                .isEqualTo("false false");

        assertThat(kubectl.runWithInput(manifest, "apply", "--server-side", "-f", "-")
                        .ok()
                        .lines())
                .containsExactly(
                        "namespace/" + namespace + " serverside-applied",
                        "databaseinstance.dbops.dbprovision.io/primary serverside-applied",
                        "database.dbops.dbprovision.io/orders serverside-applied",
                        "databaseuser.dbops.dbprovision.io/orders-app serverside-applied",
                        "databasegrant.dbops.dbprovision.io/orders-app serverside-applied");

        // kubectl migrated the managed fields: its apply entry owns what client-side apply owned
        for (String object : List.of("databaseinstance/primary", "database/orders", "databasegrant/orders-app")) {
            assertThat(managers(kubectl, object))
                    .as(object)
                    .contains("kubectl/Apply")
                    .doesNotContain("kubectl-client-side-apply/Update");
        }
        // and so a field dropped from the manifest is dropped from the object by the next server-side apply
        kubectl.runWithInput(manifest(namespace, false), "apply", "--server-side", "-f", "-")
                .ok();
        assertThat(kubectl.run("get", "database", "orders", "-o", "jsonpath={.spec.postgres.extensions[*].name}")
                        .ok()
                        .stdout())
                .isEqualTo("pgcrypto");
        // a second server-side apply of the same manifest changes nothing
        String resourceVersion = kubectl.run(
                        "get", "databasegrant", "orders-app", "-o", "jsonpath={.metadata.resourceVersion}")
                .ok()
                .stdout();
        kubectl.runWithInput(manifest(namespace, false), "apply", "--server-side", "-f", "-")
                .ok();
        assertThat(kubectl.run("get", "databasegrant", "orders-app", "-o", "jsonpath={.metadata.resourceVersion}")
                        .ok()
                        .stdout())
                .isEqualTo(resourceVersion);
    }

    /** {@code manager/operation} of every managed-fields entry of an object. */
    private static List<String> managers(Kubectl kubectl, String object) {
        String json = kubectl.run("get", object, "-o", "json", "--show-managed-fields")
                .ok()
                .stdout();
        List<String> managers = new ArrayList<>();
        try {
            for (JsonNode entry : JSON.readTree(json).path("metadata").path("managedFields")) {
                managers.add(entry.path("manager").asText() + "/"
                        + entry.path("operation").asText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return managers;
    }
}
