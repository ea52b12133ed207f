package io.dbprovision.apiserver.portal;

import static io.dbprovision.apiserver.portal.PortalChannels.bearer;
import static io.dbprovision.apiserver.portal.PortalChannels.code;
import static io.dbprovision.apiserver.portal.PortalChannels.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.proto.portal.v1alpha1.ClusterDatabaseRolesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.CreateClusterDatabaseRoleRequest;
import io.dbprovision.proto.portal.v1alpha1.CreateDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.DatabaseEvent;
import io.dbprovision.proto.portal.v1alpha1.DatabasesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DeleteClusterDatabaseRoleRequest;
import io.dbprovision.proto.portal.v1alpha1.DeleteDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.EventType;
import io.dbprovision.proto.portal.v1alpha1.GetClusterDatabaseRoleRequest;
import io.dbprovision.proto.portal.v1alpha1.GetDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.ListClusterDatabaseRolesRequest;
import io.dbprovision.proto.portal.v1alpha1.ListDatabasesRequest;
import io.dbprovision.proto.portal.v1alpha1.ListDatabasesResponse;
import io.dbprovision.proto.portal.v1alpha1.WatchDatabasesRequest;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseRole;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseRoleSpec;
import io.dbprovision.proto.v1alpha1.ClusterInstanceReference;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseDeletionPolicy;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.grpc.Context;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standard methods over the portal port of a real standalone server: create, get, list, watch and delete of a
 * namespaced kind (Database) and a cluster-scoped one (ClusterDatabaseRole), with the admin's token, over TLS.
 */
class PortalStandardMethodsTest {
    @TempDir
    static Path work;

    static PortalFixture portal;

    @BeforeAll
    static void start() {
        portal = PortalFixture.start(work, options -> options);
    }

    @AfterAll
    static void stop() {
        portal.close();
    }

    /** The fixture's Database with its name on the server and kept there on deletion (nothing reconciles here). */
    static Database database(String name) {
        Database database = PortalFixture.database(name, "portal-std");
        return database.toBuilder()
                .setSpec(database.getSpec().toBuilder()
                        .setName(name.replace('-', '_'))
                        .setDeletionPolicy(DatabaseDeletionPolicy.DATABASE_DELETION_POLICY_RETAIN))
                .build();
    }

    @Test
    void aDatabaseIsCreatedReadListedWatchedAndDeleted() throws Exception {
        var created = portal.databases()
                .createDatabase(CreateDatabaseRequest.newBuilder()
                        .setParent("namespaces/default")
                        .setDatabase(database("portal-std-orders"))
                        .build())
                .getDatabase();
        assertThat(created.getMetadata().getNamespace()).isEqualTo("default");
        assertThat(created.getMetadata().getUid()).isNotEmpty();
        assertThat(created.getMetadata().getResourceVersion()).isNotEmpty();
        assertThat(created.getKind()).isEqualTo("Database");
        assertThat(created.getMetadata().getManagedFieldsList())
                .anySatisfy(entry -> assertThat(entry.getManager()).isEqualTo("dbprovision-portal"));

        Database read = portal.databases()
                .getDatabase(GetDatabaseRequest.newBuilder()
                        .setName("namespaces/default/databases/portal-std-orders")
                        .build());
        assertThat(read).isEqualTo(created);

        ListDatabasesResponse list = portal.databases()
                .listDatabases(ListDatabasesRequest.newBuilder()
                        .setParent("namespaces/default")
                        .setLabelSelector("suite=portal-std")
                        .build());
        assertThat(list.getDatabasesList())
                .extracting(db -> db.getMetadata().getName())
                .contains("portal-std-orders");
        assertThat(list.getResourceVersion()).isNotEmpty();

        try (Context.CancellableContext watching = Context.current().withCancellation()) {
            Iterator<DatabaseEvent> events = watching.call(() -> portal.databases()
                    .watchDatabases(WatchDatabasesRequest.newBuilder()
                            .setParent("namespaces/default")
                            .setLabelSelector("suite=portal-std")
                            .setResourceVersion(list.getResourceVersion())
                            .build()));
            var deleted = portal.databases()
                    .deleteDatabase(DeleteDatabaseRequest.newBuilder()
                            .setName("namespaces/default/databases/portal-std-orders")
                            .build())
                    .getDatabase();
            assertThat(deleted.getMetadata().getName()).isEqualTo("portal-std-orders");
            DatabaseEvent event = events.next();
            while (event.getType() == EventType.BOOKMARK) {
                event = events.next();
            }
            assertThat(event.getType()).isEqualTo(EventType.DELETED);
            assertThat(event.getDatabase().getMetadata().getName()).isEqualTo("portal-std-orders");
        }
        var missing = failure(() -> portal.databases()
                .getDatabase(GetDatabaseRequest.newBuilder()
                        .setName("namespaces/default/databases/portal-std-orders")
                        .build()));
        assertThat(code(missing)).isEqualTo(Status.Code.NOT_FOUND);
    }

    @Test
    void aClusterScopedKindHasNamesWithoutANamespace() {
        var roles = bearer(ClusterDatabaseRolesServiceGrpc.newBlockingStub(portal.channel), portal.server.adminToken());
        ClusterDatabaseRole role = ClusterDatabaseRole.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName("portal-std-readers"))
                .setSpec(ClusterDatabaseRoleSpec.newBuilder()
                        .setClusterInstanceRef(
                                ClusterInstanceReference.newBuilder().setName("shared"))
                        .setRoleName("portal_std_readers"))
                .build();
        roles.createClusterDatabaseRole(CreateClusterDatabaseRoleRequest.newBuilder()
                .setClusterDatabaseRole(role)
                .build());
        assertThat(roles.getClusterDatabaseRole(GetClusterDatabaseRoleRequest.newBuilder()
                                .setName("clusterdatabaseroles/portal-std-readers")
                                .build())
                        .getSpec()
                        .getRoleName())
                .isEqualTo("portal_std_readers");
        assertThat(roles.listClusterDatabaseRoles(ListClusterDatabaseRolesRequest.getDefaultInstance())
                        .getClusterDatabaseRolesList())
                .extracting(r -> r.getMetadata().getName())
                .contains("portal-std-readers");
        roles.deleteClusterDatabaseRole(DeleteClusterDatabaseRoleRequest.newBuilder()
                .setName("clusterdatabaseroles/portal-std-readers")
                .build());
    }

    @Test
    void thePortalKubeconfigNamesThePortalPortTheCaAndTheAdmin() throws Exception {
        Path kubeconfig = portal.server.portalKubeconfig().orElseThrow();
        assertThat(kubeconfig.getFileName().toString()).isEqualTo("portal-kubeconfig");
        String text = Files.readString(kubeconfig);
        assertThat(text)
                .contains("server: https://127.0.0.1:"
                        + portal.server.portalPort().orElseThrow())
                .contains("certificate-authority-data: ")
                .contains("client-certificate-data: ")
                .contains("token: " + portal.server.adminToken())
                .contains("current-context: dbprovision");
    }

    @Test
    void aCallWithoutCredentialsIsUnauthenticated() {
        var anonymous = DatabasesServiceGrpc.newBlockingStub(portal.channel);
        var refused = failure(() -> anonymous.getDatabase(GetDatabaseRequest.newBuilder()
                .setName("namespaces/default/databases/x")
                .build()));
        assertThat(code(refused)).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
}
