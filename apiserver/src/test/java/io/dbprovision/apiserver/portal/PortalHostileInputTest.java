package io.dbprovision.apiserver.portal;

import static io.dbprovision.apiserver.portal.PortalChannels.bearer;
import static io.dbprovision.apiserver.portal.PortalChannels.code;
import static io.dbprovision.apiserver.portal.PortalChannels.failure;
import static io.dbprovision.apiserver.portal.PortalChannels.metadata;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.FieldMask;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import io.dbprovision.apiserver.audit.AuditOptions;
import io.dbprovision.apiserver.server.Pki;
import io.dbprovision.proto.portal.v1alpha1.CreateDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.DatabaseEvent;
import io.dbprovision.proto.portal.v1alpha1.DatabasesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DeleteDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.GetDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.ListDatabasesRequest;
import io.dbprovision.proto.portal.v1alpha1.ListDatabasesResponse;
import io.dbprovision.proto.portal.v1alpha1.PortalServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.UpdateDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.WatchDatabasesRequest;
import io.dbprovision.proto.v1alpha1.Database;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The portal as an attacker and a careless client use it: malformed resource names, oversized messages, unknown
 * mask paths, forged and foreign page tokens, missing and wrong credentials, a client certificate of another CA,
 * bogus watch versions, many concurrent streams — each answered with a clean status (never INTERNAL or UNKNOWN) and
 * nothing stored half-way. Also the well-behaved side of the same methods: pagination, update masks and etags, and
 * the audit line of a gRPC call next to its REST twin's.
 */
class PortalHostileInputTest {
    @TempDir
    static Path work;

    static PortalFixture portal;
    static Path auditLog;

    @BeforeAll
    static void start() {
        auditLog = work.resolve("audit.log");
        portal = PortalFixture.start(
                work, options -> options.withAudit(AuditOptions.defaults().withLogPath(auditLog.toString())));
    }

    @AfterAll
    static void stop() {
        portal.close();
    }

    static Database database(String name) {
        return PortalFixture.database(name, "hostile");
    }

    static Database create(String name) {
        return portal.databases()
                .createDatabase(CreateDatabaseRequest.newBuilder()
                        .setParent("namespaces/default")
                        .setDatabase(database(name))
                        .build())
                .getDatabase();
    }

    static void assertClean(StatusRuntimeException failure, Status.Code expected) {
        assertThat(code(failure)).as(failure.getMessage()).isEqualTo(expected);
        assertThat(code(failure)).isNotIn(Status.Code.INTERNAL, Status.Code.UNKNOWN);
    }

    static void assertInvalidField(StatusRuntimeException failure, String field) {
        assertClean(failure, Status.Code.INVALID_ARGUMENT);
        assertThat(PortalChannels.detail(failure, BadRequest.class).getFieldViolationsList())
                .extracting(BadRequest.FieldViolation::getField)
                .contains(field);
        assertThat(PortalChannels.detail(failure, ErrorInfo.class).getDomain()).isEqualTo("dbops.dbprovision.io");
    }

    @Test
    void malformedResourceNamesAreInvalidArgumentsNamingTheField() {
        List<String> names = List.of(
                "",
                "orders",
                "databases/orders",
                "namespaces/default/databases",
                "namespaces/default/databases/",
                "namespaces/default/databases/orders/status",
                "namespaces/default/databaseusers/orders",
                "namespaces/Default/databases/orders",
                "namespaces/default/databases/Orders",
                "namespaces/default/databases/..",
                "namespaces/default/databases/a%2Fb",
                "namespaces/default/databases/" + "a".repeat(254),
                "namespaces/" + "n".repeat(64) + "/databases/orders",
                "namespaces/default/databases/ordérs",
                "namespaces/default/databases/a\u0000b",
                "//namespaces/default/databases/orders");
        for (String name : names) {
            assertInvalidField(
                    failure(() -> portal.databases()
                            .getDatabase(GetDatabaseRequest.newBuilder()
                                    .setName(name)
                                    .build())),
                    "name");
            assertInvalidField(
                    failure(() -> portal.databases()
                            .deleteDatabase(DeleteDatabaseRequest.newBuilder()
                                    .setName(name)
                                    .build())),
                    "name");
        }
        assertInvalidField(
                failure(() -> portal.databases()
                        .listDatabases(ListDatabasesRequest.newBuilder()
                                .setParent("namespace/default")
                                .build())),
                "parent");
    }

