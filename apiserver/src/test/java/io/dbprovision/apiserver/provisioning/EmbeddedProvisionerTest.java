package io.dbprovision.apiserver.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dbprovision.apiserver.server.Pki;
import io.dbprovision.proto.engine.v1alpha1.CheckInstanceRequest;
import io.dbprovision.proto.engine.v1alpha1.CheckInstanceResponse;
import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.DropDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.EngineServiceGrpc;
import io.dbprovision.proto.engine.v1alpha1.EnsureDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provisioner inside the API server, on a real loopback socket with the standalone server's CA: engine calls on
 * the machine's PostgreSQL (127.0.0.1:5432, postgres) and MariaDB (127.0.0.1:3306, root) through the client; callers
 * without the API server's certificate refused at the handshake; certificates kept, reused and renewed.
 */
class EmbeddedProvisionerTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Pki.Issued CA = Pki.newCa("dbppv-standalone-ca", Duration.ofDays(3650));
    private static final Pki.Issued OTHER_CA = Pki.newCa("dbppv-other-ca", Duration.ofDays(3650));

    static final Instance POSTGRES = Instance.newBuilder()
            .setEngine(EngineType.ENGINE_TYPE_POSTGRES)
            .setHost("127.0.0.1")
            .setPort(5432)
            .setUsername("postgres")
            .build();
    static final Instance MARIADB = Instance.newBuilder()
            .setEngine(EngineType.ENGINE_TYPE_MARIADB)
            .setHost("127.0.0.1")
            .setPort(3306)
            .setUsername("root")
            .build();

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
    }

    @Test
    void theClientReachesPostgresAndMariaDbThroughTheProvisioner() {
        EmbeddedProvisioner provisioner = start();

        CheckInstanceResponse postgres = check(provisioner.client(), POSTGRES);
        CheckInstanceResponse mariadb = check(provisioner.client(), MARIADB);

        assertThat(postgres.getDetectedEngine()).isEqualTo(EngineType.ENGINE_TYPE_POSTGRES);
        assertThat(postgres.getVersionNumber()).matches("[0-9]+(\\.[0-9]+)*");
        assertThat(mariadb.getDetectedEngine()).isEqualTo(EngineType.ENGINE_TYPE_MARIADB);
        assertThat(mariadb.getVersion()).containsIgnoringCase("mariadb");
    }

    @Test
    void aChangeMadeThroughTheClientIsMadeOnTheServer() {
        EmbeddedProvisioner provisioner = start();
        String database =
                "dbppv_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        EngineServiceGrpc.EngineServiceBlockingStub engine =
                provisioner.client().engine(DEADLINE);
        try {
            assertThat(engine.ensureDatabase(EnsureDatabaseRequest.newBuilder()
                                    .setInstance(POSTGRES)
                                    .setDatabase(DatabaseDefinition.newBuilder().setName(database))
                                    .build())
                            .getChanged())
                    .isTrue();
            assertThat(engine.ensureDatabase(EnsureDatabaseRequest.newBuilder()
                                    .setInstance(POSTGRES)
                                    .setDatabase(DatabaseDefinition.newBuilder().setName(database))
                                    .build())
                            .getChanged())
                    .as("the second call finds it there")
                    .isFalse();
        } finally {
            engine.dropDatabase(DropDatabaseRequest.newBuilder()
                    .setInstance(POSTGRES)
                    .setName(database)
                    .build());
        }
    }

    @Test
    void aCallerWithoutClientCertificateIsRefusedAtTheHandshake() throws IOException {
        EmbeddedProvisioner provisioner = start();
        ManagedChannel anonymous = NettyChannelBuilder.forAddress("127.0.0.1", provisioner.port())
                .sslContext(GrpcSslContexts.configure(SslContextBuilder.forClient())
                        .trustManager(CA.certificate())
                        .build())
                .build();
        open.add(() -> anonymous.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));

        assertRefused(() -> EngineServiceGrpc.newBlockingStub(anonymous)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .checkInstance(
                        CheckInstanceRequest.newBuilder().setInstance(POSTGRES).build()));
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefused() {
        EmbeddedProvisioner provisioner = start();
        Pki.Issued stranger = Pki.newClient(OTHER_CA, EmbeddedProvisioner.CLIENT_USER, List.of(), Duration.ofDays(1));

        ProvisionerClient client = client(provisioner, stranger);

        assertRefused(() -> check(client, POSTGRES));
    }

    @Test
    void anotherUserOfTheSameCaIsRefused() {
        EmbeddedProvisioner provisioner = start();
        // The standalone admin's certificate: same CA, system:masters, but not the API server.
        Pki.Issued admin = Pki.newClient(CA, "admin", List.of("system:masters"), Duration.ofDays(1));

        ProvisionerClient client = client(provisioner, admin);

        assertRefused(() -> check(client, POSTGRES));
    }

    @Test
    void theServingCertificateIsOnlyForLoopbackAndTheClientChecksTheName() throws Exception {
        EmbeddedProvisioner provisioner = start();

        X509Certificate served = servedCertificate(provisioner.port(), clientOf(dir.resolve("pki")));
        assertThat(served.getSubjectAlternativeNames())
                .containsExactlyInAnyOrder(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
        assertThat(served.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(served.getBasicConstraints()).isEqualTo(-1);

        // localhost is in the certificate: served
        ProvisionerClientTls tls = ProvisionerClientTls.fromIssued(CA.certificate(), clientOf(dir.resolve("pki")));
        ProvisionerClient byName =
                ProvisionerClient.connect(new ProvisionerAddress("localhost", provisioner.port()), tls);
        open.add(byName);
        assertThat(check(byName, POSTGRES).getVersion()).isNotEmpty();
        // the same server asked for by a name it does not carry: refused by our side
        ManagedChannel otherName = NettyChannelBuilder.forAddress("127.0.0.1", provisioner.port())
                .overrideAuthority("provisioner.example")
                .sslContext(tls.sslContext())
                .build();
        open.add(() -> otherName.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        assertRefused(() -> EngineServiceGrpc.newBlockingStub(otherName)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .checkInstance(
                        CheckInstanceRequest.newBuilder().setInstance(POSTGRES).build()));
    }

    @Test
    void theCertificatesAreKeptOwnerOnlyAndReusedOnRestart() throws IOException {
        Path pki = dir.resolve("pki");
        EmbeddedProvisioner first = EmbeddedProvisioner.startWithCaIn(pki, CA);
        Map<String, byte[]> written = files(pki);
        first.close();

        EmbeddedProvisioner second = start();

        assertThat(files(pki)).containsOnlyKeys(written.keySet());
        written.forEach((name, bytes) ->
                assertThat(readAll(pki.resolve(name))).as(name + " is reused").isEqualTo(bytes));
        for (String key : List.of("provisioner.key", "provisioner-client.key")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.resolve(key))))
                    .as(key)
                    .isEqualTo("rw-------");
        }
        for (String certificate : List.of("provisioner.crt", "provisioner-client.crt")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pki.resolve(certificate)))
                            .substring(3))
                    .as(certificate + " is not writable by group or others")
                    .doesNotContain("w");
        }
        assertThat(check(second.client(), POSTGRES).getVersion()).isNotEmpty();
    }

    @Test
    void certificatesNearTheirEndOrFromAnotherCaAreIssuedAgainAtStart() {
        Path pki = dir.resolve("pki");
        Pki.newServing(CA, "dbprovision-provisioner", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(10))
                .write(pki.resolve("provisioner.crt"), pki.resolve("provisioner.key"));
        Pki.newClient(OTHER_CA, EmbeddedProvisioner.CLIENT_USER, List.of(), Duration.ofDays(365))
                .write(pki.resolve("provisioner-client.crt"), pki.resolve("provisioner-client.key"));

        EmbeddedProvisioner provisioner = start();

        Pki.Issued serving = Pki.read(pki.resolve("provisioner.crt"), pki.resolve("provisioner.key"));
        Pki.Issued client = clientOf(pki);
        assertThat(serving.certificate().getNotAfter().toInstant())
                .isAfter(Instant.now().plus(ProvisionerCertificates.RENEW_BEFORE));
        assertThat(client.certificate().getIssuerX500Principal())
                .isEqualTo(CA.certificate().getSubjectX500Principal());
        assertThat(check(provisioner.client(), POSTGRES).getVersion()).isNotEmpty();
    }

    @Test
    void aServingCertificateForOtherNamesOrABrokenFileIsIssuedAgain() throws IOException {
        Path pki = dir.resolve("pki");
        Pki.newServing(
                        CA,
                        "dbprovision-provisioner",
                        List.of("localhost", "evil.example"),
                        List.of("127.0.0.1"),
                        Duration.ofDays(365))
                .write(pki.resolve("provisioner.crt"), pki.resolve("provisioner.key"));
        Files.writeString(pki.resolve("provisioner-client.crt"), "-----BEGIN CERTIFICATE-----\nnot base64\n");
        Files.writeString(pki.resolve("provisioner-client.key"), "");

        EmbeddedProvisioner provisioner = start();

        assertThat(servedNames(provisioner)).doesNotContain(List.of(2, "evil.example"));
        assertThat(check(provisioner.client(), POSTGRES).getVersion()).isNotEmpty();
    }

    @Test
    void renewalWhileRunningSwapsInNewCertificatesForNewConnections() throws Exception {
        Path pki = dir.resolve("pki");
        AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
        EmbeddedProvisioner provisioner =
                EmbeddedProvisioner.start(ProvisionerCertificates.inDirectory(pki, CA, now::get));
        open.add(provisioner);
        X509Certificate before = servedCertificate(provisioner.port(), clientOf(pki));

        assertThat(provisioner.renewIfDue()).as("nothing is due yet").isFalse();
        now.set(now.get().plus(Duration.ofDays(300)));
        assertThat(provisioner.renewIfDue()).isTrue();

        X509Certificate after = servedCertificate(provisioner.port(), clientOf(pki));
        assertThat(after).isNotEqualTo(before);
        assertThat(after)
                .isEqualTo(Pki.read(pki.resolve("provisioner.crt"), pki.resolve("provisioner.key"))
                        .certificate());
        assertThat(check(provisioner.client(), POSTGRES).getVersion()).isNotEmpty();
    }

    @Test
    void withACaOfItsOwnInMemoryItServesToo() {
        EmbeddedProvisioner provisioner = EmbeddedProvisioner.startWithMemoryCa();
        open.add(provisioner);

        assertThat(provisioner.caCertificate().getSubjectX500Principal().getName())
                .startsWith("CN=dbprovision-provisioner-ca@");
        assertThat(check(provisioner.client(), POSTGRES).getVersion()).isNotEmpty();
        // a client that trusts its CA but presents a certificate of another CA (the standalone one) is refused
        Pki.Issued foreign = Pki.newClient(CA, EmbeddedProvisioner.CLIENT_USER, List.of(), Duration.ofDays(1));
        ProvisionerClient client = client(provisioner, provisioner.caCertificate(), foreign);
        assertRefused(() -> check(client, POSTGRES));
    }

    @Test
    void aCallWithoutAPositiveDeadlineIsRefusedBeforeItIsSent() {
        EmbeddedProvisioner provisioner = start();

        for (Duration deadline : new Duration[] {null, Duration.ZERO, Duration.ofSeconds(-1)}) {
            assertThat(catchThrowableOfType(
                            IllegalArgumentException.class,
                            () -> provisioner.client().engine(deadline)))
                    .hasMessageContaining("deadline");
        }
    }

    private EmbeddedProvisioner start() {
        EmbeddedProvisioner provisioner = EmbeddedProvisioner.startWithCaIn(dir.resolve("pki"), CA);
        open.add(provisioner);
        return provisioner;
    }

    /** A client of the in-process provisioner that presents {@code certificate} and trusts the right CA. */
    private ProvisionerClient client(EmbeddedProvisioner provisioner, Pki.Issued certificate) {
        return client(provisioner, CA.certificate(), certificate);
    }

    private ProvisionerClient client(EmbeddedProvisioner provisioner, X509Certificate trusted, Pki.Issued certificate) {
        ProvisionerClient client = ProvisionerClient.connect(
                ProvisionerAddress.loopback(provisioner.port()),
                ProvisionerClientTls.fromPem(Pki.pem(trusted), certificate.certificatePem(), certificate.keyPem()));
        open.add(client);
        return client;
    }

    static CheckInstanceResponse check(EngineChannel channel, Instance instance) {
        return channel.engine(DEADLINE)
                .checkInstance(
                        CheckInstanceRequest.newBuilder().setInstance(instance).build());
    }

    /** The call fails as a refused handshake does: UNAVAILABLE, with a TLS error underneath. */
    static void assertRefused(Runnable call) {
        StatusRuntimeException error = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(error).as("the call is refused").isNotNull();
        assertThat(error.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(causes(error)).as("a TLS failure underneath").anyMatch(javax.net.ssl.SSLException.class::isInstance);
    }

    private static List<Throwable> causes(Throwable error) {
        List<Throwable> causes = new ArrayList<>();
        for (Throwable cause = error; cause != null && !causes.contains(cause); cause = cause.getCause()) {
            causes.add(cause);
        }
        return causes;
    }

    private static Pki.Issued clientOf(Path pki) {
        return Pki.read(pki.resolve("provisioner-client.crt"), pki.resolve("provisioner-client.key"));
    }

    private List<List<?>> servedNames(EmbeddedProvisioner provisioner) throws IOException {
        try {
            return List.copyOf(servedCertificate(provisioner.port(), clientOf(dir.resolve("pki")))
                    .getSubjectAlternativeNames());
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /** The certificate the server presents to a plain JSSE handshake as {@code client}. */
    private static X509Certificate servedCertificate(int port, Pki.Issued client) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", client.key(), new char[0], new X509Certificate[] {client.certificate()});
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, new char[0]);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", CA.certificate());
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static Map<String, byte[]> files(Path pki) throws IOException {
        Map<String, byte[]> files = new java.util.TreeMap<>();
        try (var list = Files.list(pki)) {
            for (Path file : list.toList()) {
                files.put(file.getFileName().toString(), Files.readAllBytes(file));
            }
        }
        return files;
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
