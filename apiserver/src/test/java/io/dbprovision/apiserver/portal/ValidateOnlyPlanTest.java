package io.dbprovision.apiserver.portal;

import static io.dbprovision.apiserver.portal.PortalChannels.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.server.StandaloneServer;
import io.dbprovision.proto.engine.v1alpha1.PlannedStatement;
import io.dbprovision.proto.portal.v1alpha1.AccessProfile;
import io.dbprovision.proto.portal.v1alpha1.CreateDatabaseInstanceRequest;
import io.dbprovision.proto.portal.v1alpha1.CreateDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.CreateDatabaseUserRequest;
import io.dbprovision.proto.portal.v1alpha1.DatabaseInstancesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DatabaseUserWrite;
import io.dbprovision.proto.portal.v1alpha1.DatabaseUsersServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DatabaseWrite;
import io.dbprovision.proto.portal.v1alpha1.DatabasesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.GetConnectionRequest;
import io.dbprovision.proto.portal.v1alpha1.GetDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.GetDatabaseUserRequest;
import io.dbprovision.proto.portal.v1alpha1.PortalServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseProgress;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseRequest;
import io.dbprovision.proto.portal.v1alpha1.UpdateDatabaseUserRequest;
import io.dbprovision.proto.v1alpha1.ConnectionConfig;
import io.dbprovision.proto.v1alpha1.CredentialSecretRef;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseInstanceSpec;
import io.dbprovision.proto.v1alpha1.DatabaseSpec;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.DatabaseUserSpec;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.InstanceReference;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code validate_only} writes answer the SQL the provisioner would run, on the real standalone server with its
 * reconcilers and provisioner and the machine's PostgreSQL: a Database plans {@code CREATE DATABASE} while nothing is
 * stored and nothing is created on the server; a DatabaseUser's plan sets a password without ever showing one; an
 * instance that does not exist gives no statements and a warning, not an error.
 */
class ValidateOnlyPlanTest {
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/";

    @TempDir
    static Path work;

    static StandaloneServer server;
    static PortalChannels channels;
    static ManagedChannel channel;

    @BeforeAll
    static void start() throws SQLException {
        dropEngineObjects();
        server = StandaloneServer.start(StandaloneServer.Options.of(work.resolve("data"), "127.0.0.1", 0, false)
                .withPortal("127.0.0.1", 0));
        channels = new PortalChannels(server.portalPort().orElseThrow(), server.caCertificate());
        channel = channels.anonymous();
        var created = new RestCalls(server.port(), server.caCertificate())
                .send(server.adminToken(), "POST", "/api/v1/namespaces/default/secrets", """
                        {"apiVersion":"v1","kind":"Secret","metadata":{"name":"plan-pg-admin"},
                         "stringData":{"username":"postgres","password":""}}""");
        assertThat(created.code()).as(created.body()).isEqualTo(201);
        bearer(DatabaseInstancesServiceGrpc.newBlockingStub(channel), server.adminToken())
                .createDatabaseInstance(CreateDatabaseInstanceRequest.newBuilder()
                        .setParent("namespaces/default")
                        .setDatabaseInstance(DatabaseInstance.newBuilder()
                                .setMetadata(ObjectMeta.newBuilder().setName("plan-pg"))
                                .setSpec(DatabaseInstanceSpec.newBuilder()
                                        .setEngine(EngineType.ENGINE_TYPE_POSTGRES)
                                        .setConnection(ConnectionConfig.newBuilder()
                                                .setHost("127.0.0.1")
                                                .setPort(5432)
                                                .setDatabase("postgres")
                                                .setSecretRef(CredentialSecretRef.newBuilder()
                                                        .setName("plan-pg-admin")))
                                        .setDeletionProtection(false)))
                        .build());
        // A database, user and grant that converge: the instance is Ready after it, and the user exists.
        List<RequestDatabaseProgress> progress = new ArrayList<>();
        portal().requestDatabase(request("plan-app", false)).forEachRemaining(progress::add);
        assertThat(progress.getLast().getReady())
                .as(progress.getLast().getMessage())
                .isTrue();
    }

    @AfterAll
    static void stop() throws SQLException {
        if (channels != null) {
            channels.close();
        }
        if (server != null) {
            server.close();
        }
        dropEngineObjects();
    }

    @Test
    void aDatabaseDryRunPlansCreateDatabaseAndNothingIsStoredOrCreated() throws SQLException {
        DatabaseWrite answer = databases()
                .createDatabase(CreateDatabaseRequest.newBuilder()
                        .setParent("namespaces/default")
                        .setDatabase(database("plan-dry", "plan-pg", "default_plan_dry"))
                        .setValidateOnly(true)
                        .build());

        assertThat(answer.getPlanList())
                .as(answer.getWarningsList().toString())
                .anySatisfy(statement -> assertThat(statement.getSql())
                        .startsWithIgnoringCase("CREATE DATABASE")
                        .contains("default_plan_dry"));
        assertThat(PortalChannels.failure(() -> databases()
                                .getDatabase(GetDatabaseRequest.newBuilder()
                                        .setName("namespaces/default/databases/plan-dry")
                                        .build()))
                        .getStatus()
                        .getCode())
                .isEqualTo(Status.Code.NOT_FOUND);
        assertThat(databaseExists("default_plan_dry")).isFalse();
    }

