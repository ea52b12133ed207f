package io.dbprovision.provisioner.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.ResourceInfo;
import io.dbprovision.proto.engine.v1alpha1.EnsureUserRequest;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.engine.v1alpha1.Tls;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.Step;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Each failure kind becomes its status code with its google.rpc details, and no status ever carries a secret. */
class ErrorMappingTest {
    private static final String ADMIN_PASSWORD = "dbpsrv-Adm1n!pw";
    private static final String USER_PASSWORD = "dbpsrv-us3r'pw\\x";
    private static final String CLIENT_KEY = "-----BEGIN PRIVATE KEY-----\nMIGdbpsrvKEY\n-----END PRIVATE KEY-----\n";
    private static final EnsureUserRequest REQUEST = EnsureUserRequest.newBuilder()
            .setInstance(Instance.newBuilder()
                    .setEngine(EngineType.ENGINE_TYPE_POSTGRES)
                    .setHost("db.example")
                    .setUsername("admin")
                    .setPassword(ADMIN_PASSWORD)
                    .setTls(Tls.newBuilder().setClientKeyPem(CLIENT_KEY)))
            .setUser(UserDefinition.newBuilder().setName("app").setPassword(USER_PASSWORD))
            .build();
    private static final RequestSecrets SECRETS = RequestSecrets.of(REQUEST);

    @Test
    void theRequestsSecretsAreTheFieldsMarkedDebugRedact() {
        assertThat(SECRETS.scrub("a " + ADMIN_PASSWORD + " b " + USER_PASSWORD + " c " + CLIENT_KEY))
                .isEqualTo("a <redacted> b <redacted> c <redacted>");
        assertThat(SECRETS.scrub("db.example admin app")).isEqualTo("db.example admin app");
    }

    @Test
    void anInvalidDefinitionIsInvalidArgumentWithTheFieldViolation() {
        com.google.rpc.Status status = map(new EngineException.InvalidDefinition("user.name", "longer than 63 bytes"));

        assertThat(status.getCode()).isEqualTo(Code.INVALID_ARGUMENT_VALUE);
        assertThat(status.getMessage()).isEqualTo("user.name: longer than 63 bytes");
        BadRequest.FieldViolation violation = detail(status, BadRequest.class).getFieldViolations(0);
        assertThat(violation.getField()).isEqualTo("user.name");
        assertThat(violation.getDescription()).isEqualTo("longer than 63 bytes");
    }

    @Test
    void anUnavailableInstanceIsUnavailableWithHostAndPort() {
        com.google.rpc.Status status =
                map(new EngineException.InstanceUnavailable("db.example", 5432, "connection refused", null));

        assertThat(status.getCode()).isEqualTo(Code.UNAVAILABLE_VALUE);
        ErrorInfo info = detail(status, ErrorInfo.class);
        assertThat(info.getReason()).isEqualTo("INSTANCE_UNAVAILABLE");
        assertThat(info.getDomain()).isEqualTo("engine.dbprovision.io");
        assertThat(info.getMetadataMap()).containsEntry("host", "db.example").containsEntry("port", "5432");
    }

    @Test
    void busyConnectionsAreResourceExhaustedWithHowManyAndHowLongNotAnUnavailableInstance() {
        com.google.rpc.Status status = map(new EngineException.ConnectionsBusy("db.example", 5432, 4, 6021));

        assertThat(status.getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED_VALUE);
        assertThat(status.getMessage())
                .isEqualTo("all 4 connections to db.example:5432 are in use by other calls; waited 6.0 s for one");
        ErrorInfo info = detail(status, ErrorInfo.class);
        assertThat(info.getReason()).isEqualTo("CONNECTIONS_BUSY");
        assertThat(info.getMetadataMap())
                .containsEntry("host", "db.example")
                .containsEntry("port", "5432")
                .containsEntry("connections", "4")
                .containsEntry("waitedMillis", "6021");
        assertThat(detail(status, com.google.rpc.RetryInfo.class)
                        .getRetryDelay()
                        .getNanos())
                .isPositive();
    }

