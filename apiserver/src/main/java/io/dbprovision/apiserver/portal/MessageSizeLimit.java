package io.dbprovision.apiserver.portal;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.apiserver.pipeline.RequestAuditor;
import io.dbprovision.apiserver.request.RequestInfo;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * The portal's own limit on a request message: one larger than {@link PortalServer.Limits#maxMessageBytes}
 * serialized is refused INVALID_ARGUMENT with a {@code BadRequest} field violation that names the limit and the
 * request's largest field (the object, usually), audited as a 400 — the answer the issue asks for hostile input. The
 * transport reads somewhat more ({@link PortalServer.Limits#transportMessageBytes}) so that such a message reaches
 * this check at all; beyond that gRPC itself answers RESOURCE_EXHAUSTED before anything is parsed. Runs after
 * {@link CallerInterceptor}: a caller nobody vouches for learns nothing about limits.
 */
final class MessageSizeLimit implements ServerInterceptor {
    private final int maxBytes;
    private final RequestAuditor auditor;
    private final Clock clock;

    MessageSizeLimit(int maxBytes, RequestAuditor auditor, Clock clock) {
        this.maxBytes = maxBytes;
        this.auditor = auditor;
        this.clock = clock;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (message instanceof Message request && request.getSerializedSize() > maxBytes) {
                    refused = true;
                    refuse(call, request);
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                // The handler never saw a message: a half-close would make it answer "no request" on a closed call.
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    private void refuse(ServerCall<?, ?> call, Message request) {
        InvalidArgument invalid = new InvalidArgument(
                largestField(request),
                "the request message is " + request.getSerializedSize() + " bytes serialized, more than the limit of "
                        + maxBytes + " bytes (" + mebibytes(maxBytes) + ")");
        Caller caller = Caller.KEY.get();
        if (caller != null) {
            String path = "/" + call.getMethodDescriptor().getFullMethodName();
            auditor.record(
                    new CallerInterceptor.MethodRequest(path),
                    caller.context(RequestInfo.nonResource(path, "post"), clock.instant()),
                    400,
                    clock.instant());
        }
        StatusRuntimeException status = PortalErrors.toStatus(invalid);
        call.close(status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
    }

    /** The top-level field that takes the most bytes (the object of a create or update); the message when none. */
    private static String largestField(Message request) {
        String largest = "";
        long most = -1;
        for (Map.Entry<FieldDescriptor, Object> field : request.getAllFields().entrySet()) {
            long size = size(field.getValue());
            if (size > most) {
                most = size;
                largest = field.getKey().getName();
            }
        }
        return largest.isEmpty() ? "(request)" : largest;
    }

    private static long size(Object value) {
        return switch (value) {
            case Message message -> message.getSerializedSize();
            case String text -> text.getBytes(StandardCharsets.UTF_8).length;
            case ByteString bytes -> bytes.size();
            case List<?> list -> list.stream().mapToLong(MessageSizeLimit::size).sum();
            default -> 8;
        };
    }

    private static String mebibytes(int bytes) {
        return bytes % (1024 * 1024) == 0 ? bytes / (1024 * 1024) + " MiB" : bytes / 1024 + " KiB";
    }
}