    @Test
    void oversizedMessagesAreRefusedAndNothingIsStored() {
        // Above our limit (4 MiB) but within what the transport reads (8 MiB): INVALID_ARGUMENT, naming the limit.
        Database huge = database("hostile-huge").toBuilder()
                .setMetadata(database("hostile-huge").getMetadata().toBuilder()
                        .putAnnotations("big", "x".repeat(5 * 1024 * 1024)))
                .build();
        StatusRuntimeException oversized = failure(() -> portal.databases()
                .createDatabase(CreateDatabaseRequest.newBuilder()
                        .setParent("namespaces/default")
                        .setDatabase(huge)
                        .build()));
        assertInvalidField(oversized, "database");
        assertThat(PortalChannels.detail(oversized, BadRequest.class)
                        .getFieldViolations(0)
                        .getDescription())
                .contains("more than the limit of 4194304 bytes (4 MiB)");
        // The same on a method of PortalService.
        StatusRuntimeException oversizedRequest =
                failure(() -> bearer(PortalServiceGrpc.newBlockingStub(portal.channel), portal.server.adminToken())
                        .requestDatabase(RequestDatabaseRequest.newBuilder()
                                .setNamespace("default")
                                .setInstance("pg")
                                .setDatabase("hostile-huge")
                                .putLabels("big", "x".repeat(5 * 1024 * 1024))
                                .build())
                        .hasNext());
        assertInvalidField(oversizedRequest, "labels");
        // Beyond the transport's limit gRPC itself refuses the message before it is parsed.
        Database enormous = database("hostile-enormous").toBuilder()
                .setMetadata(database("hostile-enormous").getMetadata().toBuilder()
                        .putAnnotations("big", "x".repeat(9 * 1024 * 1024)))
                .build();
        assertClean(
                failure(() -> portal.databases()
                        .createDatabase(CreateDatabaseRequest.newBuilder()
                                .setParent("namespaces/default")
                                .setDatabase(enormous)
                                .build())),
                Status.Code.RESOURCE_EXHAUSTED);
        Database large = database("hostile-large").toBuilder()
                .setMetadata(database("hostile-large").getMetadata().toBuilder()
                        .putAnnotations("big", "x".repeat(3 * 1024 * 1024)))
                .build();
        assertClean(
                failure(() -> portal.databases()
                        .createDatabase(CreateDatabaseRequest.newBuilder()
                                .setParent("namespaces/default")
                                .setDatabase(large)
                                .build())),
                Status.Code.INVALID_ARGUMENT);
        for (String name : List.of("hostile-huge", "hostile-enormous", "hostile-large")) {
            assertClean(
                    failure(() -> portal.databases()
                            .getDatabase(GetDatabaseRequest.newBuilder()
                                    .setName("namespaces/default/databases/" + name)
                                    .build())),
                    Status.Code.NOT_FOUND);
        }
    }

    @Test
    void unknownMaskPathsAreRefusedBeforeAnythingIsWritten() {
        Database stored = create("hostile-mask");
        for (String path : List.of(
                "spec.nope",
                "status",
                "status.phase",
                "metadata.name",
                "metadata.uid",
                "",
                "spec..name",
                "spec.postgres.extensions.name",
                "x".repeat(600))) {
            assertInvalidField(
                    failure(() -> portal.databases()
                            .updateDatabase(UpdateDatabaseRequest.newBuilder()
                                    .setDatabase(stored.toBuilder()
                                            .setSpec(
                                                    stored.getSpec().toBuilder().setDeletionProtection(true)))
                                    .setUpdateMask(FieldMask.newBuilder()
                                            .addPaths("spec.deletion_protection")
                                            .addPaths(path))
                                    .build())),
                    "update_mask.paths[1]");
        }
        assertThat(portal.databases()
                        .getDatabase(GetDatabaseRequest.newBuilder()
                                .setName("namespaces/default/databases/hostile-mask")
                                .build())
                        .getMetadata()
                        .getResourceVersion())
                .isEqualTo(stored.getMetadata().getResourceVersion());
    }

