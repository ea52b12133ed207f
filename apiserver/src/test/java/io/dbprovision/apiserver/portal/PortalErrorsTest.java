package io.dbprovision.apiserver.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.apiserver.registry.ApiException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every API error as the gRPC status and google.rpc details the portal answers with. */
class PortalErrorsTest {
    private static final ApiException.Subject DB =
            new ApiException.Subject("dbops.dbprovision.io", "databases", "orders");

    @Test
    void everyErrorHasItsCodeAndAnErrorInfoWithTheKubernetesReason() {
        Map<ApiException, Status.Code> expected = Map.ofEntries(
                Map.entry(
                        new ApiException.Invalid(
                                "dbops.dbprovision.io",
                                "Database",
                                "orders",
                                List.of(FieldError.required(FieldPath.of("spec.instanceRef"), "required"))),
                        Status.Code.INVALID_ARGUMENT),
                Map.entry(new ApiException.BadRequest("bad"), Status.Code.INVALID_ARGUMENT),
                Map.entry(new ApiException.NotFound(DB), Status.Code.NOT_FOUND),
                Map.entry(new ApiException.AlreadyExists(DB), Status.Code.ALREADY_EXISTS),
                Map.entry(new ApiException.Conflict(DB, "the object has been modified"), Status.Code.ABORTED),
                Map.entry(new ApiException.Forbidden("no"), Status.Code.PERMISSION_DENIED),
                Map.entry(new ApiException.Unauthorized("Unauthorized"), Status.Code.UNAUTHENTICATED),
                Map.entry(new ApiException.TooManyRequests("slow down"), Status.Code.RESOURCE_EXHAUSTED),
                Map.entry(new ApiException.Expired("too old"), Status.Code.OUT_OF_RANGE),
                Map.entry(new ApiException.Unavailable("storage down", null), Status.Code.UNAVAILABLE),
                Map.entry(new ApiException.TooLargeResourceVersion(10, 5), Status.Code.UNAVAILABLE),
                Map.entry(new ApiException.Timeout("slow"), Status.Code.DEADLINE_EXCEEDED),
                Map.entry(new ApiException.MethodNotAllowed("no"), Status.Code.UNIMPLEMENTED),
                Map.entry(
                        new ApiException.Internal("secret=hunter2 in a stack", new IllegalStateException("hunter2")),
                        Status.Code.INTERNAL));
        expected.forEach((error, code) -> {
            StatusRuntimeException status = PortalErrors.toStatus(error);
            assertThat(status.getStatus().getCode())
                    .as(error.getClass().getSimpleName())
                    .isEqualTo(code);
            ErrorInfo info = PortalChannels.detail(status, ErrorInfo.class);
            assertThat(info.getDomain()).isEqualTo("dbops.dbprovision.io");
            assertThat(info.getReason()).isEqualTo(error.reason());
            assertThat(info.getMetadataMap()).containsEntry("code", Integer.toString(error.code()));
        });
    }

    @Test
    void invalidObjectsCarryFieldViolationsWithTheRestCausesPaths() {
        var status = PortalErrors.toStatus(new ApiException.Invalid(
                "dbops.dbprovision.io",
                "Database",
                "orders",
                List.of(
                        FieldError.required(FieldPath.of("spec.instanceRef"), "exactly one is required"),
                        FieldError.invalid(FieldPath.of("spec.name"), "1x", "must start with a letter"))));
        BadRequest badRequest = PortalChannels.detail(status, BadRequest.class);
        assertThat(badRequest.getFieldViolationsList())
                .extracting(BadRequest.FieldViolation::getField)
                .containsExactly("spec.instanceRef", "spec.name");
    }

    @Test
    void notFoundAndAlreadyExistsNameTheResource() {
        ResourceInfo missing =
                PortalChannels.detail(PortalErrors.toStatus(new ApiException.NotFound(DB)), ResourceInfo.class);
        assertThat(missing.getResourceType()).isEqualTo("databases.dbops.dbprovision.io");
        assertThat(missing.getResourceName()).isEqualTo("orders");
        ResourceInfo taken =
                PortalChannels.detail(PortalErrors.toStatus(new ApiException.AlreadyExists(DB)), ResourceInfo.class);
        assertThat(taken.getResourceName()).isEqualTo("orders");
    }

    @Test
    void aConflictIsAPreconditionFailureAndRetryableErrorsSayWhenToRetry() {
        PreconditionFailure failure = PortalChannels.detail(
                PortalErrors.toStatus(new ApiException.Conflict(DB, "the object has been modified")),
                PreconditionFailure.class);
        assertThat(failure.getViolations(0).getSubject()).isEqualTo("databases.dbops.dbprovision.io");
        RetryInfo retry = PortalChannels.detail(
                PortalErrors.toStatus(new ApiException.TooManyRequests("slow down")), RetryInfo.class);
        assertThat(retry.getRetryDelay().getSeconds()).isPositive();
    }

    @Test
    void anInternalErrorSaysNothingOfItsCause() {
        var status = PortalErrors.toStatus(
                new ApiException.Internal("password=hunter2", new IllegalStateException("hunter2")));
        assertThat(status.getStatus().getDescription()).isEqualTo("an internal error occurred");
        assertThat(PortalChannels.details(status).toString()).doesNotContain("hunter2");
    }
}
