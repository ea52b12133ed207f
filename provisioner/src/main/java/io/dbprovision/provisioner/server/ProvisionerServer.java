package io.dbprovision.provisioner.server;

import io.dbprovision.proto.engine.v1alpha1.EngineServiceGrpc;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerStreamTracer;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provisioner's gRPC server: the engine service plus the standard health and reflection services, served over
 * TLS 1.2/1.3 by default — mutual TLS with a required client certificate when a client CA is configured — on
 * grpc-netty-shaded with OpenSSL (its bundled BoringSSL; the JDK's TLS where that does not load), with calls on a
 * cached pool of platform threads. Certificate, key and client CA files are re-read on a schedule
 * and new handshakes use what changed. Plaintext only when asked for explicitly ({@link Builder#insecure}). Shutdown
 * is graceful: health turns NOT_SERVING, no new calls are accepted, calls in flight get a grace period, then the rest
 * are cancelled (which cancels their statements on the engines).
 *
 * <p>Tests inject a {@link ServerBuilder} of their own (in-process); transport security then is theirs.
 */
public final class ProvisionerServer implements AutoCloseable {
    private final boolean customTransport;
    private static final Logger LOG = LoggerFactory.getLogger(ProvisionerServer.class);
    private static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final Server server;
    private final HealthStatusManager health;
    private final ExecutorService callExecutor;
    private final Optional<ReloadingTlsMaterial> tls;
    private final Optional<SwappableSslContext> sslContext;
    private final Optional<ScheduledExecutorService> reloader;
    private final Duration reloadInterval;
    private final Duration shutdownGrace;
    private final List<String> serviceNames;

    private ProvisionerServer(Builder builder) {
        this.health = new HealthStatusManager();
        this.callExecutor = builder.callThreads.executor();
        this.shutdownGrace = builder.shutdownGrace;
        this.reloadInterval = builder.reloadInterval;
        this.tls = builder.tlsFiles.map(ReloadingTlsMaterial::new);
        SslProvider provider = builder.openSsl && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        this.sslContext = tls.map(material -> new SwappableSslContext(() -> sslContext(material, provider)));
        this.reloader = tls.map(material -> Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("tls-reload").daemon().factory()));

        this.customTransport = builder.serverBuilder != null;
        ServerBuilder<?> serverBuilder = builder.serverBuilder != null ? builder.serverBuilder : netty(builder);
        serverBuilder
                // The transport's thread looks each call's method up; a health check is answered right there (it
                // reads a map), every other call moves to the call threads before any of its own code runs — one
                // hand-off, as with .executor(callExecutor), and none for the health check.
                .directExecutor()
                .callExecutor(new CallThreadsExceptHealthChecks(callExecutor, builder.healthChecksOnTransport))
                .maxInboundMessageSize(builder.maxInboundMessageBytes)
                .maxInboundMetadataSize(builder.maxInboundMetadataBytes)
                .handshakeTimeout(10, TimeUnit.SECONDS)
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance());
        builder.streamTracers.forEach(serverBuilder::addStreamTracerFactory);
        List<String> names = new ArrayList<>();
        for (BindableService service : builder.services) {
            serverBuilder.addService(service);
            names.add(service.bindService().getServiceDescriptor().getName());
        }
        this.serviceNames = List.copyOf(names);
        this.server = serverBuilder.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    private NettyServerBuilder netty(Builder builder) {
        NettyServerBuilder netty = NettyServerBuilder.forAddress(
                        new InetSocketAddress(builder.bindAddress, builder.port))
                // Pings from clients at most every 20 s, our own after 60 s of silence; idle connections close.
                .keepAliveTime(60, TimeUnit.SECONDS)
                .keepAliveTimeout(20, TimeUnit.SECONDS)
                .permitKeepAliveTime(20, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .maxConnectionIdle(15, TimeUnit.MINUTES)
                .maxConcurrentCallsPerConnection(1_000);
        sslContext.ifPresent(netty::sslContext);
        return netty;
    }

    /**
     * A context over the swappable key and trust managers (asked per handshake by both providers). OpenSSL takes the
     * CAs it asks client certificates from once, when the context is built: {@link SwappableSslContext} is rebuilt
     * after a reload so a new client CA is asked for too.
     */
    private static SslContext sslContext(ReloadingTlsMaterial material, SslProvider provider) {
        SslContextBuilder ssl = GrpcSslContexts.configure(SslContextBuilder.forServer(material.keyManager()), provider)
                .protocols(TLS_PROTOCOLS);
        material.trustManager()
                .ifPresent(trust -> ssl.trustManager(trust)
                        .clientAuth(material.files().clientCertOptional() ? ClientAuth.OPTIONAL : ClientAuth.REQUIRE));
        try {
            return ssl.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** Starts serving; health reports SERVING for the server and every service. */
    public ProvisionerServer start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen: " + e.getMessage(), e);
        }
        reloader.ifPresent(scheduler -> scheduler.scheduleWithFixedDelay(
                this::reloadTlsNow, reloadInterval.toMillis(), reloadInterval.toMillis(), TimeUnit.MILLISECONDS));
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
        serviceNames.forEach(name -> health.setStatus(name, ServingStatus.SERVING));
        LOG.info(
                "provisioner serving on {} ({})",
                server.getListenSockets(),
                tls.map(t -> (t.trustManager().isPresent() ? "mutual TLS" : "TLS") + " with " + tlsProvider())
                        // A server builder given by the caller carries its own transport security (the API server's
                        // in-process provisioner sets up mutual TLS from memory), which this class cannot see.
                        .orElse(customTransport ? "transport security set by the caller" : "no TLS"));
        return this;
    }

    /** The port listened on (the one picked, when 0 was asked for); -1 for an injected in-process transport. */
    public int port() {
        return server.getPort();
    }

    /**
     * Reports NOT_SERVING, stops accepting calls, lets the calls in flight finish within the grace period, then
     * cancels the rest and waits briefly for them to end.
     */
    public void shutdown() {
        if (server.isTerminated()) {
            return;
        }
        health.enterTerminalState();
        server.shutdown();
        try {
            if (!server.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("provisioner: calls still running after {}; cancelling them", shutdownGrace);
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            reloader.ifPresent(ScheduledExecutorService::shutdownNow);
        }
        // A cancelled call is over for the transport at once, but its handler is still unwinding (its statement
        // being cancelled); wait for the handlers, so what the caller closes next (connection pools) is unused.
        callExecutor.shutdown();
        try {
            if (!callExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("provisioner: call handlers still running 10 s after the server stopped");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("provisioner stopped");
    }

    /** Blocks until the server has terminated. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() {
        shutdown();
    }

    /**
     * Reads the TLS files now instead of at the next scheduled round; returns whether anything changed. New
     * connections use what changed.
     */
    boolean reloadTlsNow() {
        boolean changed = tls.map(ReloadingTlsMaterial::reloadIfChanged).orElse(false);
        if (changed) {
            sslContext.orElseThrow().rebuild();
        }
        return changed;
    }

    /** The TLS implementation serving connections: "OpenSSL", "JDK", or "none" without TLS files. */
    public String tlsProvider() {
        return sslContext
                .map(ssl -> ssl.current().getClass().getSimpleName().startsWith("OpenSsl") ? "OpenSSL" : "JDK")
                .orElse("none");
    }

    /**
     * Every call's handler on the call threads except the health service's unary Check, which never blocks and is
     * answered on the transport's thread without waiting for a call thread (a probe should not queue behind engine
     * calls, and it saves the hand-off: see docs/performance.md, engine benchmark).
     */
    private record CallThreadsExceptHealthChecks(Executor callThreads, boolean healthChecksOnTransport)
            implements ServerCallExecutorSupplier {
        private static final String CHECK = HealthGrpc.getCheckMethod().getFullMethodName();

        @Override
        public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata metadata) {
            return healthChecksOnTransport
                            && call.getMethodDescriptor().getFullMethodName().equals(CHECK)
                    ? null
                    : callThreads;
        }
    }

    /** Which threads run the calls' handlers (and so their JDBC statements). */
    public enum CallThreads {
        /**
         * A cached pool of platform threads: a statement's socket read blocks in the kernel and wakes its thread
         * directly.
         */
        PLATFORM,
        /**
         * A virtual thread per task: cheap to have many waiting, but a read that would block parks the thread and
         * comes back through the JDK's poller and the carrier pool — more hand-offs per statement.
         */
        VIRTUAL;

        /** Platform call threads at most; far above what the engines' connection pools can serve at once. */
        static final int MAXIMUM_CALL_THREADS = 256;

        ExecutorService executor() {
            return switch (this) {
                case PLATFORM ->
                    // Bounded: callers on many connections must not make the process start a thread per call; past
                    // the bound calls wait in order (their deadlines still run), as they would for a pooled
                    // connection anyway. An idle thread takes a call before a new one starts; idle threads end
                    // after a minute.
                    CallThreadPool.create(
                            MAXIMUM_CALL_THREADS,
                            Thread.ofPlatform()
                                    .name("provisioner-call-", 0)
                                    .daemon()
                                    .factory());
                case VIRTUAL -> Executors.newVirtualThreadPerTaskExecutor();
            };
        }
    }

    /**
     * How the server is put together. Exactly one of {@link #tls}, {@link #insecure} or {@link #serverBuilder} says
     * how callers reach it.
     */
    public static final class Builder {
        private int port = 50051;
        private String bindAddress = "0.0.0.0";
        private Optional<TlsFiles> tlsFiles = Optional.empty();
        private boolean insecure;
        private ServerBuilder<?> serverBuilder;
        private final List<BindableService> services = new ArrayList<>();
        private final List<ServerStreamTracer.Factory> streamTracers = new ArrayList<>();
        private int maxInboundMessageBytes = 4 * 1024 * 1024;
        private int maxInboundMetadataBytes = 16 * 1024;
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private Duration reloadInterval = Duration.ofSeconds(60);
        // Platform threads: in the engine benchmark 8–20 % less CPU per call than virtual threads, and no slower.
        private CallThreads callThreads = CallThreads.PLATFORM;
        private boolean openSsl = true;
        private boolean healthChecksOnTransport = true;

        private Builder() {}

        /**
         * Whether the health service's Check is answered on the transport's thread ({@code true}, the default) or
         * handed to a call thread like every other call; the benchmark compares them.
         */
        public Builder healthChecksOnTransport(boolean onTransport) {
            this.healthChecksOnTransport = onTransport;
            return this;
        }

        /** Which threads run the calls; the benchmark compares them. */
        public Builder callThreads(CallThreads threads) {
            this.callThreads = Objects.requireNonNull(threads);
            return this;
        }

        /**
         * Whether TLS uses OpenSSL (netty-tcnative's BoringSSL, bundled with grpc-netty-shaded) when it loads on this
         * platform; the JDK's TLS otherwise or when {@code false}.
         */
        public Builder openSsl(boolean openSsl) {
            this.openSsl = openSsl;
            return this;
        }

        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be 0 to 65535");
            }
            this.port = port;
            return this;
        }

        public Builder bindAddress(String bindAddress) {
            this.bindAddress = Objects.requireNonNull(bindAddress);
            return this;
        }

        public Builder tls(TlsFiles files) {
            this.tlsFiles = Optional.of(files);
            return this;
        }

        /** Plaintext, for development only. */
        public Builder insecure() {
            this.insecure = true;
            return this;
        }

        /** A transport of the caller's (in-process in tests); port, bind address and TLS then do not apply. */
        public Builder serverBuilder(ServerBuilder<?> serverBuilder) {
            this.serverBuilder = Objects.requireNonNull(serverBuilder);
            return this;
        }

        public Builder service(BindableService service) {
            services.add(Objects.requireNonNull(service));
            return this;
        }

        /**
         * Sees every call's stream on the server (headers in, message in, call started, answer out, closed): for the
         * engine benchmark's timeline of a call; production adds none.
         */
        public Builder streamTracer(ServerStreamTracer.Factory tracer) {
            streamTracers.add(Objects.requireNonNull(tracer));
            return this;
        }

        public Builder maxInboundMessageBytes(int bytes) {
            this.maxInboundMessageBytes = positive(bytes, "max inbound message size");
            return this;
        }

        public Builder maxInboundMetadataBytes(int bytes) {
            this.maxInboundMetadataBytes = positive(bytes, "max inbound metadata size");
            return this;
        }

        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = Objects.requireNonNull(grace);
            return this;
        }

        public Builder reloadInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the reload interval must be positive");
            }
            this.reloadInterval = interval;
            return this;
        }

        public ProvisionerServer build() {
            int transports = (tlsFiles.isPresent() ? 1 : 0) + (insecure ? 1 : 0) + (serverBuilder != null ? 1 : 0);
            if (transports != 1) {
                throw new IllegalStateException(
                        "say exactly one of: TLS files, insecure (plaintext) or an injected server builder");
            }
            return new ProvisionerServer(this);
        }

        private static int positive(int value, String what) {
            if (value <= 0) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return value;
        }
    }

    /** The engine service's name, as health and reflection report it. */
    public static final String ENGINE_SERVICE = EngineServiceGrpc.SERVICE_NAME;
}