    @ParameterizedTest(name = "SQLSTATE {0} / vendor code {1} -> {2}")
    @CsvSource({
        "42501, 0, PERMISSION_DENIED",
        "42000, 1044, PERMISSION_DENIED",
        "28000, 1045, PERMISSION_DENIED",
        "28000, 1133, FAILED_PRECONDITION",
        "28000, 0, FAILED_PRECONDITION",
        "28P01, 0, FAILED_PRECONDITION",
        "42000, 1142, PERMISSION_DENIED",
        "42000, 1227, PERMISSION_DENIED",
        "2BP01, 0, FAILED_PRECONDITION",
        "55006, 0, FAILED_PRECONDITION",
        "HY000, 1396, FAILED_PRECONDITION",
        "42704, 0, FAILED_PRECONDITION",
        "57014, 0, CANCELLED",
        "70100, 1317, CANCELLED",
        "23505, 0, ALREADY_EXISTS",
        "42710, 0, ALREADY_EXISTS",
        "42P04, 0, ALREADY_EXISTS",
        "HY000, 1007, ALREADY_EXISTS",
        "40001, 0, ABORTED",
        "40001, 1213, ABORTED",
        "53300, 0, UNAVAILABLE",
        "08006, 0, UNAVAILABLE",
        "22023, 0, INVALID_ARGUMENT",
        "XX000, 0, INTERNAL",
        "'', 0, FAILED_PRECONDITION",
    })
    void anEngineRefusalIsMappedBySqlStateAndVendorCode(String sqlState, int vendorCode, Status.Code expected) {
        com.google.rpc.Status status =
                map(new EngineException.EngineRefused("user app", sqlState, vendorCode, "refused", null));

        assertThat(Status.fromCodeValue(status.getCode()).getCode()).isEqualTo(expected);
        ErrorInfo info = detail(status, ErrorInfo.class);
        assertThat(info.getReason()).isEqualTo("ENGINE_ERROR");
        assertThat(info.getMetadataMap())
                .containsEntry("sqlstate", sqlState)
                .containsEntry("vendorCode", Integer.toString(vendorCode))
                .containsEntry("object", "user app");
    }

    @Test
    void aCancelledStatementIsDeadlineExceededWhenTheDeadlineHadPassed() {
        var cancelled = new EngineException.EngineRefused("database app", "57014", 0, "canceling statement", null);

        assertThat(ErrorMapping.toStatusProto(cancelled, true, SECRETS).getCode())
                .isEqualTo(Code.DEADLINE_EXCEEDED_VALUE);
        assertThat(ErrorMapping.toStatusProto(cancelled, false, SECRETS).getCode())
                .isEqualTo(Code.CANCELLED_VALUE);
    }

    @Test
    void anAlreadyExistingObjectIsNamedInResourceInfo() {
        com.google.rpc.Status status = map(
                new EngineException.EngineRefused("create role app", "42710", 0, "role \"app\" already exists", null));

        ResourceInfo resource = detail(status, ResourceInfo.class);
        assertThat(resource.getResourceName()).isEqualTo("create role app");
        assertThat(resource.getDescription()).contains("already exists");
    }

    @Test
    void anUnsupportedFeatureIsUnimplemented() {
        com.google.rpc.Status status = map(new EngineException.Unsupported("MariaDB has no default privileges"));

        assertThat(status.getCode()).isEqualTo(Code.UNIMPLEMENTED_VALUE);
        assertThat(detail(status, ErrorInfo.class).getReason()).isEqualTo("UNSUPPORTED");
    }

    @Test
    void anythingElseIsInternalWithAGenericMessageAndACorrelationId() {
        com.google.rpc.Status status = map(new IllegalStateException("bug near " + USER_PASSWORD));

        assertThat(status.getCode()).isEqualTo(Code.INTERNAL_VALUE);
        String correlationId = detail(status, ErrorInfo.class).getMetadataOrThrow("correlationId");
        assertThat(status.getMessage()).isEqualTo("internal error (correlation id " + correlationId + ")");
    }

