package io.dbprovision.client;

import com.google.protobuf.Message;
import io.dbprovision.client.config.ConfigException;
import io.dbprovision.client.config.ConnectionConfig;
import io.dbprovision.client.config.KubeconfigReader;
import io.dbprovision.client.errors.DbProvisionException;
import io.dbprovision.client.errors.Errors;
import io.dbprovision.proto.portal.v1alpha1.Connection;
import io.dbprovision.proto.portal.v1alpha1.GetConnectionRequest;
import io.dbprovision.proto.portal.v1alpha1.PortalServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseProgress;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseRequest;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseGrant;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseInstance;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseRole;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseBackup;
import io.dbprovision.proto.v1alpha1.DatabaseBackupSchedule;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseRestore;
import io.dbprovision.proto.v1alpha1.DatabaseRole;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientStreamTracer;
import io.grpc.CompositeChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The portal API for Java applications: a TLS channel to the API server's portal port with the caller's token or
 * client certificate, per-call deadlines, retries of idempotent calls when the server is unavailable, typed
 * exceptions ({@link DbProvisionException}), and idiomatic accessors:
 *
 * <pre>{@code
 * try (DbProvisionClient client = DbProvisionClient.fromConfig()) {
 *     Database orders = client.databases().get("demo", "orders");
 *     Connection connection = client.requestDatabase(request, progress -> log(progress.getMessage()));
 * }
 * }</pre>
 *
 * Thread-safe; one client (one channel) per application is enough. Closing it shuts the channel down.
 */
public final class DbProvisionClient implements AutoCloseable {
    /** gRPC's own default is 4 MiB; a full List page of large objects can exceed it. */
    private static final int MAX_INBOUND_MESSAGE_BYTES = 64 * 1024 * 1024;

    private final ManagedChannel channel;
    private final Calls calls;
    private final ConnectionConfig config;

    private DbProvisionClient(ManagedChannel channel, Calls calls, ConnectionConfig config) {
        this.channel = channel;
        this.calls = calls;
        this.config = config;
    }

    /** A client from the kubeconfig at {@code $DBPROVISION_CONFIG} or {@code ~/.dbprovision/config}, current context. */
    public static DbProvisionClient fromConfig() {
        return builder()
                .config(KubeconfigReader.locate(Optional.empty()), Optional.empty())
                .build();
    }