    @Test
    void aRequestDatabaseDryRunPlansTheDatabaseAndTheUser() throws SQLException {
        List<RequestDatabaseProgress> messages = new ArrayList<>();
        portal().requestDatabase(request("plan-request-dry", true)).forEachRemaining(messages::add);

        assertThat(messages).hasSize(1);
        List<String> sql = messages.getFirst().getPlanList().stream()
                .map(PlannedStatement::getSql)
                .toList();
        assertThat(sql).anySatisfy(s -> assertThat(s).startsWithIgnoringCase("CREATE DATABASE"));
        assertThat(sql).anySatisfy(s -> assertThat(s).startsWithIgnoringCase("CREATE ROLE"));
        // the grant's user does not exist yet, so its privileges cannot be planned: said, not failed
        assertThat(messages.getFirst().getMessage()).contains("no plan for DatabaseGrant default/plan-request-dry-");
        assertThat(databaseExists("default_plan_request_dry")).isFalse();
    }

    @Test
    void aDatabaseUserPlanSetsAPasswordWithoutEverShowingIt() {
        DatabaseUserWrite fresh = users().createDatabaseUser(CreateDatabaseUserRequest.newBuilder()
                .setParent("namespaces/default")
                .setDatabaseUser(DatabaseUser.newBuilder()
                        .setMetadata(ObjectMeta.newBuilder().setName("plan-fresh-user"))
                        .setSpec(DatabaseUserSpec.newBuilder()
                                .setInstanceRef(InstanceReference.newBuilder().setName("plan-pg"))
                                .setUsername("default_plan_fresh_user")))
                .setValidateOnly(true)
                .build());
        assertThat(fresh.getPlanList())
                .as(fresh.getWarningsList().toString())
                .anySatisfy(statement -> assertThat(statement.getSql())
                        .startsWithIgnoringCase("CREATE ROLE")
                        .contains("<redacted>"));
        assertThat(fresh.toString()).doesNotContain("SCRAM-SHA-256$");

        // An existing user: the plan is made with the password its Secret holds, which appears nowhere.
        String password = portal().getConnection(GetConnectionRequest.newBuilder()
                        .setName("namespaces/default/databaseusers/plan-app-owner")
                        .setIncludePassword(true)
                        .build())
                .getPassword();
        assertThat(password).isNotEmpty();
        DatabaseUser existing = users().getDatabaseUser(GetDatabaseUserRequest.newBuilder()
                .setName("namespaces/default/databaseusers/plan-app-owner")
                .build());
        DatabaseUser changed = existing.toBuilder()
                .setSpec(existing.getSpec().toBuilder()
                        .setPostgres(
                                existing.getSpec().getPostgres().toBuilder().setConnectionLimit(7)))
                .build();
        DatabaseUserWrite update = users().updateDatabaseUser(UpdateDatabaseUserRequest.newBuilder()
                .setDatabaseUser(changed)
                .setValidateOnly(true)
                .build());
        assertThat(update.getPlanList())
                .as(update.getWarningsList().toString())
                .anySatisfy(statement -> assertThat(statement.getSql()).contains("CONNECTION LIMIT 7"));
        assertThat(update.toString()).doesNotContain(password).doesNotContain("SCRAM-SHA-256$");
        assertThat(users().getDatabaseUser(GetDatabaseUserRequest.newBuilder()
                                .setName("namespaces/default/databaseusers/plan-app-owner")
                                .build())
                        .getSpec()
                        .getPostgres())
                .isEqualTo(existing.getSpec().getPostgres());
    }

    @Test
    void anInstanceThatDoesNotExistGivesNoStatementsAndAWarning() {
        DatabaseWrite answer = databases()
                .createDatabase(CreateDatabaseRequest.newBuilder()
                        .setParent("namespaces/default")
                        .setDatabase(database("plan-nowhere", "plan-missing", "default_plan_nowhere"))
                        .setValidateOnly(true)
                        .build());

        assertThat(answer.getPlanList()).isEmpty();
        assertThat(answer.getWarningsList())
                .anySatisfy(warning -> assertThat(warning)
                        .contains("no plan for Database default/plan-nowhere")
                        .contains("DatabaseInstance default/plan-missing does not exist"));
    }

    // ---- helpers

    private static Database database(String name, String instance, String databaseName) {
        return Database.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName(name))
                .setSpec(DatabaseSpec.newBuilder()
                        .setInstanceRef(InstanceReference.newBuilder().setName(instance))
                        .setName(databaseName)
                        .setDeletionProtection(false))
                .build();
    }

    private static RequestDatabaseRequest request(String database, boolean validateOnly) {
        return RequestDatabaseRequest.newBuilder()
                .setNamespace("default")
                .setInstance("plan-pg")
                .setDatabase(database)
                .setProfile(AccessProfile.OWNER)
                .setValidateOnly(validateOnly)
                .build();
    }

    private static PortalServiceGrpc.PortalServiceBlockingStub portal() {
        return bearer(PortalServiceGrpc.newBlockingStub(channel), server.adminToken())
                .withDeadlineAfter(3, TimeUnit.MINUTES);
    }

    private static DatabasesServiceGrpc.DatabasesServiceBlockingStub databases() {
        return bearer(DatabasesServiceGrpc.newBlockingStub(channel), server.adminToken())
                .withDeadlineAfter(2, TimeUnit.MINUTES);
    }

    private static DatabaseUsersServiceGrpc.DatabaseUsersServiceBlockingStub users() {
        return bearer(DatabaseUsersServiceGrpc.newBlockingStub(channel), server.adminToken())
                .withDeadlineAfter(2, TimeUnit.MINUTES);
    }

    private static boolean databaseExists(String name) throws SQLException {
        try (var admin = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "");
                var query = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            query.setString(1, name);
            try (ResultSet result = query.executeQuery()) {
                return result.next();
            }
        }
    }

    private static void dropEngineObjects() throws SQLException {
        try (var admin = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "");
                Statement sql = admin.createStatement()) {
            for (String database : List.of("default_plan_app", "default_plan_dry", "default_plan_request_dry")) {
                sql.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
            for (String role : List.of("default_plan_app_owner", "default_plan_fresh_user")) {
                sql.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }
}