    @Test
    void theLoggedCopyOfAnInternalFailureKeepsClassesAndStackButNotSecrets() {
        var failure = new IllegalStateException(
                "outer " + ADMIN_PASSWORD,
                new RuntimeException("SQL [alter role app password '" + USER_PASSWORD + "']"));

        Throwable copy = Redacted.copy(failure, SECRETS);

        assertThat(copy.getMessage()).isEqualTo("java.lang.IllegalStateException: outer <redacted>");
        assertThat(copy.getCause().getMessage())
                .isEqualTo("java.lang.RuntimeException: SQL [alter role app password '<redacted>']");
        assertThat(copy.getStackTrace()).isEqualTo(failure.getStackTrace());
    }

    static Stream<Arguments> everyFailureQuotingEverySecret() {
        String all = " admin " + ADMIN_PASSWORD + " user " + USER_PASSWORD + " key " + CLIENT_KEY;
        List<Throwable> failures = List.of(
                new EngineException.InvalidDefinition("user.password" + all, "bad" + all),
                new EngineException.InstanceUnavailable("db" + all, 5432, "refused" + all, null),
                new EngineException.EngineRefused("user app" + all, "42501", 1045, "denied" + all, null),
                new EngineException.EngineRefused("user app" + all, "2BP01", 0, "depends" + all, null),
                new EngineException.EngineRefused("user app" + all, "57014", 0, "cancelled" + all, null),
                new EngineException.EngineRefused("user app" + all, "23505", 0, "exists" + all, null),
                new EngineException.EngineRefused("user app" + all, "XX000", 0, "internal" + all, null),
                new EngineException.EngineRefused("user app" + all, "99999", 0, "other" + all, null),
                new EngineException.Unsupported("unsupported" + all),
                new StatusRuntimeException(Status.INTERNAL.withDescription("passed on" + all)),
                new IllegalStateException("bug" + all));
        return failures.stream().flatMap(f -> Stream.of(Arguments.of(f, true), Arguments.of(f, false)));
    }

    @ParameterizedTest(name = "{0}, deadline passed: {1}")
    @MethodSource("everyFailureQuotingEverySecret")
    void noStatusMessageOrDetailCarriesAPasswordFromTheRequest(Throwable failure, boolean deadlineExpired) {
        StatusRuntimeException exception = ErrorMapping.toStatus(failure, deadlineExpired, SECRETS);
        com.google.rpc.Status status = StatusProto.fromThrowable(exception);

        List<String> texts = Stream.concat(
                        Stream.of(
                                status.getMessage(),
                                String.valueOf(exception.getStatus().getDescription())),
                        status.getDetailsList().stream().map(ErrorMappingTest::text))
                .toList();
        for (String secret : List.of(ADMIN_PASSWORD, USER_PASSWORD, CLIENT_KEY, "MIGdbpsrvKEY")) {
            assertThat(texts).noneMatch(text -> text.contains(secret));
        }
        assertThat(status.getMessage()).doesNotContain("\\x");
    }

    private static String text(Any detail) {
        try {
            if (detail.is(BadRequest.class)) {
                return detail.unpack(BadRequest.class).toString();
            }
            if (detail.is(ErrorInfo.class)) {
                return detail.unpack(ErrorInfo.class).toString();
            }
            if (detail.is(ResourceInfo.class)) {
                return detail.unpack(ResourceInfo.class).toString();
            }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("unexpected detail " + detail.getTypeUrl());
    }

    private static com.google.rpc.Status map(Throwable failure) {
        com.google.rpc.Status status = ErrorMapping.toStatusProto(failure, false, SECRETS);
        assertThat(status.getMessage()).doesNotContain(Step.REDACTED.repeat(2));
        return status;
    }

    private static <T extends com.google.protobuf.Message> T detail(com.google.rpc.Status status, Class<T> type) {
        return status.getDetailsList().stream()
                .filter(any -> any.is(type))
                .findFirst()
                .map(any -> {
                    try {
                        return any.unpack(type);
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        throw new AssertionError(e);
                    }
                })
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " in " + status));
    }
}
