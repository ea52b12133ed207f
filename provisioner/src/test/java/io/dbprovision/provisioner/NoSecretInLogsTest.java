package io.dbprovision.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Message;
import io.dbprovision.proto.engine.v1alpha1.ApplyGrantsRequest;
import io.dbprovision.proto.engine.v1alpha1.CheckInstanceRequest;
import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.DropDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.DropRoleRequest;
import io.dbprovision.proto.engine.v1alpha1.DropUserRequest;
import io.dbprovision.proto.engine.v1alpha1.EngineServiceGrpc;
import io.dbprovision.proto.engine.v1alpha1.EnsureDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.EnsureRoleRequest;
import io.dbprovision.proto.engine.v1alpha1.EnsureUserRequest;
import io.dbprovision.proto.engine.v1alpha1.GeneratePasswordRequest;
import io.dbprovision.proto.engine.v1alpha1.GrantSet;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.engine.v1alpha1.ObserveGrantsRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserRequest;
import io.dbprovision.proto.engine.v1alpha1.RoleDefinition;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.MySQLGrant;
import io.dbprovision.proto.v1alpha1.MySQLGrantConfig;
import io.dbprovision.proto.v1alpha1.MySQLGrantLevel;
import io.dbprovision.proto.v1alpha1.PasswordConfig;
import io.dbprovision.proto.v1alpha1.PostgresGrant;
import io.dbprovision.proto.v1alpha1.PostgresGrantConfig;
import io.dbprovision.provisioner.engine.Step;
import io.dbprovision.provisioner.engine.password.MySqlNativePassword;
import io.dbprovision.provisioner.engine.password.ScramSha256;
import io.dbprovision.provisioner.engine.tls.TestCertificates;
import io.dbprovision.provisioner.engine.tls.TlsMariaDb;
import io.dbprovision.provisioner.engine.tls.TlsPostgres;
import io.dbprovision.provisioner.server.ProvisionerServer;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 8's "no secret in any log": a full run through the real engine service (in process) against private
 * PostgreSQL and MariaDB servers that log every statement (log_statement=all, failed statements, connections; the
 * general query log), with the provisioner's own log captured at debug level. None of the passwords — generated,
 * second, admin, wrong admin — may appear in the provisioner's log, the servers' statement logs, any response or the
 * status and trailers of any failed call. The fixtures' admins get their passwords as a SCRAM verifier or a native
 * hash, so the test's own setup puts no plaintext in the server logs either.
 */
class NoSecretInLogsTest {
    static {
        // Before the first logger of these names exists: slf4j-simple reads a logger's level when creating it.
        System.setProperty("org.slf4j.simpleLogger.log.io.dbprovision", "debug");
        System.setProperty("org.slf4j.simpleLogger.log.com.zaxxer.hikari", "debug");
        System.setProperty("org.slf4j.simpleLogger.log.org.jooq", "debug");
    }

    private static final String ADMIN_PASSWORD = "dbplogAdmin" + random();
    private static final String WRONG_ADMIN_PASSWORD = "dbplogWrong" + random();
    private static final String PG_LOG = "server.log";
    private static final String MARIADB_LOG = "general.log";

    private static TestCertificates ca;
    private static TlsPostgres postgres;
    private static TlsMariaDb mariadb;

    private final List<String> seen = new ArrayList<>();

    @BeforeAll
    static void startServers() throws Exception {
        ca = TestCertificates.newCa("dbplog test CA");
        postgres = TlsPostgres.start(
                ca,
                List.of(
                        "host all dbplog_admin 127.0.0.1/32 scram-sha-256",
                        "host all dbplog_limited 127.0.0.1/32 scram-sha-256"),
                List.of(
                        "log_statement=all",
                        "log_min_error_statement=error",
                        "log_connections=on",
                        "log_disconnections=on"));
        String verifier = ScramSha256.verifier(ADMIN_PASSWORD);
        postgres.psql("create role dbplog_admin superuser login password '" + verifier + "'");
        // Logs in but may not create roles: the CREATE ROLE carrying the password fails on the server.
        postgres.psql("create role dbplog_limited login password '" + verifier + "'");

        mariadb = TlsMariaDb.start(
                ca,
                List.of(
                        "--general-log=ON",
                        "--general-log-file=" + "general.log",
                        "--log-output=FILE",
                        "--log-warnings=9"));
        String hash = MySqlNativePassword.hash(ADMIN_PASSWORD);
        // Anonymous accounts would shadow the test's accounts for 127.0.0.1 (resolved to localhost).
        mariadb.execute("delete from mysql.global_priv where user = ''");
        mariadb.execute("flush privileges");
        for (String host : List.of("%", "localhost")) {
            mariadb.execute("create user 'dbplog_admin'@'" + host + "' identified by password '" + hash + "'");
            mariadb.execute("grant all privileges on *.* to 'dbplog_admin'@'" + host + "' with grant option");
            mariadb.execute("create user 'dbplog_limited'@'" + host + "' identified by password '" + hash + "'");
            mariadb.execute("grant select on *.* to 'dbplog_limited'@'" + host + "'");
        }
    }

