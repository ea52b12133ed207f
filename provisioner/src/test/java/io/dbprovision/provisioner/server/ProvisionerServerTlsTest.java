package io.dbprovision.provisioner.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.EngineServiceGrpc;
import io.dbprovision.proto.engine.v1alpha1.EnsureDatabaseRequest;
import io.dbprovision.provisioner.engine.Engines;
import io.dbprovision.provisioner.engine.password.PasswordGenerator;
import io.dbprovision.provisioner.service.EngineGrpcService;
import io.dbprovision.provisioner.testing.Await;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.grpc.util.AdvancedTlsX509KeyManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server on a real loopback socket: TLS, mutual TLS, certificate reload, limits, health and reflection. */
public class ProvisionerServerTlsTest {
    private static final TestPki.Issued CA = TestPki.ca("dbpsrv test CA");
    private static final TestPki.Issued OTHER_CA = TestPki.ca("dbpsrv other CA");
    private static final TestPki.Issued SERVER = TestPki.server(CA, "dbpsrv provisioner");
    private static final TestPki.Issued CLIENT = TestPki.client(CA, "dbpsrv reconciler");
    private static final TestPki.Issued STRANGER = TestPki.client(OTHER_CA, "dbpsrv stranger");

    @TempDir
    Path dir;

    private ProvisionerServer server;
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void mutualTlsAcceptsAClientCertificateFromTheClientCa() {
        start(mutual(CA, SERVER, false));

        assertThat(check(channel(CA, CLIENT), "")).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void mutualTlsRefusesAClientCertificateFromAnotherCa() {
        start(mutual(CA, SERVER, false));

        assertRefused(channelAlwaysSending(CA, STRANGER));
        assertRefused(channel(CA, STRANGER));
    }

    @Test
    void mutualTlsRefusesACallerWithoutClientCertificate() {
        start(mutual(CA, SERVER, false));

        assertRefused(channel(CA, null));
    }

    @Test
    void anOptionalClientCertificateMayBeLeftOutButAForeignOneIsStillRefused() {
        start(mutual(CA, SERVER, true));

        assertThat(check(channel(CA, null), "")).isEqualTo(ServingStatus.SERVING);
        assertRefused(channelAlwaysSending(CA, STRANGER));
    }

    @Test
    void plainTlsServesCallersWithoutClientCertificate() {
        SERVER.write(dir, "server");
        start(ProvisionerServer.builder()
                .tls(TlsFiles.serverOnly(dir.resolve("server.crt"), dir.resolve("server.key"))));

        assertThat(check(channel(CA, null), "")).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void aTls12OnlyClientIsServed() throws IOException {
        start(mutual(CA, SERVER, false));
        ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", server.port())
                .sslContext(GrpcSslContexts.forClient()
                        .protocols("TLSv1.2")
                        .trustManager(
                                new ByteArrayInputStream(CA.certificatePem().getBytes(StandardCharsets.US_ASCII)))
                        .keyManager(
                                new ByteArrayInputStream(CLIENT.certificatePem().getBytes(StandardCharsets.US_ASCII)),
                                new ByteArrayInputStream(CLIENT.keyPem().getBytes(StandardCharsets.US_ASCII)))
                        .build())
                .build();
        channels.add(channel);

        assertThat(check(channel, "")).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void openSslServesWhereItLoads() {
        start(mutual(CA, SERVER, false));

        assertThat(server.tlsProvider()).isEqualTo(OpenSsl.isAvailable() ? "OpenSSL" : "JDK");
        assertThat(check(channel(CA, CLIENT), "")).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void replacedCertificateKeyAndClientCaFilesAreUsedByNewConnections() throws IOException {
        // OpenSSL (where it loads) asks client certificates from the CAs of the context it was built with: the
        // context is rebuilt on reload, or a client sending only for a CA asked for would send nothing.
        assertRotationIsUsedByNewConnections(mutual(CA, SERVER, false));
    }

    @Test
    void theJdksTlsAlsoUsesReplacedFiles() throws IOException {
        assertRotationIsUsedByNewConnections(mutual(CA, SERVER, false).openSsl(false));
        assertThat(server.tlsProvider()).isEqualTo("JDK");
    }

    private void assertRotationIsUsedByNewConnections(ProvisionerServer.Builder builder) throws IOException {
        start(builder.reloadInterval(Duration.ofMillis(100)));
        assertThat(check(channel(CA, CLIENT), "")).isEqualTo(ServingStatus.SERVING);

        // Rotate to a new CA: a new server certificate and key, and client certificates from the new CA only.
        TestPki.Issued newServer = TestPki.server(OTHER_CA, "dbpsrv provisioner rotated");
        replace(dir.resolve("server.key"), newServer.keyPem());
        replace(dir.resolve("server.crt"), newServer.certificatePem());
        replace(dir.resolve("client-ca.crt"), OTHER_CA.certificatePem());

        Await.until(Duration.ofSeconds(10), "the rotated material is served", () -> {
            try {
                return check(channel(OTHER_CA, STRANGER), "") == ServingStatus.SERVING;
            } catch (StatusRuntimeException e) {
                return false;
            }
        });
        assertRefused(channelAlwaysSending(CA, CLIENT));
    }

    @Test
    void aHalfReplacedIdentityKeepsTheServingMaterialUntilTheKeyMatches() throws IOException {
        start(mutual(CA, SERVER, false));
        TestPki.Issued newServer = TestPki.server(CA, "dbpsrv provisioner rotated");

        replace(dir.resolve("server.crt"), newServer.certificatePem());
        assertThat(server.reloadTlsNow())
                .as("a certificate without its key is not loaded")
                .isFalse();
        assertThat(check(channel(CA, CLIENT), "")).isEqualTo(ServingStatus.SERVING);

        replace(dir.resolve("server.key"), newServer.keyPem());
        assertThat(server.reloadTlsNow()).isTrue();
        assertThat(check(channel(CA, CLIENT), "")).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void healthAndReflectionAnswerOverTheSocketAsGrpcurlWouldAsk() {
        start(mutual(CA, SERVER, false));
        ManagedChannel channel = channel(CA, CLIENT);

        assertThat(listServices(channel))
                .contains(
                        "dbops.engine.v1alpha1.EngineService",
                        "grpc.health.v1.Health",
                        "grpc.reflection.v1.ServerReflection");
        assertThat(check(channel, "")).isEqualTo(ServingStatus.SERVING);
        assertThat(check(channel, ProvisionerServer.ENGINE_SERVICE)).isEqualTo(ServingStatus.SERVING);
    }

    @Test
    void healthTurnsNotServingWhenTheServerShutsDown() {
        start(mutual(CA, SERVER, false).shutdownGrace(Duration.ofMillis(500)));
        List<ServingStatus> seen = new CopyOnWriteArrayList<>();
        HealthGrpc.newStub(channel(CA, CLIENT)).watch(HealthCheckRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(HealthCheckResponse response) {
                seen.add(response.getStatus());
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
        });
        Await.until(Duration.ofSeconds(10), "the watch reports SERVING", () -> seen.contains(ServingStatus.SERVING));

        server.shutdown();

        Await.until(
                Duration.ofSeconds(10),
                "the watch reports NOT_SERVING",
                () -> seen.contains(ServingStatus.NOT_SERVING));
    }

    @Test
    void aRequestOverTheMessageSizeLimitIsRefused() {
        start(mutual(CA, SERVER, false).maxInboundMessageBytes(1024));

        var error = catchThrowableOfType(
                StatusRuntimeException.class,
                () -> EngineServiceGrpc.newBlockingStub(channel(CA, CLIENT))
                        .ensureDatabase(EnsureDatabaseRequest.newBuilder()
                                .setDatabase(DatabaseDefinition.newBuilder().setName("d".repeat(4096)))
                                .build()));

        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    private ProvisionerServer.Builder mutual(TestPki.Issued clientCa, TestPki.Issued serverCert, boolean optional) {
        serverCert.write(dir, "server");
        try {
            Files.writeString(dir.resolve("client-ca.crt"), clientCa.certificatePem());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return ProvisionerServer.builder()
                .tls(new TlsFiles(
                        dir.resolve("server.crt"),
                        dir.resolve("server.key"),
                        Optional.of(dir.resolve("client-ca.crt")),
                        optional));
    }

    private void start(ProvisionerServer.Builder builder) {
        EngineGrpcService engineService = new EngineGrpcService(
                new Engines(List.of()),
                (instance, validateOnly, deadline) -> {
                    throw new IllegalStateException("no engine calls in these tests");
                },
                new PasswordGenerator());
        server = builder.port(0)
                .bindAddress("127.0.0.1")
                .service(engineService)
                .build()
                .start();
    }

    /**
     * A new channel (so a new handshake) to the server, trusting {@code ca}, with an optional client certificate that
     * it sends as an ordinary client does: only when its issuer is among the CAs the server asks for.
     */
    private ManagedChannel channel(TestPki.Issued ca, TestPki.Issued client) {
        return channel(ca, client, false);
    }

    /** As {@link #channel(TestPki.Issued, TestPki.Issued)}, but the certificate is sent whoever the server asks for. */
    private ManagedChannel channelAlwaysSending(TestPki.Issued ca, TestPki.Issued client) {
        return channel(ca, client, true);
    }

    private ManagedChannel channel(TestPki.Issued ca, TestPki.Issued client, boolean alwaysSend) {
        try {
            TlsChannelCredentials.Builder credentials = TlsChannelCredentials.newBuilder()
                    .trustManager(new ByteArrayInputStream(ca.certificatePem().getBytes(StandardCharsets.US_ASCII)));
            if (client != null && alwaysSend) {
                AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
                keys.updateIdentityCredentials(new X509Certificate[] {client.certificate()}, client.key());
                credentials.keyManager(keys);
            } else if (client != null) {
                credentials.keyManager(
                        new ByteArrayInputStream(client.certificatePem().getBytes(StandardCharsets.US_ASCII)),
                        new ByteArrayInputStream(client.keyPem().getBytes(StandardCharsets.US_ASCII)));
            }
            ChannelCredentials built = credentials.build();
            ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", server.port(), built)
                    .build();
            channels.add(channel);
            return channel;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ServingStatus check(ManagedChannel channel, String service) {
        return HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build())
                .getStatus();
    }

    private static void assertRefused(ManagedChannel channel) {
        var error = catchThrowableOfType(StatusRuntimeException.class, () -> check(channel, ""));
        assertThat(error).as("the call is refused").isNotNull();
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    /** What grpcurl's {@code list} does: ask the reflection service for the services. */
    public static List<String> listServices(ManagedChannel channel) {
        CompletableFuture<List<String>> names = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        names.complete(response.getListServicesResponse().getServiceList().stream()
                                .map(ServiceResponse::getName)
                                .toList());
                    }

                    @Override
                    public void onError(Throwable t) {
                        names.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        requests.onCompleted();
        return names.join();
    }

    /** Replaces a file the way a secret mount or cert-manager does: write aside, then rename over. */
    private static void replace(Path file, String content) throws IOException {
        Path aside = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(aside, content);
        Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