    @Test
    void anUpdateMaskReplacesOnlyWhatItNamesAndAStaleEtagIsAborted() {
        Database stored = create("hostile-update");
        Database changed = stored.toBuilder()
                .setMetadata(stored.getMetadata().toBuilder().putLabels("tier", "gold"))
                .setSpec(stored.getSpec().toBuilder().setName("ignored_because_unmasked"))
                .build();
        Database updated = portal.databases()
                .updateDatabase(UpdateDatabaseRequest.newBuilder()
                        .setDatabase(changed)
                        .setUpdateMask(FieldMask.newBuilder().addPaths("metadata.labels"))
                        .build())
                .getDatabase();
        assertThat(updated.getMetadata().getLabelsMap()).containsEntry("tier", "gold");
        assertThat(updated.getSpec().getName()).isEqualTo(stored.getSpec().getName());
        // the JSON spelling of a path works too
        Database retained = portal.databases()
                .updateDatabase(UpdateDatabaseRequest.newBuilder()
                        .setDatabase(updated.toBuilder()
                                .setSpec(updated.getSpec().toBuilder().setDeletionProtection(true)))
                        .setUpdateMask(FieldMask.newBuilder().addPaths("spec.deletionProtection"))
                        .build())
                .getDatabase();
        assertThat(retained.getSpec().getDeletionProtection()).isTrue();
        // stale: the etag of the first version
        StatusRuntimeException stale = failure(() -> portal.databases()
                .updateDatabase(
                        UpdateDatabaseRequest.newBuilder().setDatabase(changed).build()));
        assertClean(stale, Status.Code.ABORTED);
        assertThat(PortalChannels.detail(stale, PreconditionFailure.class).getViolationsCount())
                .isOne();
        Database unprotected = create("hostile-stale-delete");
        portal.databases()
                .updateDatabase(UpdateDatabaseRequest.newBuilder()
                        .setDatabase(unprotected.toBuilder()
                                .setMetadata(
                                        unprotected.getMetadata().toBuilder().putLabels("tier", "silver")))
                        .setUpdateMask(FieldMask.newBuilder().addPaths("metadata.labels"))
                        .build());
        StatusRuntimeException staleDelete = failure(() -> portal.databases()
                .deleteDatabase(DeleteDatabaseRequest.newBuilder()
                        .setName("namespaces/default/databases/hostile-stale-delete")
                        .setEtag(unprotected.getMetadata().getResourceVersion())
                        .build()));
        assertClean(staleDelete, Status.Code.ABORTED);
        assertInvalidField(
                failure(() -> portal.databases()
                        .deleteDatabase(DeleteDatabaseRequest.newBuilder()
                                .setName("namespaces/default/databases/hostile-update")
                                .setEtag("not-a-version")
                                .build())),
                "etag");
    }

