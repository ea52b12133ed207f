package io.dbprovision.apiserver.corev1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import io.dbprovision.proto.k8s.core.v1.Secret;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.dbprovision.proto.v1alpha1.OwnerReference;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RegistrySecrets} on a real standalone registry over the embedded store: writes with their preconditions, the
 * 1 MiB limit, hostile names, and the watch through a consumer that falls behind and a history that was compacted.
 */
class RegistrySecretsTest {
    private static final String PASSWORD = "s3cr3t-p4ssw0rd-never-in-a-message";

    @TempDir
    Path dir;

    private CachingStorage storage;
    private ResourceStore store;
    private RegistrySecrets secrets;
    private AutoCloseable watch;

    private void open(StorageSettings settings, int watchBuffer) {
        storage = CachingStorage.open(new EmbeddedBackend(dir, false), settings);
        Registry registry = new Registry(
                List.of(
                        new Registry.Served(Schema.get(), ObjectRules.standard()),
                        new Registry.Served(Schema.core(), ObjectRules.core())),
                storage,
                Clock.systemUTC());
        store = registry.lookup("v1", "secrets").orElseThrow();
        secrets = watchBuffer == 0 ? new RegistrySecrets(registry) : new RegistrySecrets(store, watchBuffer);
    }

    private void open() {
        open(StorageSettings.defaults(), 0);
    }

    @AfterEach
    void close() throws Exception {
        if (watch != null) {
            watch.close();
        }
        if (storage != null) {
            storage.close();
        }
    }

    static Secret secret(String namespace, String name, Map<String, String> labels) {
        return ClusterSecretsTest.secret(namespace, name, labels);
    }

    @Test
    void aCreatedSecretIsStoredWholeAndReadBack() {
        open();
        Secret wanted =
                secret("team-a", "orders-credentials", Map.of("dbops.dbprovision.io/user", "orders")).toBuilder()
                        .setMetadata(
                                secret("team-a", "orders-credentials", Map.of("dbops.dbprovision.io/user", "orders"))
                                        .getMetadata()
                                        .toBuilder()
                                        .putAnnotations("dbops.dbprovision.io/rotated", "now")
                                        .addOwnerReferences(OwnerReference.newBuilder()
                                                .setApiVersion("dbops.dbprovision.io/v1alpha1")
                                                .setKind("DatabaseUser")
                                                .setName("orders")
                                                .setUid("0b4c2c52-7a3e-4c1f-9c1e-2f1d6c9b8a70")
                                                .setController(true)))
                        .putData("binary", ByteString.copyFrom(new byte[] {0, (byte) 0xff}))
                        .build();

        Secret created = secrets.create(wanted);

        assertThat(created.getMetadata().getUid()).isNotEmpty();
        assertThat(created.getMetadata().getResourceVersion()).isNotEmpty();
        assertThat(created.getType()).isEqualTo("Opaque");
        assertThat(created.getMetadata().getManagedFieldsList())
                .anySatisfy(entry -> assertThat(entry.getManager()).isEqualTo(ControllerIdentity.COMPONENT));
        Secret read = secrets.get("team-a", "orders-credentials").orElseThrow();
        assertThat(read).isEqualTo(created);
        assertThat(read.getDataMap()).isEqualTo(wanted.getDataMap());
        assertThat(read.getMetadata().getOwnerReferencesList())
                .isEqualTo(wanted.getMetadata().getOwnerReferencesList());
    }

    @Test
    void aMissingSecretIsEmptyAndATakenNameIsAlreadyExists() {
        open();
        assertThat(secrets.get("team-a", "nothing")).isEmpty();
        secrets.create(secret("team-a", "taken", Map.of()));

        assertThatThrownBy(() -> secrets.create(secret("team-a", "taken", Map.of())))
                .isInstanceOf(ApiException.AlreadyExists.class);
    }

    @Test
    void anUpdateIsConditionalOnTheVersionRead() {
        open();
        Secret created = secrets.create(secret("team-a", "rotating", Map.of()));
        Secret rotated = secrets.update(created.toBuilder()
                .putData("password", ByteString.copyFromUtf8("second"))
                .build());
        assertThat(rotated.getMetadata().getResourceVersion())
                .isNotEqualTo(created.getMetadata().getResourceVersion());

        assertThatThrownBy(() -> secrets.update(created.toBuilder()
                        .putData("password", ByteString.copyFromUtf8("third"))
                        .build()))
                .isInstanceOf(ApiException.Conflict.class);
        assertThatThrownBy(() -> secrets.update(secret("team-a", "rotating", Map.of())))
                .isInstanceOf(ApiException.Invalid.class)
                .hasMessageContaining("metadata.resourceVersion");
        assertThatThrownBy(() -> secrets.update(secret("team-a", "never-created", Map.of())))
                .isInstanceOf(ApiException.NotFound.class);
        assertThat(secrets.get("team-a", "rotating")
                        .orElseThrow()
                        .getDataOrThrow("password")
                        .toStringUtf8())
                .isEqualTo("second");
    }

