package io.dbprovision.client.errors;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every status code maps to its exception, with the google.rpc details the server sends. */
class ErrorsTest {

    private static StatusRuntimeException rich(Status.Code code, String message, Any... details) {
        com.google.rpc.Status.Builder status =
                com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message);
        for (Any detail : details) {
            status.addDetails(detail);
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }

    private static Any reason(String reason) {
        return Any.pack(ErrorInfo.newBuilder()
                .setDomain("dbops.dbprovision.io")
                .setReason(reason)
                .build());
    }

    @Test
    void eachCodeHasItsException() {
        Map<Status.Code, Class<? extends DbProvisionException>> expected = Map.ofEntries(
                Map.entry(Status.Code.NOT_FOUND, NotFoundException.class),
                Map.entry(Status.Code.ALREADY_EXISTS, AlreadyExistsException.class),
                Map.entry(Status.Code.INVALID_ARGUMENT, InvalidArgumentException.class),
                Map.entry(Status.Code.ABORTED, ConflictException.class),
                Map.entry(Status.Code.FAILED_PRECONDITION, FailedPreconditionException.class),
                Map.entry(Status.Code.PERMISSION_DENIED, PermissionDeniedException.class),
                Map.entry(Status.Code.UNAUTHENTICATED, UnauthenticatedException.class),
                Map.entry(Status.Code.UNAVAILABLE, UnavailableException.class),
                Map.entry(Status.Code.DEADLINE_EXCEEDED, DeadlineExceededException.class),
                Map.entry(Status.Code.OUT_OF_RANGE, ExpiredException.class),
                Map.entry(Status.Code.RESOURCE_EXHAUSTED, ResourceExhaustedException.class),
                Map.entry(Status.Code.CANCELLED, CancelledException.class),
                Map.entry(Status.Code.INTERNAL, ServerErrorException.class),
                Map.entry(Status.Code.UNKNOWN, ServerErrorException.class),
                Map.entry(Status.Code.UNIMPLEMENTED, ServerErrorException.class),
                Map.entry(Status.Code.DATA_LOSS, ServerErrorException.class));
        expected.forEach((code, type) -> {
            DbProvisionException mapped = Errors.from(rich(code, "it went wrong", reason("Reason" + code)));
            assertThat(mapped).isInstanceOf(type);
            assertThat(mapped.code()).isEqualTo(code);
            assertThat(mapped.getMessage()).isEqualTo(code + ": it went wrong");
            assertThat(mapped.reason()).contains("Reason" + code);
        });
    }

    @Test
    void invalidArgumentCarriesTheFieldViolations() {
        Any badRequest = Any.pack(BadRequest.newBuilder()
                .addFieldViolations(BadRequest.FieldViolation.newBuilder()
                        .setField("spec.instanceRef.name")
                        .setDescription("Required value"))
                .addFieldViolations(BadRequest.FieldViolation.newBuilder()
                        .setField("metadata.name")
                        .setDescription("a lowercase RFC 1123 label"))
                .build());

        InvalidArgumentException invalid = (InvalidArgumentException) Errors.from(
                rich(Status.Code.INVALID_ARGUMENT, "Database \"x\" is invalid", reason("Invalid"), badRequest));

        assertThat(invalid.violations())
                .containsExactly(
                        new FieldViolation("spec.instanceRef.name", "Required value"),
                        new FieldViolation("metadata.name", "a lowercase RFC 1123 label"));
        assertThat(invalid.reason()).contains("Invalid");
    }

    @Test
    void conflictsAndFailedPreconditionsCarryTheirViolations() {
        Any failure = Any.pack(PreconditionFailure.newBuilder()
                .addViolations(PreconditionFailure.Violation.newBuilder()
                        .setType("ResourceVersion")
                        .setSubject("databases.dbops.dbprovision.io/orders")
                        .setDescription("the object has been modified"))
                .build());

        ConflictException conflict = (ConflictException) Errors.from(rich(Status.Code.ABORTED, "conflict", failure));
        FailedPreconditionException failed =
                (FailedPreconditionException) Errors.from(rich(Status.Code.FAILED_PRECONDITION, "failed", failure));

        PreconditionViolation violation = new PreconditionViolation(
                "ResourceVersion", "databases.dbops.dbprovision.io/orders", "the object has been modified");
        assertThat(conflict.violations()).containsExactly(violation);
        assertThat(failed.violations()).containsExactly(violation);
    }

    @Test
    void aPlainStatusWithoutDetailsStillMaps() {
        DbProvisionException mapped =
                Errors.from(Status.UNAVAILABLE.withDescription("io exception").asRuntimeException());

        assertThat(mapped).isInstanceOf(UnavailableException.class);
        assertThat(mapped.reason()).isEmpty();
        assertThat(mapped.getMessage()).isEqualTo("UNAVAILABLE: io exception");
    }

    @Test
    void undecodableDetailsAreDroppedAndHugeMessagesCut() {
        Any garbage = Any.newBuilder()
                .setTypeUrl("type.googleapis.com/google.rpc.BadRequest")
                .setValue(ByteString.copyFrom(new byte[] {(byte) 0xff, 1, 2}))
                .build();

        DbProvisionException mapped = Errors.from(rich(Status.Code.INVALID_ARGUMENT, "x".repeat(100_000), garbage));

        assertThat(mapped).isInstanceOf(InvalidArgumentException.class);
        assertThat(((InvalidArgumentException) mapped).violations()).isEmpty();
        assertThat(mapped.getMessage()).hasSizeLessThan(5000);
    }

    @Test
    void theHierarchyIsSealedSoASwitchCoversIt() {
        DbProvisionException mapped = Errors.from(Status.NOT_FOUND.asRuntimeException());
        String handled = switch (mapped) {
            case NotFoundException e -> "not found";
            case AlreadyExistsException e -> "exists";
            case InvalidArgumentException e -> "invalid";
            case ConflictException e -> "conflict";
            case FailedPreconditionException e -> "precondition";
            case PermissionDeniedException e -> "denied";
            case UnauthenticatedException e -> "unauthenticated";
            case UnavailableException e -> "unavailable";
            case DeadlineExceededException e -> "deadline";
            case ExpiredException e -> "expired";
            case ResourceExhaustedException e -> "exhausted";
            case CancelledException e -> "cancelled";
            case ServerErrorException e -> "server";
        };
        assertThat(handled).isEqualTo("not found");
        assertThat(mapped.getMessage()).isEqualTo("NOT_FOUND: no description");
    }
}
