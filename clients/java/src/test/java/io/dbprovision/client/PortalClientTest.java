package io.dbprovision.client;

import static io.dbprovision.client.RunningPortal.database;
import static io.dbprovision.client.RunningPortal.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.client.errors.AlreadyExistsException;
import io.dbprovision.client.errors.CancelledException;
import io.dbprovision.client.errors.ConflictException;
import io.dbprovision.client.errors.DbProvisionException;
import io.dbprovision.client.errors.DeadlineExceededException;
import io.dbprovision.client.errors.InvalidArgumentException;
import io.dbprovision.client.errors.NotFoundException;
import io.dbprovision.client.errors.PermissionDeniedException;
import io.dbprovision.client.errors.UnauthenticatedException;
import io.dbprovision.proto.portal.v1alpha1.EventType;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseDeletionPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK against the real API server's portal port (API only: no reconcilers): the client built from the portal
 * kubeconfig the server writes, the standard methods of every kind, paging, both forms of watch, deadlines and each
 * error the server can answer, as the typed exception.
 */
class PortalClientTest {
    private static final String NAMESPACE = "default";

    @TempDir
    static Path work;

    private static RunningPortal portal;
    private static DbProvisionClient client;

    @BeforeAll
    static void start() {
        portal = RunningPortal.apiOnly(work);
        client = portal.client();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (portal != null) {
            portal.close();
        }
    }

    @Test
    void aClientFromThePortalKubeconfigReachesTheServer() {
        assertThat(client.config().port()).isEqualTo(portal.port());
        assertThat(client.config().caPem()).isPresent();
        assertThat(client.databases().list(NAMESPACE)).isNotNull();
    }

    @Test
    void theTokenAndTheClientCertificateOfTheKubeconfigEachAuthenticateAlone() {
        var full = portal.anonymous().withToken(portal.adminToken());
        try (DbProvisionClient byToken =
                DbProvisionClient.builder().config(full).build()) {
            assertThat(byToken.databases().list(NAMESPACE)).isNotNull();
        }
        var fromFile = io.dbprovision.client.config.KubeconfigReader.read(portal.kubeconfig(), Optional.empty());
        try (DbProvisionClient byCertificate =
                DbProvisionClient.builder().config(fromFile.withoutToken()).build()) {
            assertThat(byCertificate.databases().list(NAMESPACE)).isNotNull();
        }
    }

    @Test
    void everyKindIsServedThroughTheGenericAccessor() {
        for (ResourceKind<?> kind : Kinds.ALL) {
            assertThat(client.resources(kind).list(ListOptions.all()))
                    .as(kind.plural())
                    .isNotNull();
        }
    }