    @AfterAll
    static void stopServers() {
        if (mariadb != null) {
            mariadb.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void noPasswordReachesTheProvisionersLogTheEnginesStatementLogsOrAnyAnswer() throws Exception {
        assertThat(LoggerFactory.getLogger("io.dbprovision.probe").isDebugEnabled())
                .as("the provisioner logs at debug level in this test")
                .isTrue();
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<String> passwords;
        try (ProvisionerWiring wiring = ProvisionerWiring.create(Duration.ofMinutes(1))) {
            String name = InProcessServerBuilder.generateName();
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try (ProvisionerServer server = ProvisionerServer.builder()
                    .serverBuilder(InProcessServerBuilder.forName(name))
                    .service(wiring.service())
                    .shutdownGrace(Duration.ofSeconds(5))
                    .build()
                    .start()) {
                ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
                try {
                    var stub = EngineServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
                    String generated = generate(stub);
                    String second = generate(stub);
                    passwords = List.of(generated, second, ADMIN_PASSWORD, WRONG_ADMIN_PASSWORD);
                    fullRun(stub, postgresInstance("dbplog_admin", ADMIN_PASSWORD), generated, second);
                    fullRun(stub, mariadbInstance("dbplog_admin", ADMIN_PASSWORD), generated, second);
                } finally {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        } finally {
            System.setErr(originalErr);
        }
        String provisionerLog = captured.toString(StandardCharsets.UTF_8);
        String postgresLog = Files.readString(postgres.root().resolve(PG_LOG));
        String mariadbLog = Files.readString(mariadbLogFile());

        assertThat(provisionerLog)
                .as("the captured provisioner log")
                .contains("user.name=dbplog_user")
                .contains("user.name=dbplog_fail on 127.0.0.1:" + mariadb.port() + " failed");
        assertThat(postgresLog)
                .as("the PostgreSQL statement log")
                .contains("dbplog_user")
                .contains("CREATE ROLE \"dbplog_fail\"")
                .contains("permission denied to create role")
                .contains("password authentication failed for user \"dbplog_admin\"");
        assertThat(mariadbLog)
                .as("the MariaDB general log")
                .contains("dbplog_user")
                .contains("CREATE USER 'dbplog_fail'")
                .contains("Access denied for user 'dbplog_admin'");
        assertThat(seen).as("responses and failures looked at").hasSizeGreaterThan(20);
        for (String password : passwords) {
            assertThat(provisionerLog).as("the provisioner log").doesNotContain(password);
            assertThat(postgresLog).as("the PostgreSQL statement log").doesNotContain(password);
            assertThat(mariadbLog).as("the MariaDB general log").doesNotContain(password);
            for (String answer : seen) {
                assertThat(answer).as("a response or failure").doesNotContain(password);
            }
        }
    }

    private void fullRun(
            EngineServiceGrpc.EngineServiceBlockingStub stub, Instance admin, String generated, String second) {
        boolean pg = admin.getEngine() == EngineType.ENGINE_TYPE_POSTGRES;
        UserDefinition user = UserDefinition.newBuilder()
                .setName("dbplog_user")
                .setPassword(generated)
                .build();
        see(() -> stub.checkInstance(
                CheckInstanceRequest.newBuilder().setInstance(admin).build()));
        see(() -> stub.ensureDatabase(EnsureDatabaseRequest.newBuilder()
                .setInstance(admin)
                .setDatabase(DatabaseDefinition.newBuilder().setName("dbplog_db"))
                .build()));
        try {
            EnsureUserRequest ensureUser = EnsureUserRequest.newBuilder()
                    .setInstance(admin)
                    .setUser(user)
                    .build();
            see(() -> stub.ensureUser(ensureUser));
            see(() -> stub.ensureUser(ensureUser));
            see(() -> stub.observeUser(ObserveUserRequest.newBuilder()
                    .setInstance(admin)
                    .setDesired(user)
                    .build()));
            see(() -> stub.ensureRole(EnsureRoleRequest.newBuilder()
                    .setInstance(admin)
                    .setRole(RoleDefinition.newBuilder().setName("dbplog_role"))
                    .build()));
            GrantSet grants = pg
                    ? GrantSet.newBuilder()
                            .setGrantee("dbplog_user")
                            .setPostgres(PostgresGrantConfig.newBuilder()
                                    .addRoles("dbplog_role")
                                    .addGrants(PostgresGrant.newBuilder()
                                            .setDatabase("dbplog_db")
                                            .addPrivileges("CONNECT")))
                            .build()
                    : GrantSet.newBuilder()
                            .setGrantee("dbplog_user")
                            .setMysql(MySQLGrantConfig.newBuilder()
                                    .addRoles("dbplog_role")
                                    .addGrants(MySQLGrant.newBuilder()
                                            .setLevel(MySQLGrantLevel.MYSQL_GRANT_LEVEL_DATABASE)
                                            .setDatabase("dbplog_db")
                                            .addPrivileges("SELECT")))
                            .build();
            see(() -> stub.applyGrants(ApplyGrantsRequest.newBuilder()
                    .setInstance(admin)
                    .setGrants(grants)
                    .build()));
            see(() -> stub.observeGrants(ObserveGrantsRequest.newBuilder()
                    .setInstance(admin)
                    .setDesired(grants)
                    .build()));
            var plan = see(() -> stub.ensureUser(EnsureUserRequest.newBuilder()
                    .setInstance(admin)
                    .setValidateOnly(true)
                    .setUser(user.toBuilder().setPassword(second))
                    .build()));
            assertThat(plan.getPlanList())
                    .as("the validate-only plan sets the second password, redacted")
                    .anySatisfy(step -> assertThat(step.getSql()).contains(Step.REDACTED));

            // The statement carrying the password fails on the server: this admin may not create users.
            fail(() -> stub.ensureUser(EnsureUserRequest.newBuilder()
                    .setInstance(admin.toBuilder().setUsername("dbplog_limited"))
                    .setUser(user.toBuilder().setName("dbplog_fail"))
                    .build()));
            fail(() -> stub.checkInstance(CheckInstanceRequest.newBuilder()
                    .setInstance(admin.toBuilder().setPassword(WRONG_ADMIN_PASSWORD))
                    .build()));
            fail(() -> stub.ensureUser(EnsureUserRequest.newBuilder()
                    .setInstance(admin.toBuilder().setPassword(WRONG_ADMIN_PASSWORD))
                    .setUser(user.toBuilder().setPassword(second))
                    .build()));
        } finally {
            see(() -> stub.dropUser(DropUserRequest.newBuilder()
                    .setInstance(admin)
                    .setName("dbplog_user")
                    .build()));
            see(() -> stub.dropRole(DropRoleRequest.newBuilder()
                    .setInstance(admin)
                    .setName("dbplog_role")
                    .build()));
            see(() -> stub.dropDatabase(DropDatabaseRequest.newBuilder()
                    .setInstance(admin)
                    .setName("dbplog_db")
                    .build()));
        }
    }

    private String generate(EngineServiceGrpc.EngineServiceBlockingStub stub) {
        // Letters and digits only, so that a leak cannot hide behind SQL or log escaping.
        return stub.generatePassword(GeneratePasswordRequest.newBuilder()
                        .setPolicy(PasswordConfig.newBuilder().setLength(32).setIncludeSpecialChars(false))
                        .build())
                .getPassword();
    }

    private <T extends Message> T see(Supplier<T> call) {
        T response = call.get();
        seen.add(response.toString());
        seen.add(response.toByteString().toStringUtf8());
        return response;
    }

    private void fail(Runnable call) {
        StatusRuntimeException failure = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(failure).as("the call fails").isNotNull();
        seen.add(String.valueOf(failure.getMessage()));
        seen.add(String.valueOf(failure.getStatus()));
        seen.add(String.valueOf(failure.getTrailers()));
        seen.add(String.valueOf(StatusProto.fromThrowable(failure)));
    }

    private static Instance postgresInstance(String user, String password) {
        return Instance.newBuilder()
                .setEngine(EngineType.ENGINE_TYPE_POSTGRES)
                .setHost("127.0.0.1")
                .setPort(postgres.port())
                .setUsername(user)
                .setPassword(password)
                .build();
    }

    private static Instance mariadbInstance(String user, String password) {
        return Instance.newBuilder()
                .setEngine(EngineType.ENGINE_TYPE_MARIADB)
                .setHost("127.0.0.1")
                .setPort(mariadb.port())
                .setUsername(user)
                .setPassword(password)
                .build();
    }

    private static Path mariadbLogFile() throws IOException {
        // A relative general-log-file lands in the data directory.
        Path inData = mariadb.root().resolve("data").resolve(MARIADB_LOG);
        return Files.exists(inData) ? inData : mariadb.root().resolve(MARIADB_LOG);
    }

    private static String random() {
        byte[] bytes = new byte[8];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