    @Test
    void pagesFollowEachOtherAndForgedOrForeignTokensAreRefused() {
        for (int i = 0; i < 7; i++) {
            portal.databases()
                    .createDatabase(CreateDatabaseRequest.newBuilder()
                            .setParent("namespaces/default")
                            .setDatabase(database("hostile-page-" + i).toBuilder()
                                    .setMetadata(database("hostile-page-" + i).getMetadata().toBuilder()
                                            .putLabels("paged", "yes")))
                            .build());
        }
        List<String> names = new ArrayList<>();
        String token = "";
        int pages = 0;
        String firstToken = null;
        do {
            ListDatabasesResponse page = portal.databases()
                    .listDatabases(ListDatabasesRequest.newBuilder()
                            .setParent("namespaces/default")
                            .setLabelSelector("paged=yes")
                            .setPageSize(3)
                            .setPageToken(token)
                            .build());
            page.getDatabasesList().forEach(db -> names.add(db.getMetadata().getName()));
            token = page.getNextPageToken();
            firstToken = firstToken == null ? token : firstToken;
            pages++;
        } while (!token.isEmpty());
        assertThat(pages).isEqualTo(3);
        assertThat(names).hasSize(7).doesNotHaveDuplicates();
        String foreign = firstToken;
        assertInvalidField(
                failure(() -> portal.databases()
                        .listDatabases(ListDatabasesRequest.newBuilder()
                                .setParent("namespaces/default")
                                .setLabelSelector("paged=no")
                                .setPageToken(foreign)
                                .build())),
                "page_token");
        String tampered = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(new String(Base64.getUrlDecoder().decode(foreign))
                        .replaceAll("\n[^\n]*$", "\nbm90LWEtdG9rZW4")
                        .getBytes());
        for (String forged : List.of("garbage!!", "AAAA", tampered, "x".repeat(5000))) {
            StatusRuntimeException refused = failure(() -> portal.databases()
                    .listDatabases(ListDatabasesRequest.newBuilder()
                            .setParent("namespaces/default")
                            .setLabelSelector("paged=yes")
                            .setPageToken(forged)
                            .build()));
            assertClean(refused, Status.Code.INVALID_ARGUMENT);
        }
        assertInvalidField(
                failure(() -> portal.databases()
                        .listDatabases(ListDatabasesRequest.newBuilder()
                                .setPageSize(-1)
                                .build())),
                "page_size");
        assertThat(portal.databases()
                        .listDatabases(ListDatabasesRequest.newBuilder()
                                .setParent("namespaces/default")
                                .setPageSize(1_000_000)
                                .build())
                        .getDatabasesCount())
                .isPositive();
    }

