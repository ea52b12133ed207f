package io.dbprovision.apiserver.corev1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.auth.delegated.ClusterConnection;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.proto.k8s.core.v1.Secret;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.dbprovision.proto.v1alpha1.OwnerReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClusterSecrets} against the fake kube-apiserver over HTTPS: the Kubernetes JSON it writes, the errors it maps,
 * its watch through timeouts, compaction and outages, and what it does with names, sizes and answers that are hostile.
 */
class ClusterSecretsTest {
    private static final String SA_TOKEN = "service-account-token-of-dbprovision";
    private static final String PASSWORD = "s3cr3t-p4ssw0rd-never-in-a-message";

    @TempDir
    Path dir;

    private FakeKubeApiServer cluster;
    private ClusterSecrets secrets;
    private AutoCloseable watch;
    private boolean clusterClosed;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeKubeApiServer.start(SA_TOKEN);
        secrets = new ClusterSecrets(connection(SA_TOKEN));
    }

    private ClusterConnection connection(String token) throws Exception {
        return ClusterConnection.fromKubeconfig(
                cluster.writeKubeconfig(dir.resolve(token.length() + "-" + token.hashCode()), token),
                Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws Exception {
        if (watch != null) {
            watch.close();
        }
        if (!clusterClosed) {
            cluster.close();
        }
    }

    static Secret secret(String namespace, String name, Map<String, String> labels) {
        return Secret.newBuilder()
                .setMetadata(ObjectMeta.newBuilder()
                        .setNamespace(namespace)
                        .setName(name)
                        .putAllLabels(labels))
                .putData("password", ByteString.copyFromUtf8(PASSWORD))
                .build();
    }

    @Test
    void aCreatedSecretIsWrittenAsKubernetesJsonAndReadBackWhole() {
        byte[] binary = {0, (byte) 0xff, 0x7f, (byte) 0x80, '\n'};
        Secret wanted = Secret.newBuilder()
                .setMetadata(ObjectMeta.newBuilder()
                        .setNamespace("team-a")
                        .setName("orders-credentials")
                        .putLabels("dbops.dbprovision.io/user", "orders")
                        .putAnnotations("dbops.dbprovision.io/rotated", "2024-01-01T00:00:00Z")
                        .addOwnerReferences(OwnerReference.newBuilder()
                                .setApiVersion("dbops.dbprovision.io/v1alpha1")
                                .setKind("DatabaseUser")
                                .setName("orders")
                                .setUid("0b4c2c52-7a3e-4c1f-9c1e-2f1d6c9b8a70")
                                .setController(true)
                                .setBlockOwnerDeletion(true)))
                .putData("password", ByteString.copyFromUtf8(PASSWORD))
                .putData("binary", ByteString.copyFrom(binary))
                .setType("kubernetes.io/basic-auth")
                .setImmutable(false)
                .build();

        Secret created = secrets.create(wanted);

        assertThat(created.getMetadata().getUid()).isNotEmpty();
        assertThat(created.getMetadata().getResourceVersion()).isNotEmpty();
        assertThat(created.getMetadata().hasCreationTimestamp()).isTrue();
        assertThat(created.getApiVersion()).isEqualTo("v1");
        assertThat(created.getKind()).isEqualTo("Secret");
        ObjectNode stored =
                cluster.secrets.object("team-a", "orders-credentials").orElseThrow();
        assertThat(stored.path("data").path("password").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)));
        assertThat(stored.path("type").asText()).isEqualTo("kubernetes.io/basic-auth");
        assertThat(stored.path("metadata")
                        .path("ownerReferences")
                        .get(0)
                        .path("controller")
                        .asBoolean())
                .isTrue();
        assertThat(cluster.secrets.requests)
                .anyMatch(request -> request.startsWith("POST /api/v1/namespaces/team-a/secrets?fieldManager="));

        Secret read = secrets.get("team-a", "orders-credentials").orElseThrow();
        assertThat(read).isEqualTo(created);
        assertThat(read.getDataOrThrow("binary").toByteArray()).isEqualTo(binary);
        assertThat(read.getMetadata().getLabelsMap())
                .isEqualTo(wanted.getMetadata().getLabelsMap());
        assertThat(read.getMetadata().getAnnotationsMap())
                .isEqualTo(wanted.getMetadata().getAnnotationsMap());
        assertThat(read.getMetadata().getOwnerReferencesList())
                .isEqualTo(wanted.getMetadata().getOwnerReferencesList());
        assertThat(read.getType()).isEqualTo("kubernetes.io/basic-auth");
    }

    @Test
    void stringDataIsMergedIntoDataByTheKubeApiServer() {
        Secret created = secrets.create(Secret.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setNamespace("team-a").setName("plain"))
                .putStringData("username", "orders")
                .build());

        assertThat(created.getDataOrThrow("username").toStringUtf8()).isEqualTo("orders");
        assertThat(created.getStringDataCount()).isZero();
        assertThat(created.getType()).isEqualTo("Opaque");
    }

    @Test
    void aMissingSecretIsEmptyAndATakenNameIsAlreadyExists() {
        assertThat(secrets.get("team-a", "nothing")).isEmpty();
        secrets.create(secret("team-a", "taken", Map.of()));

        assertThatThrownBy(() -> secrets.create(secret("team-a", "taken", Map.of())))
                .isInstanceOf(ApiException.AlreadyExists.class)
                .hasMessage("secrets \"taken\" already exists");
    }

    @Test
    void anUpdateIsConditionalOnTheVersionRead() {
        Secret created = secrets.create(secret("team-a", "rotating", Map.of()));
        Secret rotated = secrets.update(created.toBuilder()
                .putData("password", ByteString.copyFromUtf8("second"))
                .build());
        assertThat(rotated.getMetadata().getResourceVersion())
                .isNotEqualTo(created.getMetadata().getResourceVersion());
        assertThat(secrets.get("team-a", "rotating")
                        .orElseThrow()
                        .getDataOrThrow("password")
                        .toStringUtf8())
                .isEqualTo("second");

        // a writer that read before the rotation loses
        assertThatThrownBy(() -> secrets.update(created.toBuilder()
                        .putData("password", ByteString.copyFromUtf8("third"))
                        .build()))
                .isInstanceOf(ApiException.Conflict.class)
                .hasMessage(
                        "Operation cannot be fulfilled on secrets \"rotating\": the object has been modified; please"
                                + " apply your changes to the latest version and try again");
        // and one that read nothing is refused before anything is sent: the kube-apiserver would take it
        // unconditionally
        int replaces = cluster.secrets.replaces.get();
        assertThatThrownBy(() -> secrets.update(secret("team-a", "rotating", Map.of())))
                .isInstanceOf(ApiException.Invalid.class)
                .hasMessageContaining("metadata.resourceVersion");
        assertThat(cluster.secrets.replaces).hasValue(replaces);
        assertThat(secrets.get("team-a", "rotating")
                        .orElseThrow()
                        .getDataOrThrow("password")
                        .toStringUtf8())
                .isEqualTo("second");
    }

    @Test
    void anUpdateOfASecretThatWasReplacedMeanwhileIsAConflictOnItsUid() {
        Secret created = secrets.create(secret("team-a", "replaced", Map.of()));
        cluster.secrets.remove("team-a", "replaced");
        Secret other = secrets.create(secret("team-a", "replaced", Map.of("owner", "someone-else")));

        Secret stale = created.toBuilder()
                .setMetadata(created.getMetadata().toBuilder()
                        .setResourceVersion(other.getMetadata().getResourceVersion()))
                .build();
        assertThatThrownBy(() -> secrets.update(stale))
                .isInstanceOf(ApiException.Conflict.class)
                .hasMessageContaining("Precondition failed: UID in precondition");
    }

    @Test
    void anUpdateOfAMissingSecretIsNotFound() {
        Secret created = secrets.create(secret("team-a", "gone", Map.of()));
        cluster.secrets.remove("team-a", "gone");

        assertThatThrownBy(() -> secrets.update(created)).isInstanceOf(ApiException.NotFound.class);
    }

    @Test
    void aDeleteWithAUidDeletesOnlyThatSecret() {
        Secret first = secrets.create(secret("team-a", "credentials", Map.of()));
        cluster.secrets.remove("team-a", "credentials");
        Secret second = secrets.create(secret("team-a", "credentials", Map.of()));

        secrets.delete("team-a", "credentials", first.getMetadata().getUid()); // no longer there: nothing to do
        assertThat(secrets.get("team-a", "credentials")).isPresent();
        assertThat(cluster.secrets.requests).anyMatch(request -> request.startsWith("DELETE "));

        secrets.delete("team-a", "credentials", second.getMetadata().getUid());
        assertThat(secrets.get("team-a", "credentials")).isEmpty();
        secrets.delete("team-a", "credentials", ""); // already gone: no error
        secrets.delete("team-a", "credentials", null);
    }

    @Test
    void failuresOfTheKubeApiServerBecomeTheRegistrysErrors() throws Exception {
        secrets.create(secret("team-a", "present", Map.of()));

        cluster.failWith(503);
        assertThatThrownBy(() -> secrets.get("team-a", "present")).isInstanceOf(ApiException.Unavailable.class);
        cluster.failWith(429);
        assertThatThrownBy(() -> secrets.get("team-a", "present")).isInstanceOf(ApiException.TooManyRequests.class);
        cluster.failWith(500);
        assertThatThrownBy(() -> secrets.create(secret("team-a", "new", Map.of())))
                .isInstanceOf(ApiException.Internal.class);
        cluster.failWith(0);

        ClusterSecrets stranger = new ClusterSecrets(connection("a-token-the-cluster-does-not-know"));
        assertThatThrownBy(() -> stranger.get("team-a", "present")).isInstanceOf(ApiException.Unauthorized.class);

        cluster.close();
        clusterClosed = true;
        assertThatThrownBy(() -> secrets.get("team-a", "present"))
                .isInstanceOf(ApiException.Unavailable.class)
                .hasMessageStartingWith("the kube-apiserver cannot be reached");
    }

    @Test
    void dataOfAtMostOneMebibyteIsStoredAndMoreIsInvalidWithoutARequest() {
        int key = "blob".length();
        Secret atLimit = Secret.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setNamespace("team-a").setName("at-limit"))
                .putData("blob", ByteString.copyFrom(new byte[SecretSize.MAX_BYTES - key]))
                .build();
        assertThat(secrets.create(atLimit).getDataOrThrow("blob").size()).isEqualTo(SecretSize.MAX_BYTES - key);

        int creates = cluster.secrets.creates.get();
        Secret tooLarge = Secret.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setNamespace("team-a").setName("too-large"))
                .putData("blob", ByteString.copyFrom(new byte[SecretSize.MAX_BYTES - key + 1]))
                .build();
        assertThatThrownBy(() -> secrets.create(tooLarge))
                .isInstanceOf(ApiException.Invalid.class)
                .hasMessageContaining("data: Too long: may not be more than 1048576 bytes");
        Secret farTooLarge = Secret.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setNamespace("team-a").setName("far-too-large"))
                .putData("blob", ByteString.copyFrom(new byte[8 * 1024 * 1024]))
                .build();
        assertThatThrownBy(() -> secrets.create(farTooLarge)).isInstanceOf(ApiException.Invalid.class);
        assertThat(cluster.secrets.creates).hasValue(creates);
    }

    @Test
    void theKubeApiServersOwnRefusalOfASecretIsInvalidWithItsCauses() {
        Secret badKey = Secret.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setNamespace("team-a").setName("bad-key"))
                .putData("not a key!", ByteString.copyFromUtf8(PASSWORD))
                .build();

        assertThatThrownBy(() -> secrets.create(badKey))
                .isInstanceOf(ApiException.Invalid.class)
                .satisfies(e -> assertThat(((ApiException.Invalid) e).errors())
                        .singleElement()
                        .satisfies(error -> assertThat(error.path().toString()).isEqualTo("data[not a key!]")))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
    }

    @Test
    void namesAtTheLimitWorkAndNamesBeyondItNeverReachTheKubeApiServer() {
        String longest = "a".repeat(253);
        String longestNamespace = "n".repeat(63);
        assertThat(secrets.create(secret(longestNamespace, longest, Map.of()))
                        .getMetadata()
                        .getName())
                .isEqualTo(longest);
        assertThat(secrets.get(longestNamespace, longest)).isPresent();

        int requests = cluster.secrets.requests.size();
        for (String name : List.of("a".repeat(254), ".", "..", "../kube-system/secrets", "a/b", "A", "", "x%2Fy")) {
            assertThat(secrets.get("team-a", name)).as(name).isEmpty();
            secrets.delete("team-a", name, "");
            assertThatThrownBy(() -> secrets.create(secret("team-a", name, Map.of())))
                    .as(name)
                    .isInstanceOf(ApiException.Invalid.class);
        }
        for (String namespace : List.of("n".repeat(64), ".", "..", "", "Team")) {
            assertThat(secrets.get(namespace, "present")).as(namespace).isEmpty();
            assertThatThrownBy(() -> secrets.create(secret(namespace, "x", Map.of())))
                    .as(namespace)
                    .isInstanceOf(ApiException.Invalid.class);
        }
        assertThat(cluster.secrets.requests).hasSize(requests);
    }

    @Test
    void anAnswerClientJavaCannotReadIsAnErrorThatQuotesNoData() {
        secrets.create(secret("team-a", "odd", Map.of()));
        cluster.secrets.answerWith(object -> {
            object.put("aFieldFromAFutureKubernetes", true);
            return object;
        });

        assertThatThrownBy(() -> secrets.get("team-a", "odd"))
                .isInstanceOf(ApiException.Internal.class)
                .hasNoCause()
                .satisfies(e -> assertThat(e.getMessage())
                        .doesNotContain(PASSWORD)
                        .doesNotContain(Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void aWatchTellsOfEveryChangeToTheSecretsItsSelectorMatches() throws Exception {
        secrets.create(secret("team-a", "before", Map.of("app", "dbops")));
        RecordingChanges changes = new RecordingChanges();
        watch = secrets.watch("app=dbops", changes);
        Await.until("the watch is open", () -> cluster.secrets.openWatches() == 1);
        assertThat(changes.names)
                .as("what existed when the watch started is no change")
                .isEmpty();

        secrets.create(secret("team-a", "matching", Map.of("app", "dbops")));
        secrets.create(secret("team-b", "other", Map.of("app", "else")));
        Secret matching = secrets.get("team-a", "matching").orElseThrow();
        secrets.update(matching.toBuilder()
                .putData("password", ByteString.copyFromUtf8("x"))
                .build());
        cluster.secrets.put(json("team-b", "other", Map.of("app", "dbops"))); // starts matching
        cluster.secrets.put(json("team-a", "before", Map.of())); // stops matching
        secrets.delete("team-a", "matching", "");

        Await.until(
                "every change is told",
                () -> changes.count("team-a/matching") == 3
                        && changes.saw("team-b/other")
                        && changes.saw("team-a/before"));
        assertThat(changes.threads).hasSize(1);
        assertThat(cluster.secrets.requests)
                .anyMatch(request -> request.contains("/api/v1/secrets?")
                        && request.contains("labelSelector=app")
                        && request.contains("watch=true")
                        && request.contains("allowWatchBookmarks=true"));
    }

    @Test
    void aWatchThatEndsIsResumedFromTheLastVersionWithoutListingAgain() throws Exception {
        RecordingChanges changes = new RecordingChanges();
        watch = secrets.watch("", changes);
        Await.until("the watch is open", () -> cluster.secrets.openWatches() == 1);
        secrets.create(secret("team-a", "one", Map.of()));
        Await.until("one is told", () -> changes.saw("team-a/one"));

        cluster.secrets.bookmark();
        cluster.secrets.endWatches(); // the watch's timeout, as the kube-apiserver ends it
        secrets.create(secret("team-a", "two", Map.of()));
        Await.until("two is told", () -> changes.saw("team-a/two"));

        assertThat(cluster.secrets.lists).hasValue(1);
        assertThat(cluster.secrets.watches.get()).isGreaterThanOrEqualTo(2);
        assertThat(changes.count("team-a/one")).isEqualTo(1);
        assertThat(changes.count("team-a/two")).isEqualTo(1);
    }

    @Test
    void aResumeFromAVersionThatIsGoneListsAgainAndTellsWhatChangedMeanwhile() throws Exception {
        secrets.create(secret("team-a", "deleted-meanwhile", Map.of()));
        secrets.create(secret("team-a", "changed-meanwhile", Map.of()));
        secrets.create(secret("team-a", "untouched", Map.of()));
        RecordingChanges changes = new RecordingChanges();
        watch = secrets.watch("", changes);
        Await.until("the watch is open", () -> cluster.secrets.openWatches() == 1);

        cluster.failWith(503); // the watch ends and cannot start again
        Await.until("the watch failed", () -> cluster.failedCalls.get() > 0);
        cluster.secrets.remove("team-a", "deleted-meanwhile");
        cluster.secrets.put(json("team-a", "changed-meanwhile", Map.of("rotated", "yes")));
        cluster.secrets.put(json("team-a", "created-meanwhile", Map.of()));
        cluster.secrets.compact();
        cluster.failWith(0);

        Await.until("listed again", () -> cluster.secrets.lists.get() == 2 && changes.saw("team-a/created-meanwhile"));
        Await.until(
                "what changed is told",
                () -> changes.saw("team-a/deleted-meanwhile") && changes.saw("team-a/changed-meanwhile"));
        assertThat(changes.saw("team-a/untouched")).isFalse();
    }

    @Test
    void aWatchThatCouldNotListAtFirstTellsEverySecretItFinds() throws Exception {
        secrets.create(secret("team-a", "already-there", Map.of()));
        cluster.failWith(503);
        RecordingChanges changes = new RecordingChanges();
        watch = secrets.watch("", changes);
        Await.until("the first list failed", () -> cluster.failedCalls.get() > 0);
        cluster.failWith(0);

        Await.until("the Secret is told", () -> changes.saw("team-a/already-there"));
    }

    @Test
    void aClosedWatchTellsNothingMoreAndStopsWatching() throws Exception {
        RecordingChanges changes = new RecordingChanges();
        watch = secrets.watch("", changes);
        Await.until("the watch is open", () -> cluster.secrets.openWatches() == 1);
        secrets.create(secret("team-a", "during", Map.of()));
        Await.until("told", () -> changes.saw("team-a/during"));

        watch.close();
        Await.until("the watch's thread ended", () -> changes.threads.stream().noneMatch(Thread::isAlive));
        int watches = cluster.secrets.watches.get();
        secrets.create(secret("team-a", "after", Map.of()));
        cluster.secrets.endWatches();

        assertThat(changes.names).containsExactly("team-a/during");
        assertThat(cluster.secrets.watches).hasValue(watches);
    }

    @Test
    void aSelectorThatDoesNotParseIsRefusedAtOnce() {
        assertThatThrownBy(() -> secrets.watch("a in (b", name -> {})).isInstanceOf(ApiException.BadRequest.class);
        assertThat(cluster.secrets.requests).isEmpty();
    }

    @Test
    void aFailingConsumerDoesNotEndTheWatch() throws Exception {
        RecordingChanges changes = new RecordingChanges();
        watch = secrets.watch("", name -> {
            changes.accept(name);
            throw new IllegalStateException("the consumer's own bug");
        });
        Await.until("the watch is open", () -> cluster.secrets.openWatches() == 1);
        secrets.create(secret("team-a", "first", Map.of()));
        secrets.create(secret("team-a", "second", Map.of()));

        Await.until("both are told", () -> changes.saw("team-a/first") && changes.saw("team-a/second"));
    }

    private static ObjectNode json(String namespace, String name, Map<String, String> labels) {
        ObjectNode object = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        ObjectNode metadata = object.putObject("metadata");
        metadata.put("namespace", namespace);
        metadata.put("name", name);
        ObjectNode labelNode = metadata.putObject("labels");
        labels.forEach(labelNode::put);
        object.putObject("data")
                .put("password", Base64.getEncoder().encodeToString("other".getBytes(StandardCharsets.UTF_8)));
        object.put("type", "Opaque");
        return object;
    }
}
