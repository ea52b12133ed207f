package io.dbprovision.apiserver.portal;

import io.dbprovision.apiserver.registry.ApiException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a unary handler answers: the reply, or the failure as its gRPC status ({@link PortalErrors}); nothing
 * unexpected leaves as anything but INTERNAL without its cause.
 */
final class Replies {
    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

    private Replies() {}

    static <R> void unary(StreamObserver<R> observer, Supplier<R> reply) {
        R answer;
        try {
            answer = reply.get();
        } catch (RuntimeException e) {
            observer.onError(status(e));
            return;
        }
        observer.onNext(answer);
        observer.onCompleted();
    }

    static StatusRuntimeException status(Throwable failure) {
        return switch (failure) {
            case InvalidArgument invalid -> PortalErrors.toStatus(invalid);
            case ApiException api -> PortalErrors.toStatus(api);
            case StatusRuntimeException grpc -> grpc;
            default -> {
                LOG.error("portal call failed", failure);
                yield PortalErrors.toStatus(new ApiException.Internal("an internal error occurred", failure));
            }
        };
    }
}
