package io.dbprovision.apiserver.portal;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Channels to a portal port for tests, over TLS trusting the server's CA, with a bearer token, a client certificate,
 * or neither; and the small helpers tests read statuses with. Closes every channel it made.
 */
final class PortalChannels implements AutoCloseable {
    private final int port;
    private final Path ca;
    private final List<ManagedChannel> channels = new ArrayList<>();

    PortalChannels(int port, Path ca) {
        this.port = port;
        this.ca = ca;
    }

    ManagedChannel anonymous() {
        return open(GrpcSslContexts.forClient().trustManager(ca.toFile()));
    }

    ManagedChannel withCertificate(Path certificate, Path key) {
        return open(
                GrpcSslContexts.forClient().trustManager(ca.toFile()).keyManager(certificate.toFile(), key.toFile()));
    }

    private ManagedChannel open(SslContextBuilder tls) {
        try {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port)
                    .sslContext(tls.build())
                    .maxInboundMessageSize(16 * 1024 * 1024)
                    .build();
            channels.add(channel);
            return channel;
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code stub} sending {@code authorization: Bearer token}. */
    static <S extends AbstractStub<S>> S bearer(S stub, String token) {
        return stub.withCallCredentials(new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                applier.apply(headers);
            }
        });
    }

    /** {@code stub} sending these metadata entries. */
    static <S extends AbstractStub<S>> S metadata(S stub, Map<String, String> entries) {
        Metadata headers = new Metadata();
        entries.forEach((key, value) -> headers.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value));
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    static Status.Code code(Throwable failure) {
        return Status.fromThrowable(failure).getCode();
    }

    static com.google.rpc.Status details(Throwable failure) {
        com.google.rpc.Status status = StatusProto.fromThrowable(failure);
        if (status == null) {
            throw new AssertionError("no google.rpc.Status in " + failure);
        }
        return status;
    }

    static <T extends com.google.protobuf.Message> T detail(Throwable failure, Class<T> type) {
        for (com.google.protobuf.Any any : details(failure).getDetailsList()) {
            if (any.is(type)) {
                try {
                    return any.unpack(type);
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + details(failure));
    }

    static StatusRuntimeException failure(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("the call succeeded");
    }

    @Override
    public void close() {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow();
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static File file(Path path) {
        return path.toFile();
    }
}
