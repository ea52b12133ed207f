package io.dbprovision.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.DeleteOptions;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.registry.admission.Admission;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.request.RequestInfo;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CrossNamespaceReferences and DeletionProtection inside the registry's write path: a reference out of the object's
 * namespace needs the writer's own {@code get}, asked of the authorizer with exactly the referenced object; an update
 * that keeps its references is not asked again; protected objects are not deleted without the annotation.
 */
class ReferenceAndProtectionAdmissionTest {
    /** alice may get the instance "pg" in "shared" and the cluster instance "big"; nobody may get anything else. */
    private static final Set<String> ALICE_MAY_GET = Set.of(
            "databaseinstances/shared/pg",
            "clusterdatabaseinstances//big",
            "secrets/vault/admin",
            "configmaps/shared/schema");

    @TempDir
    Path dir;

    private CachingStorage storage;
    private ResourceStore databases;
    private ResourceStore instances;
    private final List<Authorizer.Request> asked = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() {
        storage = CachingStorage.open(new EmbeddedBackend(dir, false), StorageSettings.defaults());
        Registry registry = new Registry(Schema.get(), storage, ObjectRules.standard(), Clock.systemUTC());
        Authorizer authorizer = request -> {
            asked.add(request);
            String key = request.resource() + "/" + request.namespace() + "/" + request.name();
            return request.user().name().equals("alice") && request.verb().equals("get") && ALICE_MAY_GET.contains(key)
                    ? Authorizer.Decision.allow()
                    : Authorizer.Decision.noOpinion("no rule");
        };
        registry.useAdmission(
                new Admission(List.of(new CrossNamespaceReferences(authorizer), new DeletionProtection())));
        databases = registry.byPlural("databases").orElseThrow();
        instances = registry.byPlural("databaseinstances").orElseThrow();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void aReferenceIntoTheObjectsOwnNamespaceAsksNothing() {
        databases.create(as("bob"), "team-a", database("app", "{\"name\":\"pg\"}"), WriteOptions.DEFAULT);
        assertThat(asked).isEmpty();
    }

    @Test
    void aReferenceIntoAnotherNamespaceNeedsTheWritersOwnGet() {
        databases.create(
                as("alice"),
                "team-a",
                database("app", "{\"name\":\"pg\",\"namespace\":\"shared\"}"),
                WriteOptions.DEFAULT);
        assertThat(asked).singleElement().satisfies(request -> {
            assertThat(request.verb()).isEqualTo("get");
            assertThat(request.group()).isEqualTo(Schema.GROUP);
            assertThat(request.resource()).isEqualTo("databaseinstances");
            assertThat(request.namespace()).isEqualTo("shared");
            assertThat(request.name()).isEqualTo("pg");
        });

        assertThatThrownBy(() -> databases.create(
                        as("bob"),
                        "team-a",
                        database("other", "{\"name\":\"pg\",\"namespace\":\"shared\"}"),
                        WriteOptions.DEFAULT))
                .isInstanceOf(ApiException.Forbidden.class)
                .hasMessage("databases.dbops.dbprovision.io \"other\" is forbidden: spec.instanceRef refers to"
                        + " databaseinstances.dbops.dbprovision.io \"pg\" in the namespace \"shared\", which User"
                        + " \"bob\" cannot get");
        assertThatThrownBy(() -> databases.get(as("bob"), "team-a", "other")).isInstanceOf(ApiException.NotFound.class);
    }

    /** An init-SQL ConfigMap in another namespace is read by the reconciler: the writer must be able to read it. */
    @Test
    void anInitSqlConfigMapInAnotherNamespaceNeedsTheWritersOwnGet() {
        String spec = """
                {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"Database","metadata":{"name":"%s"},
                 "spec":{"instanceRef":{"name":"pg"},"name":"app_db",
                  "initSQL":{"configMapRef":{"name":"%s","namespace":"shared","key":"init.sql"}}}}
                """;
        databases.create(
                as("alice"), "team-a", decode(databases, spec.formatted("ok", "schema")), WriteOptions.DEFAULT);
        assertThat(asked).singleElement().satisfies(request -> {
            assertThat(request.resource()).isEqualTo("configmaps");
            assertThat(request.group()).isEmpty();
            assertThat(request.namespace()).isEqualTo("shared");
            assertThat(request.name()).isEqualTo("schema");
        });
        assertThatThrownBy(() -> databases.create(
                        as("alice"),
                        "team-a",
                        decode(databases, spec.formatted("other", "someone-elses")),
                        WriteOptions.DEFAULT))
                .isInstanceOf(ApiException.Forbidden.class)
                .hasMessageContaining("spec.initSQL.configMapRef refers to configmaps \"someone-elses\" in the"
                        + " namespace \"shared\"");
    }

    @Test
    void aDryRunIsCheckedToo() {
        assertThatThrownBy(() -> databases.create(
                        as("bob"),
                        "team-a",
                        database("dry", "{\"name\":\"pg\",\"namespace\":\"shared\"}"),
                        new WriteOptions(true, "")))
                .isInstanceOf(ApiException.Forbidden.class);
    }

    @Test
    void aClusterScopedInstanceNeedsTheWritersOwnGet() {
        databases.create(as("alice"), "team-a", clusterDatabase("big-app", "big"), WriteOptions.DEFAULT);
        assertThatThrownBy(
                        () -> databases.create(as("bob"), "team-a", clusterDatabase("b", "big"), WriteOptions.DEFAULT))
                .isInstanceOf(ApiException.Forbidden.class)
                .hasMessageContaining("spec.clusterInstanceRef refers to clusterdatabaseinstances.dbops.dbprovision.io"
                        + " \"big\", which User \"bob\" cannot get");
    }

    @Test
    void anUpdateThatKeepsItsReferencesIsNotAskedAgainButOneThatChangesThemIs() {
        databases.create(
                as("alice"),
                "team-a",
                database("app", "{\"name\":\"pg\",\"namespace\":\"shared\"}"),
                WriteOptions.DEFAULT);
        asked.clear();
        // bob may change other fields of the object alice pointed elsewhere…
        databases.patch(
                as("bob"),
                "team-a",
                "app",
                current -> Objects.withMeta(
                        current,
                        Objects.meta(current).toBuilder()
                                .putLabels("tier", "gold")
                                .build()),
                WriteOptions.DEFAULT,
                false);
        assertThat(asked).isEmpty();
        // …but not point it at another instance he cannot read.
        assertThatThrownBy(() -> databases.update(
                        as("bob"),
                        "team-a",
                        "app",
                        withVersionOf(
                                databases.get(as("bob"), "team-a", "app"),
                                database("app", "{\"name\":\"other\",\"namespace\":\"shared\"}")),
                        WriteOptions.DEFAULT,
                        false))
                .isInstanceOf(ApiException.Forbidden.class)
                .hasMessageContaining("\"other\" in the namespace \"shared\"");
    }

    @Test
    void aProtectedObjectIsNotDeletedWithoutTheForceDeleteAnnotation() {
        instances.create(as("alice"), "team-a", instance("kept", ""), WriteOptions.DEFAULT);
        assertThatThrownBy(() -> instances.delete(as("alice"), "team-a", "kept", DeleteOptions.DEFAULT))
                .isInstanceOf(ApiException.Forbidden.class)
                .hasMessageContaining("protected from deletion")
                .hasMessageContaining(DeletionProtection.FORCE_DELETE);
        assertThat(instances.get(as("alice"), "team-a", "kept")).isNotNull();

        instances.create(
                as("alice"),
                "team-a",
                instance("forced", "\"annotations\":{\"dbops.dbprovision.io/force-delete\":\"true\"},"),
                WriteOptions.DEFAULT);
        instances.delete(as("alice"), "team-a", "forced", DeleteOptions.DEFAULT);

        instances.create(as("alice"), "team-a", unprotectedInstance(), WriteOptions.DEFAULT);
        instances.delete(as("alice"), "team-a", "free", DeleteOptions.DEFAULT);
    }

    @Test
    void aCollectionDeleteRemovesWhatIsNotProtectedAndSaysWhatWasKept() {
        instances.create(as("alice"), "team-b", instance("kept", ""), WriteOptions.DEFAULT);
        instances.create(as("alice"), "team-b", unprotectedInstance(), WriteOptions.DEFAULT);
        assertThatThrownBy(() -> instances.deleteCollection(
                        as("alice"), "team-b", io.dbprovision.apiserver.registry.ListQuery.ALL, DeleteOptions.DEFAULT))
                .isInstanceOf(ApiException.Forbidden.class)
                .hasMessageContaining("\"kept\"");
        assertThat(instances
                        .list(as("alice"), "team-b", io.dbprovision.apiserver.registry.ListQuery.ALL)
                        .items())
                .extracting(item -> Objects.meta(item).getName())
                .containsExactly("kept");
    }

    // ---- fixtures

    private static RequestContext as(String user) {
        return new RequestContext(
                new UserInfo(user, "", List.of("system:authenticated"), Map.of()),
                Optional.empty(),
                RequestInfo.nonResource("/", "get"),
                "test",
                Instant.now(),
                "",
                "",
                new ConcurrentHashMap<>());
    }

    private Message database(String name, String instanceRef) {
        return decode(databases, """
                {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"Database","metadata":{"name":"%s"},
                 "spec":{"instanceRef":%s,"name":"app_db"}}
                """.formatted(name, instanceRef));
    }

    private Message clusterDatabase(String name, String instance) {
        return decode(databases, """
                {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"Database","metadata":{"name":"%s"},
                 "spec":{"clusterInstanceRef":{"name":"%s"},"name":"app_db"}}
                """.formatted(name, instance));
    }

    private Message instance(String name, String extraMetadata) {
        return decode(instances, """
                {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"DatabaseInstance",
                 "metadata":{%s"name":"%s"},
                 "spec":{"engine":"postgres","connection":{"host":"db.example.com","secretRef":{"name":"admin"}}}}
                """.formatted(extraMetadata, name));
    }

    private Message unprotectedInstance() {
        return decode(instances, """
                {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"DatabaseInstance","metadata":{"name":"free"},
                 "spec":{"engine":"postgres","deletionProtection":false,
                         "connection":{"host":"db.example.com","secretRef":{"name":"admin"}}}}
                """);
    }

    private static Message withVersionOf(Message current, Message next) {
        return Objects.withMeta(
                next,
                Objects.meta(next).toBuilder()
                        .setResourceVersion(Objects.meta(current).getResourceVersion())
                        .build());
    }

    private static Message decode(ResourceStore store, String json) {
        return new io.dbprovision.api.codec.KubeCodec(Schema.get(), io.dbprovision.api.codec.Limits.defaults())
                .decodeJson(json.getBytes(StandardCharsets.UTF_8), store.kind().object())
                .object();
    }
}