    @Test
    void aDeleteWithAUidDeletesOnlyThatSecret() {
        open();
        Secret first = secrets.create(secret("team-a", "credentials", Map.of()));
        secrets.delete("team-a", "credentials", "");
        Secret second = secrets.create(secret("team-a", "credentials", Map.of()));

        secrets.delete("team-a", "credentials", first.getMetadata().getUid());
        assertThat(secrets.get("team-a", "credentials")).isPresent();

        secrets.delete("team-a", "credentials", second.getMetadata().getUid());
        assertThat(secrets.get("team-a", "credentials")).isEmpty();
        secrets.delete("team-a", "credentials", "");
        secrets.delete("team-a", "credentials", null);
    }

    @Test
    void dataOfAtMostOneMebibyteIsStoredAndMoreIsInvalid() {
        open();
        int key = "blob".length();
        Secret atLimit = Secret.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setNamespace("team-a").setName("at-limit"))
                .putData("blob", ByteString.copyFrom(new byte[SecretSize.MAX_BYTES - key]))
                .build();
        assertThat(secrets.create(atLimit).getDataOrThrow("blob").size()).isEqualTo(SecretSize.MAX_BYTES - key);

        for (int size : new int[] {SecretSize.MAX_BYTES - key + 1, 16 * 1024 * 1024}) {
            Secret tooLarge = Secret.newBuilder()
                    .setMetadata(ObjectMeta.newBuilder().setNamespace("team-a").setName("too-large"))
                    .putData("blob", ByteString.copyFrom(new byte[size]))
                    .build();
            assertThatThrownBy(() -> secrets.create(tooLarge))
                    .isInstanceOf(ApiException.Invalid.class)
                    .hasMessageContaining("data: Too long: may not be more than 1048576 bytes");
        }
        // stringData counts as what it becomes
        Secret tooLargeAsText = Secret.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setNamespace("team-a").setName("too-large"))
                .putStringData("blob", "é".repeat(SecretSize.MAX_BYTES / 2))
                .build();
        assertThatThrownBy(() -> secrets.create(tooLargeAsText)).isInstanceOf(ApiException.Invalid.class);
        Secret grown = secrets.get("team-a", "at-limit").orElseThrow().toBuilder()
                .putData("more", ByteString.copyFromUtf8("x"))
                .build();
        assertThatThrownBy(() -> secrets.update(grown)).isInstanceOf(ApiException.Invalid.class);
        assertThat(secrets.get("team-a", "too-large")).isEmpty();
    }

    @Test
    void namesAtTheLimitWorkAndHostileNamesFindNothingAndWriteNothing() {
        open();
        String longest = "a".repeat(253);
        assertThat(secrets.create(secret("n".repeat(63), longest, Map.of()))
                        .getMetadata()
                        .getName())
                .isEqualTo(longest);
        assertThat(secrets.get("n".repeat(63), longest)).isPresent();

        for (String name : List.of("a".repeat(254), ".", "..", "../x", "a/b", "A", "x%2Fy", "a\u0000b")) {
            assertThat(secrets.get("team-a", name)).as(name).isEmpty();
            secrets.delete("team-a", name, "");
            assertThatThrownBy(() -> secrets.create(secret("team-a", name, Map.of())))
                    .as(name)
                    .isInstanceOf(ApiException.class);
        }
        assertThat(secrets.get("", longest)).isEmpty();
        // an in-process caller that names no namespace is refused, not given a Secret outside every namespace
        assertThatThrownBy(() -> secrets.create(secret("", "nowhere", Map.of())))
                .isInstanceOf(ApiException.Invalid.class)
                .hasMessageContaining("metadata.namespace");
    }

    @Test
    void aWatchTellsOfEveryChangeToTheSecretsItsSelectorMatches() throws Exception {
        open();
        secrets.create(secret("team-a", "before", Map.of("app", "dbops")));
        RecordingChanges changes = new RecordingChanges();
        watch = secrets.watch("app=dbops", changes);
        awaitWatching(changes, Map.of("app", "dbops"));

        Secret matching = secrets.create(secret("team-a", "matching", Map.of("app", "dbops")));
        secrets.create(secret("team-b", "other", Map.of("app", "else")));
        secrets.update(matching.toBuilder()
                .putData("password", ByteString.copyFromUtf8("x"))
                .build());
        Secret before = secrets.get("team-a", "before").orElseThrow();
        secrets.update(before.toBuilder()
                .setMetadata(before.getMetadata().toBuilder().clearLabels())
                .build()); // stops matching
        secrets.delete("team-a", "matching", "");

        Await.until(
                "every change is told", () -> changes.count("team-a/matching") == 3 && changes.saw("team-a/before"));
        assertThat(changes.saw("team-b/other")).isFalse();
        assertThat(changes.threads).hasSize(1);
    }

    @Test
    void aConsumerThatFallsBehindMissesNothingAndHearsOfNothingTwice() throws Exception {
        open(StorageSettings.defaults(), 2);
        RecordingChanges changes = new RecordingChanges();
        watch = secrets.watch("", changes);
        awaitWatching(changes);

        changes.holdOn("s-0");
        secrets.create(secret("team-a", "s-0", Map.of()));
        changes.awaitHeld();
        for (int i = 1; i < 30; i++) {
            secrets.create(secret("team-a", "s-" + i, Map.of()));
        }
        changes.release();

        Await.until(
                "all are told",
                () -> changes.names.stream()
                                .filter(name -> name.startsWith("team-a/"))
                                .count()
                        >= 30);
        for (int i = 0; i < 30; i++) {
            assertThat(changes.count("team-a/s-" + i)).as("s-" + i).isEqualTo(1);
        }
        assertThat(changes.threads).hasSize(1);
    }

    @Test
    void aResumeFromACompactedVersionListsAgainAndTellsWhatWasDeletedMeanwhile() throws Exception {
        open(StorageSettings.defaults(), 2);
        secrets.create(secret("team-a", "deleted-meanwhile", Map.of()));
        Secret changed = secrets.create(secret("team-a", "changed-meanwhile", Map.of()));
        secrets.create(secret("team-a", "untouched", Map.of()));
        RecordingChanges changes = new RecordingChanges();
        watch = secrets.watch("", changes);
        awaitWatching(changes);

        changes.holdOn("s-0");
        secrets.create(secret("team-a", "s-0", Map.of()));
        changes.awaitHeld();
        for (int i = 1; i < 10; i++) {
            secrets.create(secret("team-a", "s-" + i, Map.of()));
        }
        secrets.delete("team-a", "deleted-meanwhile", "");
        secrets.update(changed.toBuilder()
                .putData("password", ByteString.copyFromUtf8("rotated"))
                .build());
        storage.compactTo(storage.currentResourceVersion()); // the history the resume needs is gone
        changes.release();

        Await.until(
                "what changed is told",
                () -> changes.saw("team-a/deleted-meanwhile")
                        && changes.saw("team-a/changed-meanwhile")
                        && changes.saw("team-a/s-9"));
        assertThat(changes.saw("team-a/untouched")).isFalse();
        for (int i = 0; i < 10; i++) {
            assertThat(changes.count("team-a/s-" + i)).as("s-" + i).isEqualTo(1);
        }
    }

    @Test
    void aClosedWatchTellsNothingMore() throws Exception {
        open();
        RecordingChanges changes = new RecordingChanges();
        watch = secrets.watch("", changes);
        awaitWatching(changes);
        secrets.create(secret("team-a", "during", Map.of()));
        Await.until("told", () -> changes.saw("team-a/during"));
        watch.close();
        int told = changes.names.size();

        secrets.create(secret("team-a", "after", Map.of()));
        assertThat(changes.names).hasSize(told).doesNotContain("team-a/after");
    }

    @Test
    void aSelectorThatDoesNotParseIsRefusedAtOnce() {
        open();
        assertThatThrownBy(() -> secrets.watch("a in (b", name -> {})).isInstanceOf(ApiException.BadRequest.class);
    }

    @Test
    void onlyAStoreOfSecretsIsTaken() {
        open();
        Registry registry = new Registry(Schema.get(), storage, ObjectRules.standard(), Clock.systemUTC());
        assertThatThrownBy(() -> new RegistrySecrets(registry)).isInstanceOf(IllegalArgumentException.class);
        ResourceStore databases = registry.byPlural("databases").orElseThrow();
        assertThatThrownBy(() -> new RegistrySecrets(databases, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Waits until the watch tells of writes: creates probe Secrets (in their own namespace) until one is told, since
     * what exists when the watch lists is no change.
     */
    private void awaitWatching(RecordingChanges changes) {
        awaitWatching(changes, Map.of());
    }

    private void awaitWatching(RecordingChanges changes, Map<String, String> labels) {
        int[] probes = {0};
        Await.until("the watch tells of writes", () -> {
            secrets.create(secret("probes", "probe-" + probes[0]++, labels));
            return changes.names.stream().anyMatch(name -> name.startsWith("probes/"));
        });
    }
}
