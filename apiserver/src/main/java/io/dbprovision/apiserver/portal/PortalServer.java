package io.dbprovision.apiserver.portal;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The portal's gRPC listener: Netty over TLS ({@link PortalTls}) on a port of its own, the portal services behind
 * their interceptor, and the standard health ({@code grpc.health.v1.Health}) and reflection
 * ({@code grpc.reflection.v1.ServerReflection}) services, which answer without credentials as the REST probes do
 * (reflection describes only the published schema of proto/). Handlers run on virtual threads (registry calls
 * block); the limits bound what one client can hold: a message of at most {@link Limits#transportMessageBytes} read
 * (the services' {@link MessageSizeLimit} refuses those above {@link Limits#maxMessageBytes}), a few KiB of metadata, a bounded number of concurrent calls per connection, keepalive pings no more often than every
 * {@link Limits#minClientPing}, idle connections closed.
 */
public final class PortalServer implements AutoCloseable {
    /**
     * @param maxMessageBytes the largest request message served (4 MiB: an object is at most 3 MiB as REST bounds
     *     it); a larger one that the transport still reads is INVALID_ARGUMENT ({@link MessageSizeLimit})
     * @param transportMessageBytes the largest request message gRPC reads at all, somewhat above {@code
     *     maxMessageBytes}; beyond it gRPC itself answers RESOURCE_EXHAUSTED before the message is parsed
     * @param maxMetadataBytes the largest header block
     * @param maxConcurrentCallsPerConnection streams one connection may have open (watches included)
     * @param keepAlive how often the server pings a quiet connection, and how long it waits for the answer
     * @param minClientPing the shortest interval between a client's pings; more often and the connection is closed
     * @param idle a connection without calls is closed after this
     * @param shutdownGrace how long calls in flight may finish at shutdown before they are cancelled
     */
    public record Limits(
            int maxMessageBytes,
            int transportMessageBytes,
            int maxMetadataBytes,
            int maxConcurrentCallsPerConnection,
            Duration keepAlive,
            Duration keepAliveTimeout,
            Duration minClientPing,
            Duration idle,
            Duration shutdownGrace) {
        public static final Limits DEFAULTS = new Limits(
                4 * 1024 * 1024,
                8 * 1024 * 1024,
                16 * 1024,
                1000,
                Duration.ofMinutes(1),
                Duration.ofSeconds(20),
                Duration.ofSeconds(20),
                Duration.ofMinutes(5),
                Duration.ofSeconds(5));
    }

    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Runnable beforeDrain;
    private final Duration shutdownGrace;
    private final List<String> serviceNames;

    /**
     * @param services the portal's services, intercepted already
     * @param beforeDrain run when shutdown starts, after new calls are refused (ends the watches)
     */
    public PortalServer(
            String host,
            int port,
            SSLContext tls,
            List<ServerServiceDefinition> services,
            Limits limits,
            Runnable beforeDrain) {
        this.beforeDrain = beforeDrain;
        this.shutdownGrace = limits.shutdownGrace();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .sslContext(PortalTls.of(tls))
                .executor(executor)
                .maxInboundMessageSize(limits.transportMessageBytes())
                .maxInboundMetadataSize(limits.maxMetadataBytes())
                .maxConcurrentCallsPerConnection(limits.maxConcurrentCallsPerConnection())
                .keepAliveTime(limits.keepAlive().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(limits.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveTime(limits.minClientPing().toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                .maxConnectionIdle(limits.idle().toMillis(), TimeUnit.MILLISECONDS)
                .addService(health.getHealthService())
                .addService((BindableService) ProtoReflectionServiceV1.newInstance());
        services.forEach(builder::addService);
        this.serviceNames = services.stream()
                .map(service -> service.getServiceDescriptor().getName())
                .toList();
        this.server = builder.build();
    }

    public PortalServer start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for the portal API: " + e.getMessage(), e);
        }
        health.setStatus(
                HealthStatusManager.SERVICE_NAME_ALL_SERVICES,
                io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
        // per service too, so that a probe may name the one it needs
        serviceNames.forEach(
                name -> health.setStatus(name, io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING));
        return this;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        health.enterTerminalState();
        server.shutdown();
        beforeDrain.run();
        try {
            if (!server.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        executor.shutdownNow();
    }
}
