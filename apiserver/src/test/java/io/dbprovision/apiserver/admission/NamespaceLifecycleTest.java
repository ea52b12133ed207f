package io.dbprovision.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.codec.Limits;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.controller.namespace.NamespaceController;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.DeleteOptions;
import io.dbprovision.apiserver.registry.ListQuery;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.registry.Written;
import io.dbprovision.apiserver.registry.admission.Admission;
import io.dbprovision.apiserver.request.RequestContext;
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
    private static final RequestContext CTX = RequestContext.internal("test");
    private final KubeCodec codec = new KubeCodec(List.of(Schema.get(), Schema.core()), Limits.defaults());

    @TempDir
    Path dir;

    private CachingStorage storage;
    private Registry registry;
    private NamespaceController controller;
    private ResourceStore namespaces;
    private ResourceStore instances;
    private ResourceStore secrets;
    private NamespaceLifecycle lifecycle;

    @BeforeEach
    void open() {
        storage = CachingStorage.open(new EmbeddedBackend(dir, false), StorageSettings.defaults());
        registry = new Registry(
                List.of(
                        new Registry.Served(Schema.get(), ObjectRules.standard()),
                        new Registry.Served(Schema.core(), ObjectRules.core())),
                storage,
                Clock.systemUTC());
        namespaces = registry.lookup("v1", "namespaces").orElseThrow();
        lifecycle = new NamespaceLifecycle(namespaces);
        registry.useAdmission(new Admission(List.of(lifecycle)));
        controller = NamespaceController.start(registry).orElseThrow();
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
        lifecycle.ensureActive("team-a", "namespaces");
        Namespace namespace = (Namespace) namespaces.get(CTX, "", "team-a");
        assertThat(namespace.getSpec().getFinalizersList()).containsExactly("kubernetes");
        assertThat(namespace.getStatus().getPhase()).isEqualTo("Active");
    }

    @Test
    void deletingANamespaceDeletesItsContentThenTheNamespace() {
        createIn("team-a", "pg", List.of());
        secrets.create(CTX, "team-a", secret("admin"), WriteOptions.DEFAULT);
        createIn("team-b", "other", List.of());

        Written marked = namespaces.delete(CTX, "", "team-a", DeleteOptions.DEFAULT);
        assertThat(marked.pendingFinalizers()).isTrue();
        assertThat(((Namespace) marked.object()).getStatus().getPhase()).isEqualTo("Terminating");

        await(() -> isGone(namespaces, "", "team-a"));
        assertThat(instances.list(CTX, "team-a", ListQuery.ALL).versions()).isEmpty();
        assertThat(secrets.list(CTX, "team-a", ListQuery.ALL).versions()).isEmpty();
        assertThat(instances.list(CTX, "team-b", ListQuery.ALL).versions()).hasSize(1); // another namespace: untouched
    }

    @Test
    void anObjectWithAFinalizerHoldsItsNamespaceUntilTheFinalizerIsRemoved() throws Exception {
        createIn("team-a", "held", List.of("example.com/hold"));
        namespaces.delete(CTX, "", "team-a", DeleteOptions.DEFAULT);
        await(() -> Objects.meta(instances.get(CTX, "team-a", "held")).hasDeletionTimestamp());
        Thread.sleep(300); // a few wake-ups of the controller: the namespace must stay while the object does
        assertThat(((Namespace) namespaces.get(CTX, "", "team-a")).getStatus().getPhase())
                .isEqualTo("Terminating");
        assertThatThrownBy(() -> secrets.create(CTX, "team-a", secret("late"), WriteOptions.DEFAULT))
                .isInstanceOf(ApiException.Forbidden.class)
                .hasMessage("secrets is forbidden: unable to create new content in namespace team-a because it is"
                        + " being terminated");

        instances.patch(
                CTX,
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
            lifecycle.ensureActive(name, "namespaces");
            assertThatThrownBy(() -> namespaces.delete(CTX, "", name, DeleteOptions.DEFAULT))
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
            await(() -> ((Namespace) namespaces.get(CTX, "", "old"))
                    .getSpec()
                    .getFinalizersList()
                    .contains("kubernetes"));
        }
    }

    @Test
    void anAutoProvisionedNamespaceHasItsTypeAndADryRunProvisionsNothing() {
        secrets.create(CTX, "team-a", secret("first"), WriteOptions.DEFAULT);
        Namespace namespace = (Namespace) namespaces.get(CTX, "", "team-a");
        assertThat(namespace.getApiVersion()).isEqualTo("v1");
        assertThat(namespace.getKind()).isEqualTo("Namespace");
        assertThatThrownBy(() -> secrets.create(CTX, "nowhere", secret("dry"), new WriteOptions(true, "")))
                .isInstanceOf(ApiException.NotFound.class);
        assertThat(isGone(namespaces, "", "nowhere")).isTrue();
    }

    @Test
    void namespacesCannotBeDeletedAsACollection() {
        assertThatThrownBy(() -> namespaces.deleteCollection(CTX, "", ListQuery.ALL, DeleteOptions.DEFAULT))
                .isInstanceOf(ApiException.MethodNotAllowed.class);
        instances.deleteCollection(CTX, "team-a", ListQuery.ALL, DeleteOptions.DEFAULT); // other kinds may
    }

    @Test
    void aNamespaceDeletedAndCreatedAgainIsActive() {
        createIn("team-a", "pg", List.of());
        namespaces.delete(CTX, "", "team-a", DeleteOptions.DEFAULT);
        await(() -> isGone(namespaces, "", "team-a"));
        createIn("team-a", "pg", List.of());
        assertThat(((Namespace) namespaces.get(CTX, "", "team-a")).getStatus().getPhase())
                .isEqualTo("Active");
        assertThat(instances.list(CTX, "team-a", ListQuery.ALL).versions()).hasSize(1);
    }

    private void createIn(String namespace, String name, List<String> finalizers) {
        String json =
                """
                {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"DatabaseInstance",
                 "metadata":{"name":"%s","finalizers":%s},
                 "spec":{"engine":"postgres","connection":{"host":"db.example.com","secretRef":{"name":"admin"}}}}
                """.formatted(name, finalizers.isEmpty() ? "[]" : "[\"" + String.join("\",\"", finalizers) + "\"]");
        instances.create(
                CTX,
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
            store.get(CTX, namespace, name);
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