    @Test
    void missingWrongAndForeignCredentialsAreUnauthenticated() throws Exception {
        GetDatabaseRequest get = GetDatabaseRequest.newBuilder()
                .setName("namespaces/default/databases/anything")
                .build();
        assertClean(
                failure(() ->
                        DatabasesServiceGrpc.newBlockingStub(portal.channel).getDatabase(get)),
                Status.Code.UNAUTHENTICATED);
        assertClean(
                failure(() -> bearer(DatabasesServiceGrpc.newBlockingStub(portal.channel), "wrong")
                        .getDatabase(get)),
                Status.Code.UNAUTHENTICATED);
        assertClean(
                failure(() -> metadata(
                                DatabasesServiceGrpc.newBlockingStub(portal.channel),
                                Map.of("authorization", "Basic YTpi"))
                        .getDatabase(get)),
                Status.Code.UNAUTHENTICATED);
        Pki.Issued otherCa = Pki.newCa("portal-hostile-other-ca", Duration.ofDays(1));
        Pki.Issued mallory = Pki.newClient(otherCa, "admin", List.of("system:masters"), Duration.ofDays(1));
        Path cert = work.resolve("mallory.crt");
        Path key = work.resolve("mallory.key");
        mallory.write(cert, key);
        ManagedChannel foreign = portal.channels.withCertificate(cert, key);
        assertClean(
                failure(() -> DatabasesServiceGrpc.newBlockingStub(foreign).getDatabase(get)),
                Status.Code.UNAUTHENTICATED);
        // the admin's own certificate is accepted
        ManagedChannel admin = portal.channels.withCertificate(
                portal.server.dataDir().resolve("pki/admin.crt"),
                portal.server.dataDir().resolve("pki/admin.key"));
        assertClean(failure(() -> DatabasesServiceGrpc.newBlockingStub(admin).getDatabase(get)), Status.Code.NOT_FOUND);
        assertClean(
                failure(() -> metadata(portal.databases(), Map.of("impersonate-group", "system:masters"))
                        .getDatabase(get)),
                Status.Code.INVALID_ARGUMENT);
        assertClean(
                failure(() -> metadata(portal.databases(), Map.of("x-field-manager", "a".repeat(200)))
                        .getDatabase(get)),
                Status.Code.INVALID_ARGUMENT);
        // health answers without credentials
        assertThat(HealthGrpc.newBlockingStub(portal.channel)
                        .check(HealthCheckRequest.getDefaultInstance())
                        .getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void bogusWatchVersionsAreRefusedCleanly() {
        for (String version : List.of("abc", "-1", "1.5", "99999999999999999999", " 1")) {
            Iterator<DatabaseEvent> events = portal.databases()
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .watchDatabases(WatchDatabasesRequest.newBuilder()
                            .setParent("namespaces/default")
                            .setResourceVersion(version)
                            .build());
            assertInvalidField(failure(events::hasNext), "resource_version");
        }
        Iterator<DatabaseEvent> future = portal.databases()
                .withDeadlineAfter(20, TimeUnit.SECONDS)
                .watchDatabases(WatchDatabasesRequest.newBuilder()
                        .setParent("namespaces/default")
                        .setResourceVersion("999999999999")
                        .build());
        StatusRuntimeException tooNew = failure(future::hasNext);
        assertThat(code(tooNew)).isIn(Status.Code.UNAVAILABLE, Status.Code.OUT_OF_RANGE);
        assertClean(
                failure(() -> portal.databases()
                        .watchDatabases(WatchDatabasesRequest.newBuilder()
                                .setParent("namespaces/default")
                                .setFieldSelector("spec.secret=1")
                                .build())
                        .hasNext()),
                Status.Code.INVALID_ARGUMENT);
    }

    @Test
    void manyConcurrentWatchesAreServedAndCancelledWithoutHarm() throws Exception {
        create("hostile-watched");
        List<Context.CancellableContext> contexts = new ArrayList<>();
        List<Iterator<DatabaseEvent>> streams = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Context.CancellableContext context = Context.current().withCancellation();
            contexts.add(context);
            streams.add(context.call(() -> portal.databases()
                    .watchDatabases(WatchDatabasesRequest.newBuilder()
                            .setParent("namespaces/default")
                            .setFieldSelector("metadata.name=hostile-watched")
                            .build())));
        }
        for (Iterator<DatabaseEvent> stream : streams) {
            assertThat(stream.next().getDatabase().getMetadata().getName()).isEqualTo("hostile-watched");
        }
        contexts.forEach(context -> context.cancel(null));
        assertThat(portal.databases()
                        .getDatabase(GetDatabaseRequest.newBuilder()
                                .setName("namespaces/default/databases/hostile-watched")
                                .build())
                        .getMetadata()
                        .getName())
                .isEqualTo("hostile-watched");
    }

    @Test
    void aGrpcCallIsAuditedAsItsRestTwin() throws Exception {
        create("hostile-audited");
        portal.databases()
                .getDatabase(GetDatabaseRequest.newBuilder()
                        .setName("namespaces/default/databases/hostile-audited")
                        .build());
        RestCalls rest = new RestCalls(portal.server.port(), portal.server.caCertificate());
        assertThat(rest.send(
                                portal.server.adminToken(),
                                "GET",
                                "/apis/dbops.dbprovision.io/v1alpha1/namespaces/default/databases/hostile-audited",
                                null)
                        .code())
                .isEqualTo(200);
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> gets = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gets.size() < 2 && System.nanoTime() < deadline) {
            gets.clear();
            for (String line : Files.readAllLines(auditLog)) {
                JsonNode event = json.readTree(line);
                if (event.path("verb").asText().equals("get")
                        && event.path("objectRef").path("name").asText().equals("hostile-audited")) {
                    gets.add(event);
                }
            }
            Thread.sleep(50);
        }
        assertThat(gets).hasSize(2);
        for (String field : List.of("verb", "requestURI", "objectRef", "user", "responseStatus", "level", "stage")) {
            assertThat(gets.get(0).get(field)).as(field).isEqualTo(gets.get(1).get(field));
        }
        assertThat(gets.get(0).path("user").path("username").asText()).isEqualTo("admin");
        assertThat(gets.get(0).path("responseStatus").path("code").asInt()).isEqualTo(200);
    }
}
