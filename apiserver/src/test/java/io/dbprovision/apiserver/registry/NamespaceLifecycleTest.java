package io.dbprovision.apiserver.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.codec.Limits;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import io.dbprovision.proto.k8s.core.v1.Namespace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Namespace admission and the namespace controller on the registry, as standalone mode wires them. */
class NamespaceLifecycleTest {
    private final KubeCodec codec = new KubeCodec(List.of(Schema.get(), Schema.core()), Limits.defaults());

    @TempDir
    Path dir;

    private CachingStorage storage;
    private Registry registry;
    private NamespaceController controller;
    private ResourceStore namespaces;
    private ResourceStore instances;
    private ResourceStore secrets;

    @BeforeEach
    void open() {
        storage = CachingStorage.open(new EmbeddedBackend(dir, false), StorageSettings.defaults());
        registry = new Registry(
                List.of(
                        new Registry.Served(Schema.get(), ObjectRules.standard()),
                        new Registry.Served(Schema.core(), ObjectRules.core())),
                storage,
                Clock.systemUTC());
        controller = NamespaceController.start(registry).orElseThrow();
        namespaces = registry.lookup("v1", "namespaces").orElseThrow();
        instances = registry.byPlural("databaseinstances").orElseThrow();
        secrets = registry.lookup("v1", "secrets").orElseThrow();
    }

    @AfterEach
    void close() {
        controller.close();
        storage.close();
    }

    @Test
    void aNewNamespaceIsActiveAndHeldByTheKubernetesFinalizer() {
        registry.ensureNamespace("team-a");
        Namespace namespace = (Namespace) namespaces.get("", "team-a");
        assertThat(namespace.getSpec().getFinalizersList()).containsExactly("kubernetes");
        assertThat(namespace.getStatus().getPhase()).isEqualTo("Active");
    }

    @Test
    void deletingANamespaceDeletesItsContentThenTheNamespace() {
        createIn("team-a", "pg", List.of());
        secrets.create("team-a", secret("admin"), WriteOptions.DEFAULT);
        createIn("team-b", "other", List.of());

        Written marked = namespaces.delete("", "team-a", DeleteOptions.DEFAULT);
        assertThat(marked.pendingFinalizers()).isTrue();
        assertThat(((Namespace) marked.object()).getStatus().getPhase()).isEqualTo("Terminating");

        await(() -> isGone(namespaces, "", "team-a"));
        assertThat(instances.list("team-a", ListQuery.ALL).versions()).isEmpty();
        assertThat(secrets.list("team-a", ListQuery.ALL).versions()).isEmpty();
        assertThat(instances.list("team-b", ListQuery.ALL).versions()).hasSize(1); // another namespace: untouched
    }

    @Test
    void anObjectWithAFinalizerHoldsItsNamespaceUntilTheFinalizerIsRemoved() throws Exception {
        createIn("team-a", "held", List.of("example.com/hold"));
        namespaces.delete("", "team-a", DeleteOptions.DEFAULT);
        await(() -> Objects.meta(instances.get("team-a", "held")).hasDeletionTimestamp());
        Thread.sleep(300); // a few wake-ups of the controller: the namespace must stay while the object does
        assertThat(((Namespace) namespaces.get("", "team-a")).getStatus().getPhase())
                .isEqualTo("Terminating");
        assertThatThrownBy(() -> registry.namespaceLifecycle().admit("create", secrets, "team-a", "", false))
                .isInstanceOf(ApiException.Forbidden.class)
                .hasMessage("secrets is forbidden: unable to create new content in namespace team-a because it is"
                        + " being terminated");

        instances.patch(
                "team-a",
                "held",
                current -> Objects.withMeta(
                        current,
                        Objects.meta(current).toBuilder().clearFinalizers().build()),
                WriteOptions.DEFAULT,
                false);
        await(() -> isGone(namespaces, "", "team-a"));
    }

