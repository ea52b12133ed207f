package io.dbprovision.apiserver.provisioning;

import io.dbprovision.proto.engine.v1alpha1.EngineServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server's channel to a provisioner: one gRPC channel (grpc-netty-shaded, HTTP/2, reconnecting by itself)
 * over mutual TLS ({@link ProvisionerClientTls}: our client certificate, the provisioner's certificate checked against
 * its CA and the dialled host name), with keepalive pings so a dead peer is noticed while the channel is idle, and a
 * limit on the size of responses. Material from files is re-read every {@link Settings#reloadInterval}. Thread-safe;
 * one per server, shared by every reconciler.
 */
public final class ProvisionerClient implements EngineChannel, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProvisionerClient.class);

    private final ProvisionerAddress address;
    private final ManagedChannel channel;
    private final EngineServiceGrpc.EngineServiceBlockingStub stub;
    private final Optional<ScheduledExecutorService> reloader;
    private final Duration closeTimeout;

    /**
     * How the channel behaves.
     *
     * @param maxInboundMessageBytes largest response accepted (an observation of a big catalog is the large one)
     * @param keepAliveTime a ping after this long without frames; the provisioner accepts one every 20 s at most
     * @param keepAliveTimeout the connection is dropped when a ping is not answered within this
     * @param reloadInterval how often TLS files are compared with what is loaded
     * @param closeTimeout how long {@link #close} waits for calls in flight before cancelling them
     */
    public record Settings(
            int maxInboundMessageBytes,
            Duration keepAliveTime,
            Duration keepAliveTimeout,
            Duration reloadInterval,
            Duration closeTimeout) {
        /** The provisioner refuses pings more often than every 20 s (its permitKeepAliveTime). */
        private static final Duration SHORTEST_KEEPALIVE = Duration.ofSeconds(20);

        public Settings {
            if (maxInboundMessageBytes <= 0) {
                throw new IllegalArgumentException("the largest response must be positive");
            }
            if (keepAliveTime.compareTo(SHORTEST_KEEPALIVE) < 0) {
                throw new IllegalArgumentException("the provisioner refuses keepalive pings more often than every 20s");
            }
            if (!positive(keepAliveTimeout) || !positive(reloadInterval) || closeTimeout.isNegative()) {
                throw new IllegalArgumentException(
                        "keepalive timeout and reload interval must be positive, the close timeout not negative");
            }
        }

        public static Settings defaults() {
            return new Settings(
                    16 * 1024 * 1024,
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(5));
        }

        public Settings withReloadInterval(Duration interval) {
            return new Settings(maxInboundMessageBytes, keepAliveTime, keepAliveTimeout, interval, closeTimeout);
        }

        private static boolean positive(Duration duration) {
            return !duration.isNegative() && !duration.isZero();
        }
    }

    private ProvisionerClient(ProvisionerAddress address, ProvisionerClientTls tls, Settings settings) {
        this.address = Objects.requireNonNull(address, "address");
        this.closeTimeout = settings.closeTimeout();
        // forAddress resolves the name through DNS on every (re)connect, and the host is the name the certificate
        // must carry; connecting is lazy, so a provisioner that starts later is found then.
        this.channel = NettyChannelBuilder.forAddress(address.host(), address.port())
                .sslContext(tls.sslContext())
                .keepAliveTime(settings.keepAliveTime().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(settings.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveWithoutCalls(true)
                .maxInboundMessageSize(settings.maxInboundMessageBytes())
                .build();
        this.stub = EngineServiceGrpc.newBlockingStub(channel);
        this.reloader = tls.files().map(files -> {
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("provisioner-tls-reload").daemon().factory());
            long every = settings.reloadInterval().toMillis();
            scheduler.scheduleWithFixedDelay(tls::reloadIfChanged, every, every, TimeUnit.MILLISECONDS);
            return scheduler;
        });
    }

    /** A channel to {@code address}; nothing is dialled until the first call. */
    public static ProvisionerClient connect(ProvisionerAddress address, ProvisionerClientTls tls) {
        return connect(address, tls, Settings.defaults());
    }

    public static ProvisionerClient connect(ProvisionerAddress address, ProvisionerClientTls tls, Settings settings) {
        return new ProvisionerClient(address, tls, settings);
    }

    /** @throws IllegalArgumentException when {@code deadline} is not positive: every call must have one */
    @Override
    public EngineServiceGrpc.EngineServiceBlockingStub engine(Duration deadline) {
        if (deadline == null || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("a call to the provisioner needs a positive deadline");
        }
        return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    public ProvisionerAddress address() {
        return address;
    }

    /**
     * Stops new calls, waits up to the close timeout for calls in flight, then cancels the rest. Close the
     * reconcilers first: a call cancelled here fails with {@code CANCELLED}.
     */
    @Override
    public void close() {
        reloader.ifPresent(ScheduledExecutorService::shutdownNow);
        channel.shutdown();
        try {
            if (!channel.awaitTermination(closeTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn(
                        "calls to the provisioner at {} still running after {}; cancelling them",
                        address,
                        closeTimeout);
                channel.shutdownNow();
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