    /** A client from the kubeconfig {@code file} (such as {@code <data-dir>/portal-kubeconfig}), current context. */
    public static DbProvisionClient fromConfig(Path file) {
        return builder().config(file, Optional.empty()).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What the client connects to and with (its {@code toString()} never shows a secret). */
    public ConnectionConfig config() {
        return config;
    }

    /** The namespace the configuration's context names, if any: where objects without one are created. */
    public Optional<String> defaultNamespace() {
        return config.namespace();
    }

    /** The standard methods of any kind, such as {@code resources(Kinds.DATABASE_GRANTS)}. */
    public <T extends Message> Resources<T> resources(ResourceKind<T> kind) {
        return new Resources<>(kind, calls, config.namespace());
    }

    public Resources<DatabaseInstance> databaseInstances() {
        return resources(Kinds.DATABASE_INSTANCES);
    }

    public Resources<ClusterDatabaseInstance> clusterDatabaseInstances() {
        return resources(Kinds.CLUSTER_DATABASE_INSTANCES);
    }

    public Resources<Database> databases() {
        return resources(Kinds.DATABASES);
    }

    public Resources<DatabaseUser> databaseUsers() {
        return resources(Kinds.DATABASE_USERS);
    }

    public Resources<DatabaseRole> databaseRoles() {
        return resources(Kinds.DATABASE_ROLES);
    }

    public Resources<ClusterDatabaseRole> clusterDatabaseRoles() {
        return resources(Kinds.CLUSTER_DATABASE_ROLES);
    }

    public Resources<DatabaseGrant> databaseGrants() {
        return resources(Kinds.DATABASE_GRANTS);
    }

    public Resources<ClusterDatabaseGrant> clusterDatabaseGrants() {
        return resources(Kinds.CLUSTER_DATABASE_GRANTS);
    }

    public Resources<DatabaseBackup> databaseBackups() {
        return resources(Kinds.DATABASE_BACKUPS);
    }

    public Resources<DatabaseBackupSchedule> databaseBackupSchedules() {
        return resources(Kinds.DATABASE_BACKUP_SCHEDULES);
    }

    public Resources<DatabaseRestore> databaseRestores() {
        return resources(Kinds.DATABASE_RESTORES);
    }

    /**
     * Gets an application a database (RequestDatabase): creates the Database, DatabaseUser and DatabaseGrant, hands
     * each progress message to {@code progress} as they converge, and returns the connection details (without the
     * password: {@link #connection} with {@code includePassword} reads it). Runs until everything is Ready
     * (FailedPreconditionException when an object Failed) or the client's stream timeout, if one was set
     * (DeadlineExceededException; the objects stay and go on converging).
     */
    public Connection requestDatabase(RequestDatabaseRequest request, Consumer<RequestDatabaseProgress> progress) {
        return requestDatabase(request, progress, calls);
    }

    /** {@link #requestDatabase(RequestDatabaseRequest, Consumer)} ending at {@code timeout}. */
    public Connection requestDatabase(
            RequestDatabaseRequest request, Consumer<RequestDatabaseProgress> progress, Duration timeout) {
        return requestDatabase(request, progress, calls.withStreamTimeout(Optional.of(timeout)));
    }

    private Connection requestDatabase(
            RequestDatabaseRequest request, Consumer<RequestDatabaseProgress> progress, Calls with) {
        Objects.requireNonNull(progress, "progress");
        if (request.getValidateOnly()) {
            throw new IllegalArgumentException("validate_only stores nothing and returns no connection: use plan()");
        }
        try (Calls.Stream<RequestDatabaseProgress> stream =
                with.stream(PortalServiceGrpc.getRequestDatabaseMethod(), request)) {
            while (stream.hasNext()) {
                RequestDatabaseProgress next = stream.next();
                progress.accept(next);
                if (next.getReady()) {
                    return next.getConnection();
                }
            }
        }
        throw Errors.from(Status.INTERNAL
                .withDescription("the server ended RequestDatabase before the database was ready")
                .asRuntimeException());
    }

    /**
     * RequestDatabase with validate_only: nothing is stored; the answer holds the objects that would be created and
     * the SQL the provisioner would run, in order, secrets redacted.
     */
    public RequestDatabaseProgress plan(RequestDatabaseRequest request) {
        RequestDatabaseRequest validateOnly =
                request.toBuilder().setValidateOnly(true).build();
        List<RequestDatabaseProgress> messages = new ArrayList<>();
        try (Calls.Stream<RequestDatabaseProgress> stream =
                calls.withStreamTimeout(Optional.of(calls.unaryTimeout())).stream(
                        PortalServiceGrpc.getRequestDatabaseMethod(), validateOnly)) {
            stream.forEachRemaining(messages::add);
        }
        if (messages.isEmpty()) {
            throw Errors.from(Status.INTERNAL
                    .withDescription("the server answered a validate_only RequestDatabase with nothing")
                    .asRuntimeException());
        }
        return messages.getLast();
    }

    /**
     * How to connect as the DatabaseUser {@code user} in {@code namespace}; with {@code includePassword} the password
     * too (PermissionDeniedException unless the caller may read its Secret or credentials).
     */
    public Connection connection(String namespace, String user, boolean includePassword) {
        GetConnectionRequest request = GetConnectionRequest.newBuilder()
                .setName(Kinds.DATABASE_USERS.resourceName(namespace, user))
                .setIncludePassword(includePassword)
                .build();
        return calls.unary(PortalServiceGrpc.getGetConnectionMethod(), request);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The methods retried on UNAVAILABLE: those that change nothing. */
    static List<String> idempotentMethodNames() {
        List<String> names = new ArrayList<>();
        for (ResourceKind<?> kind : Kinds.ALL) {
            for (MethodDescriptor<?, ?> method : kind.idempotentMethods()) {
                names.add(method.getFullMethodName());
            }
        }
        names.add(PortalServiceGrpc.getGetConnectionMethod().getFullMethodName());
        return names;
    }

    /**
     * Configures a client: from a kubeconfig ({@link #config(Path, Optional)}) and/or explicitly; the explicit
     * settings given after a config override it.
     */
    public static final class Builder {
        private ConnectionConfig config;
        private Duration timeout = Duration.ofSeconds(30);
        private Optional<Duration> streamTimeout = Optional.empty();
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private final List<ClientStreamTracer.Factory> tracers = new ArrayList<>();

        private Builder() {}

        /** Reads {@code file} (a kubeconfig) and its {@code context} (empty: the current context). */
        public Builder config(Path file, Optional<String> context) {
            this.config = KubeconfigReader.read(file, context);
            return this;
        }

        public Builder config(ConnectionConfig connection) {
            this.config = Objects.requireNonNull(connection, "connection");
            return this;
        }

        /** {@code https://host:port} of the portal port. */
        public Builder endpoint(String endpoint) {
            var uri = ConnectionConfig.parseEndpoint(endpoint);
            this.config = config == null ? ConnectionConfig.of(uri) : config.withEndpoint(uri);
            return this;
        }

        /** The CA certificates (PEM) to trust instead of the JDK's. */
        public Builder caPem(String pem) {
            this.config = requireEndpoint().withCaPem(pem);
            return this;
        }

        public Builder token(String token) {
            this.config = requireEndpoint().withToken(token);
            return this;
        }

        public Builder clientCertificate(String certificatePem, String privateKeyPem) {
            this.config = requireEndpoint().withClientCertificate(certificatePem, privateKeyPem);
            return this;
        }

        /** The deadline of each unary call (default 30 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = requirePositive(timeout);
            return this;
        }

        /** A deadline on watches and RequestDatabase too; by default they run until done or cancelled. */
        public Builder streamTimeout(Duration timeout) {
            this.streamTimeout = Optional.of(requirePositive(timeout));
            return this;
        }

        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Observes every attempt of every call (each retry is an attempt of its own): for metrics and tests. */
        public Builder streamTracer(ClientStreamTracer.Factory factory) {
            tracers.add(Objects.requireNonNull(factory, "factory"));
            return this;
        }

        public DbProvisionClient build() {
            ConnectionConfig connection = requireEndpoint();
            NettyChannelBuilder channel = NettyChannelBuilder.forAddress(
                            connection.host(), connection.port(), credentials(connection))
                    .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                    .userAgent("dbprovision-java");
            if (retryPolicy.maxAttempts() > 1) {
                channel.defaultServiceConfig(retryPolicy.serviceConfig(idempotentMethodNames()))
                        .enableRetry()
                        .maxRetryAttempts(retryPolicy.maxAttempts());
            } else {
                channel.disableRetry();
            }
            CallOptions options = CallOptions.DEFAULT;
            for (ClientStreamTracer.Factory tracer : tracers) {
                options = options.withStreamTracerFactory(tracer);
            }
            ManagedChannel built = channel.build();
            return new DbProvisionClient(built, new Calls(built, options, timeout, streamTimeout), connection);
        }

        private ConnectionConfig requireEndpoint() {
            if (config == null) {
                throw new ConfigException("no endpoint: give a config file or an endpoint (https://host:port)");
            }
            return config;
        }

        private static Duration requirePositive(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("a timeout must be positive");
            }
            return timeout;
        }

        /** TLS with the configured CA (or the JDK's), the client certificate if any, and the token if any. */
        private static ChannelCredentials credentials(ConnectionConfig connection) {
            TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
            try {
                if (connection.caPem().isPresent()) {
                    tls.trustManager(stream(connection.caPem().get()));
                }
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException(
                        "the CA certificate cannot be used (" + e.getClass().getSimpleName() + ")");
            }
            try {
                if (connection.clientCertificatePem().isPresent()) {
                    tls.keyManager(
                            stream(connection.clientCertificatePem().get()),
                            stream(connection.clientKeyPem().orElseThrow()));
                }
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("the client certificate or key cannot be used ("
                        + e.getClass().getSimpleName() + "; the key must be unencrypted PKCS#8 PEM)");
            }
            ChannelCredentials credentials = tls.build();
            if (connection.token().isPresent()) {
                CallCredentials bearer = new BearerToken(connection.token().get());
                credentials = CompositeChannelCredentials.create(credentials, bearer);
            }
            return credentials;
        }

        private static InputStream stream(String pem) {
            return new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8));
        }
    }
}