    @Test
    void theSystemNamespacesCannotBeDeleted() {
        for (String name : NamespaceLifecycle.IMMORTAL) {
            assertThatThrownBy(() -> registry.namespaceLifecycle().admit("delete", namespaces, "", name, false))
                    .isInstanceOf(ApiException.Forbidden.class)
                    .hasMessage("namespaces \"" + name + "\" is forbidden: this namespace may not be deleted");
        }
    }

    /** A namespace stored by an earlier build, without the finalizer, gets it when a controller starts. */
    @Test
    void aNamespaceWithoutTheFinalizerGetsItWhenTheControllerStarts() throws Exception {
        Namespace old = Namespace.newBuilder()
                .setApiVersion("v1")
                .setKind("Namespace")
                .setMetadata(io.dbprovision.proto.v1alpha1.ObjectMeta.newBuilder()
                        .setName("old")
                        .setUid("5e0c7a52-8f0e-4b1f-9b5c-2f1d3c4b5a69"))
                .build();
        storage.create(
                new io.dbprovision.apiserver.storage.ObjectKey(namespaces.kind().qualifiedResource(), "", "old"),
                old.toByteArray(),
                namespaces.attributes(old));
        try (NamespaceController another = NamespaceController.start(registry).orElseThrow()) {
            await(() -> ((Namespace) namespaces.get("", "old"))
                    .getSpec()
                    .getFinalizersList()
                    .contains("kubernetes"));
        }
    }

    @Test
    void anAutoProvisionedNamespaceHasItsTypeAndADryRunProvisionsNothing() {
        registry.namespaceLifecycle().admit("create", secrets, "team-a", "", false);
        Namespace namespace = (Namespace) namespaces.get("", "team-a");
        assertThat(namespace.getApiVersion()).isEqualTo("v1");
        assertThat(namespace.getKind()).isEqualTo("Namespace");
        assertThatThrownBy(() -> registry.namespaceLifecycle().admit("create", secrets, "nowhere", "", true))
                .isInstanceOf(ApiException.NotFound.class);
        assertThat(isGone(namespaces, "", "nowhere")).isTrue();
    }

    @Test
    void namespacesCannotBeDeletedAsACollection() {
        assertThatThrownBy(() -> registry.namespaceLifecycle().admit("deletecollection", namespaces, "", "", false))
                .isInstanceOf(ApiException.MethodNotAllowed.class);
        registry.namespaceLifecycle().admit("deletecollection", instances, "team-a", "", false); // other kinds may
    }

    @Test
    void aNamespaceDeletedAndCreatedAgainIsActive() {
        createIn("team-a", "pg", List.of());
        namespaces.delete("", "team-a", DeleteOptions.DEFAULT);
        await(() -> isGone(namespaces, "", "team-a"));
        createIn("team-a", "pg", List.of());
        assertThat(((Namespace) namespaces.get("", "team-a")).getStatus().getPhase())
                .isEqualTo("Active");
        assertThat(instances.list("team-a", ListQuery.ALL).versions()).hasSize(1);
    }

    private void createIn(String namespace, String name, List<String> finalizers) {
        registry.namespaceLifecycle().admit("create", instances, namespace, "", false);
        String json =
                """
                {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"DatabaseInstance",
                 "metadata":{"name":"%s","finalizers":%s},
                 "spec":{"engine":"postgres","connection":{"host":"db.example.com","secretRef":{"name":"admin"}}}}
                """.formatted(name, finalizers.isEmpty() ? "[]" : "[\"" + String.join("\",\"", finalizers) + "\"]");
        instances.create(
                namespace,
                codec.decodeJson(
                                json.getBytes(StandardCharsets.UTF_8),
                                instances.kind().object())
                        .object(),
                WriteOptions.DEFAULT);
    }

    private Message secret(String name) {
        String json = """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"%s"},"stringData":{"password":"x"}}
                """.formatted(name);
        return codec.decodeJson(
                        json.getBytes(StandardCharsets.UTF_8), secrets.kind().object())
                .object();
    }

    private static boolean isGone(ResourceStore store, String namespace, String name) {
        try {
            store.get(namespace, name);
            return false;
        } catch (ApiException.NotFound e) {
            return true;
        }
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