    @Test
    void aDatabaseIsCreatedReadUpdatedAndDeleted() {
        String name = unique("crud");
        Database created = client.databases().create(database(NAMESPACE, name));
        assertThat(created.getMetadata().getResourceVersion()).isNotEmpty();
        assertThat(created.getMetadata().getUid()).isNotEmpty();

        Database read = client.databases().get(NAMESPACE, name);
        assertThat(read.getSpec().getInstanceRef().getName()).isEqualTo("jsdk-nowhere");

        Database labelled = read.toBuilder()
                .setMetadata(read.getMetadata().toBuilder().putLabels("team", "jsdk"))
                .setSpec(read.getSpec().toBuilder()
                        .setDeletionPolicy(DatabaseDeletionPolicy.DATABASE_DELETION_POLICY_RETAIN))
                .build();
        Database updated = client.databases().update(labelled, "metadata.labels");
        assertThat(updated.getMetadata().getLabelsMap()).containsEntry("team", "jsdk");
        // Only the masked field changed: the deletion policy is as it was.
        assertThat(updated.getSpec().getDeletionPolicy())
                .isEqualTo(read.getSpec().getDeletionPolicy());

        client.databases().delete(NAMESPACE, name);
        assertThatThrownBy(() -> client.databases().get(NAMESPACE, name)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void anObjectWithoutNamespaceGoesToTheContextsNamespace() {
        assertThat(client.defaultNamespace()).contains("default");
        Database withoutNamespace = database("", unique("ctx"));

        Database created = client.databases().create(withoutNamespace);

        assertThat(created.getMetadata().getNamespace()).isEqualTo("default");
    }

    @Test
    void aClusterScopedKindIsReadByNameAlone() {
        String name = unique("cluster");
        var instance = io.dbprovision.proto.v1alpha1.ClusterDatabaseInstance.newBuilder()
                .setMetadata(
                        io.dbprovision.proto.v1alpha1.ObjectMeta.newBuilder().setName(name))
                .setSpec(io.dbprovision.proto.v1alpha1.DatabaseInstanceSpec.newBuilder()
                        .setEngine(io.dbprovision.proto.v1alpha1.EngineType.ENGINE_TYPE_POSTGRES)
                        .setConnection(io.dbprovision.proto.v1alpha1.ConnectionConfig.newBuilder()
                                .setHost("127.0.0.1")
                                .setSecretRef(io.dbprovision.proto.v1alpha1.CredentialSecretRef.newBuilder()
                                        .setName("jsdk-admin")
                                        .setNamespace("default")))
                        .setDeletionProtection(false))
                .build();

        client.clusterDatabaseInstances().create(instance);

        assertThat(client.clusterDatabaseInstances().get(name).getMetadata().getName())
                .isEqualTo(name);
        assertThat(client.clusterDatabaseInstances().list(ListOptions.all()))
                .anySatisfy(i -> assertThat(i.getMetadata().getName()).isEqualTo(name));
        client.clusterDatabaseInstances().delete(name);
        assertThatThrownBy(() -> client.databases().get("orders"))
                .as("a namespaced kind needs its namespace")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aValidateOnlyCreateStoresNothing() {
        String name = unique("dry");
        Written<Database> written = client.databases().create(database(NAMESPACE, name), true);

        assertThat(written.object().getMetadata().getName()).isEqualTo(name);
        assertThatThrownBy(() -> client.databases().get(NAMESPACE, name)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void listReadsEveryPage() {
        String team = unique("pages");
        for (int i = 0; i < 5; i++) {
            Database db = database(NAMESPACE, team + "-" + i);
            client.databases()
                    .create(db.toBuilder()
                            .setMetadata(db.getMetadata().toBuilder().putLabels("jsdk-team", team))
                            .build());
        }
        ListOptions options =
                ListOptions.in(NAMESPACE).labelSelector("jsdk-team=" + team).pageSize(2);

        Page<Database> first = client.databases().page(options, "");
        assertThat(first.items()).hasSize(2);
        assertThat(first.nextPageToken()).isNotEmpty();
        assertThat(client.databases().list(options))
                .extracting(db -> db.getMetadata().getName())
                .containsExactly(team + "-0", team + "-1", team + "-2", team + "-3", team + "-4");
    }

    @Test
    void aBadPageTokenIsInvalidArgument() {
        assertThatThrownBy(() -> client.databases().page(ListOptions.in(NAMESPACE), "not-a-token"))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void aWatchReportsAddedModifiedAndDeletedUntilClosed() throws Exception {
        String name = unique("watch");
        Page<Database> before =
                client.databases().page(ListOptions.in(NAMESPACE).pageSize(1), "");
        ListOptions options = ListOptions.in(NAMESPACE)
                .fieldSelector("metadata.name=" + name)
                .resourceVersion(before.resourceVersion());
        List<EventType> seen = new ArrayList<>();
        try (Watch<Database> watch =
                client.databases().withWatchTimeout(Duration.ofSeconds(30)).watch(options)) {
            CompletableFuture<Void> changes = CompletableFuture.runAsync(() -> {
                Database created = client.databases().create(database(NAMESPACE, name));
                client.databases()
                        .update(
                                created.toBuilder()
                                        .setMetadata(created.getMetadata().toBuilder()
                                                .putLabels("step", "2"))
                                        .build(),
                                "metadata.labels");
                client.databases().delete(NAMESPACE, name);
            });
            while (watch.hasNext()) {
                WatchEvent<Database> event = watch.next();
                if (event.type() == EventType.BOOKMARK) {
                    continue;
                }
                assertThat(event.object().getMetadata().getName()).isEqualTo(name);
                assertThat(event.resourceVersion()).isNotEmpty();
                seen.add(event.type());
                if (event.type() == EventType.DELETED) {
                    break;
                }
            }
            changes.get(30, TimeUnit.SECONDS);
        }
        assertThat(seen).startsWith(EventType.ADDED, EventType.MODIFIED).endsWith(EventType.DELETED);
    }

    @Test
    void aCallbackWatchDeliversEventsAndEndsCancelledWhenClosed() throws Exception {
        String name = unique("listen");
        BlockingQueue<WatchEvent<Database>> events = new LinkedBlockingQueue<>();
        CompletableFuture<Optional<DbProvisionException>> closed = new CompletableFuture<>();
        Subscription subscription = client.databases()
                .watch(ListOptions.in(NAMESPACE).fieldSelector("metadata.name=" + name), new WatchListener<>() {
                    @Override
                    public void onEvent(WatchEvent<Database> event) {
                        events.add(event);
                    }

                    @Override
                    public void onClosed(Optional<DbProvisionException> error) {
                        closed.complete(error);
                    }
                });
        client.databases().create(database(NAMESPACE, name));
        WatchEvent<Database> added;
        do {
            added = events.poll(30, TimeUnit.SECONDS);
            assertThat(added).as("an event within 30 s").isNotNull();
        } while (added.type() == EventType.BOOKMARK);
        assertThat(added.type()).isEqualTo(EventType.ADDED);

        subscription.close();
        assertThat(closed.get(10, TimeUnit.SECONDS)).containsInstanceOf(CancelledException.class);
    }

    @Test
    void takenNamesAreAlreadyExists() {
        String name = unique("twice");
        client.databases().create(database(NAMESPACE, name));

        assertThatThrownBy(() -> client.databases().create(database(NAMESPACE, name)))
                .isInstanceOf(AlreadyExistsException.class)
                .hasMessageContaining(name);
    }

    @Test
    void anInvalidObjectIsInvalidArgumentWithItsFieldViolations() {
        Database noInstance = database(NAMESPACE, unique("invalid")).toBuilder()
                .setSpec(database(NAMESPACE, "x").getSpec().toBuilder().clearInstanceRef())
                .build();

        assertThatThrownBy(() -> client.databases().create(noInstance))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.violations()).isNotEmpty();
                    assertThat(e.violations())
                            .anySatisfy(v -> assertThat(v.field()).startsWith("spec"));
                    assertThat(e.reason()).contains("Invalid");
                });
        assertThatThrownBy(() -> client.databases().get(NAMESPACE, "Not_A_Name"))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void anUpdateOfAStaleVersionIsAConflict() {
        String name = unique("stale");
        Database created = client.databases().create(database(NAMESPACE, name));
        client.databases()
                .update(
                        created.toBuilder()
                                .setMetadata(created.getMetadata().toBuilder().putLabels("first", "yes"))
                                .build(),
                        "metadata.labels");

        Database stale = created.toBuilder()
                .setMetadata(created.getMetadata().toBuilder().putLabels("second", "yes"))
                .build();
        assertThatThrownBy(() -> client.databases().update(stale, "metadata.labels"))
                .isInstanceOf(ConflictException.class);
    }

    @Test
    void aCallerWithoutRightsIsPermissionDenied() {
        try (DbProvisionClient nobody = DbProvisionClient.builder()
                .config(portal.anonymous().withToken(RunningPortal.NOBODY_TOKEN))
                .build()) {
            assertThatThrownBy(() -> nobody.databases().list(NAMESPACE))
                    .isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("jsdk-nobody")
                    .hasMessageContaining("databases");
        }
    }

    @Test
    void aWrongTokenIsUnauthenticatedAndNeverEchoed() {
        String token = "jsdk-wrong-token-" + RunningPortal.unique("t");
        try (DbProvisionClient stranger = DbProvisionClient.builder()
                .config(portal.anonymous().withToken(token))
                .build()) {
            assertThatThrownBy(() -> stranger.databases().list(NAMESPACE))
                    .isInstanceOf(UnauthenticatedException.class)
                    .hasMessageNotContaining(token);
        }
        try (DbProvisionClient nobody =
                DbProvisionClient.builder().config(portal.anonymous()).build()) {
            assertThatThrownBy(() -> nobody.databases().list(NAMESPACE)).isInstanceOf(UnauthenticatedException.class);
        }
    }

    @Test
    void unaryCallsAndWatchesEndAtTheirDeadline() {
        assertThatThrownBy(() ->
                        client.databases().withTimeout(Duration.ofNanos(1)).list(NAMESPACE))
                .isInstanceOf(DeadlineExceededException.class);

        try (Watch<Database> quiet = client.databases()
                .withWatchTimeout(Duration.ofMillis(500))
                .watch(ListOptions.in(NAMESPACE).fieldSelector("metadata.name=" + unique("never")))) {
            assertThatThrownBy(() -> {
                        while (quiet.hasNext()) {
                            quiet.next();
                        }
                    })
                    .isInstanceOf(DeadlineExceededException.class);
        }
    }
}
