package io.dbprovision.apiserver.portal;

import static io.dbprovision.apiserver.portal.PortalChannels.bearer;
import static io.dbprovision.apiserver.portal.PortalChannels.metadata;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.server.StandaloneServer;
import io.dbprovision.proto.portal.v1alpha1.ClusterDatabaseRolesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.CreateDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.DatabasesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DeleteDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.GetDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.ListClusterDatabaseRolesRequest;
import io.dbprovision.proto.portal.v1alpha1.ListDatabasesRequest;
import io.dbprovision.proto.portal.v1alpha1.UpdateDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.WatchDatabasesRequest;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseSpec;
import io.dbprovision.proto.v1alpha1.InstanceReference;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authorization parity: for several users of a token file under local RBAC (a namespace developer, a cluster-wide
 * viewer, a user with no rights, an impersonator acting as the developer and one refused the impersonation), every
 * standard method of the portal in two namespaces and at the cluster scope ends as the equivalent REST request ends:
 * allowed where REST answers 2xx, PERMISSION_DENIED where it answers 403. Every mismatch is listed; there must be
 * none.
 */
class PortalAuthorizationParityTest {
    private static final String DEV_NS = "portal-par-dev";
    private static final String OTHER_NS = "portal-par-other";
    private static final String DATABASES = "/apis/dbops.dbprovision.io/v1alpha1/namespaces/%s/databases";

    @TempDir
    static Path work;

    static StandaloneServer server;
    static PortalChannels channels;
    static ManagedChannel channel;
    static RestCalls rest;

    /** A caller: its token, and the user it impersonates ("" for none). */
    record Who(String name, String token, String impersonates) {}

    static final List<Who> CALLERS = List.of(
            new Who("dev", "token-dev", ""),
            new Who("viewer", "token-viewer", ""),
            new Who("nobody", "token-nobody", ""),
            new Who("impersonator-as-dev", "token-impersonator", "dev"),
            new Who("nobody-as-dev", "token-nobody", "dev"));

    @BeforeAll
    static void start() throws Exception {
        Path tokens = work.resolve("tokens.csv");
        Files.writeString(tokens, """
                token-dev,dev,uid-dev,"developers"
                token-viewer,viewer,uid-viewer,""
                token-nobody,nobody,uid-nobody,""
                token-impersonator,impersonator,uid-impersonator,""
                """);
        server = StandaloneServer.start(StandaloneServer.Options.of(work.resolve("data"), "127.0.0.1", 0, false)
                .withoutReconcilers()
                .withTokenFile(tokens)
                .withPortal("127.0.0.1", 0));
        channels = new PortalChannels(server.portalPort().orElseThrow(), server.caCertificate());
        channel = channels.anonymous();
        rest = new RestCalls(server.port(), server.caCertificate());
        for (String namespace : List.of(DEV_NS, OTHER_NS)) {
            admin(
                    "POST",
                    "/api/v1/namespaces",
                    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + namespace + "\"}}");
        }
        admin("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/" + DEV_NS + "/roles", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"db-dev"},
                 "rules":[{"apiGroups":["dbops.dbprovision.io"],"resources":["databases"],
                           "verbs":["get","list","watch","create","update","patch","delete"]}]}""");
        admin("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/" + DEV_NS + "/rolebindings", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"db-dev"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"db-dev"},
                 "subjects":[{"kind":"User","name":"dev","apiGroup":"rbac.authorization.k8s.io"}]}""");
        admin("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"portal-viewer"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},
                 "subjects":[{"kind":"User","name":"viewer","apiGroup":"rbac.authorization.k8s.io"}]}""");
        admin("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"portal-impersonate"},
                 "rules":[{"apiGroups":[""],"resources":["users","groups"],"verbs":["impersonate"]}]}""");
        admin("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", """
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"portal-impersonate"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"portal-impersonate"},
                 "subjects":[{"kind":"User","name":"impersonator","apiGroup":"rbac.authorization.k8s.io"}]}""");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (rest.send("token-dev", "GET", DATABASES.formatted(DEV_NS), null).code() != 200
                || rest.send("token-viewer", "GET", DATABASES.formatted(OTHER_NS), null)
                                .code()
                        != 200) {
            assertThat(System.nanoTime()).as("RBAC bindings take effect").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stop() {
        channels.close();
        server.close();
    }

    private static void admin(String method, String path, String json) {
        var response = rest.send(server.adminToken(), method, path, json);
        assertThat(response.code())
                .as(method + " " + path + ": " + response.body())
                .isBetween(200, 201);
    }

    private static String databaseJson(String name) {
        return "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"Database\",\"metadata\":{\"name\":\""
                + name + "\"},\"spec\":{\"instanceRef\":{\"name\":\"pg\"},\"deletionProtection\":false}}";
    }

    private static Database database(String name) {
        return Database.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName(name))
                .setSpec(DatabaseSpec.newBuilder()
                        .setInstanceRef(InstanceReference.newBuilder().setName("pg"))
                        .setDeletionProtection(false))
                .build();
    }

    private static DatabasesServiceGrpc.DatabasesServiceBlockingStub grpc(Who who) {
        var stub = bearer(DatabasesServiceGrpc.newBlockingStub(channel), who.token());
        return who.impersonates().isEmpty() ? stub : metadata(stub, Map.of("impersonate-user", who.impersonates()));
    }

    private static RestCalls.Response rest(Who who, String method, String path, String json) {
        if (who.impersonates().isEmpty()) {
            return rest.send(who.token(), method, path, json);
        }
        return rest.sendImpersonating(who.token(), who.impersonates(), method, path, json);
    }

    /** The gRPC outcome as the REST code it stands for: 200 when it succeeded. */
    private static int outcome(Supplier<?> call) {
        try {
            call.get();
            return 200;
        } catch (StatusRuntimeException e) {
            return switch (e.getStatus().getCode()) {
                case PERMISSION_DENIED -> 403;
                case UNAUTHENTICATED -> 401;
                case NOT_FOUND -> 404;
                case ALREADY_EXISTS -> 409;
                case ABORTED -> 409;
                case INVALID_ARGUMENT -> 422;
                case DEADLINE_EXCEEDED -> 200; // a watch that was allowed and saw nothing
                default -> 500 + e.getStatus().getCode().value();
            };
        }
    }

    private static int restOutcome(RestCalls.Response response) {
        int code = response.code();
        if (code == 201) {
            return 200;
        }
        return code == 400 ? 422 : code;
    }

    @Test
    void everyMethodEndsAsItsRestEquivalentForEveryCallerAndNamespace() {
        List<String> mismatches = new ArrayList<>();
        for (String namespace : List.of(DEV_NS, OTHER_NS)) {
            String collection = DATABASES.formatted(namespace);
            for (Who who : CALLERS) {
                String tag = who.name().replace("-as-", "as");
                // fixtures for get, update and delete, created by the admin
                for (String name : List.of("fixture-" + tag, "del-rest-" + tag, "del-grpc-" + tag)) {
                    admin("POST", collection, databaseJson(name));
                }
                String fixture = "fixture-" + tag;
                String resource = "namespaces/" + namespace + "/databases/";
                compare(
                        mismatches,
                        who,
                        namespace,
                        "get",
                        restOutcome(rest(who, "GET", collection + "/" + fixture, null)),
                        outcome(() -> grpc(who)
                                .getDatabase(GetDatabaseRequest.newBuilder()
                                        .setName(resource + fixture)
                                        .build())));
                compare(
                        mismatches,
                        who,
                        namespace,
                        "list",
                        restOutcome(rest(who, "GET", collection, null)),
                        outcome(() -> grpc(who)
                                .listDatabases(ListDatabasesRequest.newBuilder()
                                        .setParent("namespaces/" + namespace)
                                        .build())));
                compare(
                        mismatches,
                        who,
                        namespace,
                        "create",
                        restOutcome(rest(who, "POST", collection, databaseJson("new-rest-" + tag))),
                        outcome(() -> grpc(who)
                                .createDatabase(CreateDatabaseRequest.newBuilder()
                                        .setParent("namespaces/" + namespace)
                                        .setDatabase(database("new-grpc-" + tag))
                                        .build())));
                var current = rest.send(server.adminToken(), "GET", collection + "/" + fixture, null);
                compare(
                        mismatches,
                        who,
                        namespace,
                        "update",
                        restOutcome(rest(who, "PUT", collection + "/" + fixture, current.body())),
                        outcome(() -> grpc(who)
                                .updateDatabase(UpdateDatabaseRequest.newBuilder()
                                        .setDatabase(database(fixture).toBuilder()
                                                .setMetadata(ObjectMeta.newBuilder()
                                                        .setName(fixture)
                                                        .setNamespace(namespace)))
                                        .build())));
                compare(
                        mismatches,
                        who,
                        namespace,
                        "delete",
                        restOutcome(rest(who, "DELETE", collection + "/del-rest-" + tag, null)),
                        outcome(() -> grpc(who)
                                .deleteDatabase(DeleteDatabaseRequest.newBuilder()
                                        .setName(resource + "del-grpc-" + tag)
                                        .build())));
                compare(
                        mismatches,
                        who,
                        namespace,
                        "watch",
                        restOutcome(rest(who, "GET", collection + "?watch=true&timeoutSeconds=1", null)),
                        outcome(() -> grpc(who)
                                .withDeadlineAfter(1, TimeUnit.SECONDS)
                                .watchDatabases(WatchDatabasesRequest.newBuilder()
                                        .setParent("namespaces/" + namespace)
                                        .build())
                                .hasNext()));
            }
        }
        for (Who who : CALLERS) {
            compare(
                    mismatches,
                    who,
                    "(cluster)",
                    "list databases in every namespace",
                    restOutcome(rest(who, "GET", "/apis/dbops.dbprovision.io/v1alpha1/databases", null)),
                    outcome(() -> grpc(who).listDatabases(ListDatabasesRequest.getDefaultInstance())));
            var roles = bearer(ClusterDatabaseRolesServiceGrpc.newBlockingStub(channel), who.token());
            var asked = who.impersonates().isEmpty()
                    ? roles
                    : metadata(roles, Map.of("impersonate-user", who.impersonates()));
            compare(
                    mismatches,
                    who,
                    "(cluster)",
                    "list clusterdatabaseroles",
                    restOutcome(rest(who, "GET", "/apis/dbops.dbprovision.io/v1alpha1/clusterdatabaseroles", null)),
                    outcome(() ->
                            asked.listClusterDatabaseRoles(ListClusterDatabaseRolesRequest.getDefaultInstance())));
        }
        assertThat(mismatches).isEmpty();
    }

    private static void compare(List<String> mismatches, Who who, String namespace, String method, int rest, int grpc) {
        if (rest != grpc) {
            mismatches.add(who.name() + " " + method + " in " + namespace + ": REST " + rest + ", gRPC " + grpc);
        }
    }

    @Test
    void aRefusedImpersonationIsPermissionDenied() {
        Who refused = CALLERS.get(4);
        var failure = PortalChannels.failure(() -> grpc(refused)
                .listDatabases(ListDatabasesRequest.newBuilder()
                        .setParent("namespaces/" + DEV_NS)
                        .build()));
        assertThat(PortalChannels.code(failure)).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(failure.getStatus().getDescription()).contains("cannot impersonate");
    }
}
