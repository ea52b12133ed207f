package io.dbprovision.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer;
import io.dbprovision.apiserver.provisioning.EngineChannel;
import io.dbprovision.apiserver.provisioning.ProvisionerAddress;
import io.dbprovision.apiserver.provisioning.ProvisionerChoice;
import io.dbprovision.apiserver.server.DelegatedServer;
import io.dbprovision.apiserver.server.Pki;
import io.dbprovision.apiserver.server.StandaloneServer;
import io.dbprovision.proto.engine.v1alpha1.CheckInstanceRequest;
import io.dbprovision.proto.engine.v1alpha1.CheckInstanceResponse;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.provisioner.ProvisionerWiring;
import io.dbprovision.provisioner.server.ProvisionerServer;
import io.dbprovision.provisioner.server.TlsFiles;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A provisioner started on its own (as its Deployment runs it: TLS files, a client CA), and the servers pointed at it
 * with {@code --provisioner-address} and the three TLS flags: standalone and serve call it over mutual TLS, and refuse
 * one whose certificate is not from the CA they were given or not for the address they dial. The engine calls go to
 * the machine's PostgreSQL (127.0.0.1:5432) and MariaDB (127.0.0.1:3306).
 */
class ExternalProvisionerTest {
    private static final String SA_TOKEN = "service-account-token-of-dbprovision";
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Instance POSTGRES = Instance.newBuilder()
            .setEngine(EngineType.ENGINE_TYPE_POSTGRES)
            .setHost("127.0.0.1")
            .setPort(5432)
            .setUsername("postgres")
            .build();
    private static final Instance MARIADB = Instance.newBuilder()
            .setEngine(EngineType.ENGINE_TYPE_MARIADB)
            .setHost("127.0.0.1")
            .setPort(3306)
            .setUsername("root")
            .build();

    @TempDir
    Path dir;

    private final Pki.Issued ca = Pki.newCa("dbppv-provisioner-ca", Duration.ofDays(30));
    private final List<AutoCloseable> open = new ArrayList<>();
    private Path tls;
    private ProvisionerServer provisioner;

    @BeforeEach
    void startTheProvisioner() {
        tls = dir.resolve("tls");
        Pki.newServing(ca, "dbprovision-provisioner", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(30))
                .write(tls.resolve("provisioner.crt"), tls.resolve("provisioner.key"));
        Pki.newClient(ca, "dbprovision-apiserver", List.of(), Duration.ofDays(30))
                .write(tls.resolve("apiserver.crt"), tls.resolve("apiserver.key"));
        writeCa("ca.crt", ca);
        provisioner = startProvisioner(tls.resolve("provisioner.crt"), tls.resolve("provisioner.key"));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
    }

    @Test
    void standaloneCallsTheProvisionerTheFlagsName() {
        StandaloneServer server = startStandalone(externalFlags(provisioner.port(), "ca.crt"));

        assertThat(check(server.engineChannel(), POSTGRES).getDetectedEngine())
                .isEqualTo(EngineType.ENGINE_TYPE_POSTGRES);
        assertThat(check(server.engineChannel(), MARIADB).getDetectedEngine())
                .isEqualTo(EngineType.ENGINE_TYPE_MARIADB);
        assertThat(server.provisionerDescription()).contains("at 127.0.0.1:" + provisioner.port());
        assertThat(server.dataDir().resolve("pki/provisioner.crt"))
                .as("no provisioner runs inside")
                .doesNotExist();
    }

    @Test
    void withoutTheFlagsStandaloneRunsItsOwn() {
        StandaloneServer server = startStandalone(List.of());

        assertThat(server.provisionerDescription()).startsWith("in-process on 127.0.0.1:");
        assertThat(check(server.engineChannel(), POSTGRES).getVersion()).isNotEmpty();
        assertThat(server.dataDir().resolve("pki/provisioner.crt")).exists();
    }

    @Test
    void aProvisionerCertificateFromAnotherCaIsRefused() {
        writeCa("other-ca.crt", Pki.newCa("dbppv-other-ca", Duration.ofDays(30)));
        StandaloneServer server = startStandalone(externalFlags(provisioner.port(), "other-ca.crt"));

        assertRefused(server.engineChannel());
    }

    @Test
    void aProvisionerCertificateForAnotherNameIsRefused() {
        Pki.newServing(ca, "dbprovision-provisioner", List.of("elsewhere.example"), List.of(), Duration.ofDays(30))
                .write(tls.resolve("elsewhere.crt"), tls.resolve("elsewhere.key"));
        ProvisionerServer elsewhere = startProvisioner(tls.resolve("elsewhere.crt"), tls.resolve("elsewhere.key"));
        StandaloneServer server = startStandalone(externalFlags(elsewhere.port(), "ca.crt"));

        assertRefused(server.engineChannel());
    }

    @Test
    void unusableFilesStopTheStartAndLeaveTheDataDirectoryFree() throws IOException {
        List<String> flags = new ArrayList<>(externalFlags(provisioner.port(), "ca.crt"));
        flags.set(3, "--provisioner-client-key-file=" + tls.resolve("missing.key"));

        IllegalArgumentException refused = catchThrowableOfType(
                IllegalArgumentException.class, () -> StandaloneServer.start(standaloneOptions(flags)));

        assertThat(refused).hasMessageContaining("missing.key");
        // the store was closed again: the same data directory starts
        assertThat(check(
                                startStandalone(externalFlags(provisioner.port(), "ca.crt"))
                                        .engineChannel(),
                                POSTGRES)
                        .getVersion())
                .isNotEmpty();
    }

    @Test
    void theFlagsGoTogether() {
        String address = "--provisioner-address=127.0.0.1:" + provisioner.port();
        String ca = "--provisioner-ca-file=" + tls.resolve("ca.crt");

        assertThat(usageError(address)).contains("--provisioner-address needs --provisioner-ca-file");
        assertThat(usageError(address, ca)).contains("--provisioner-client-cert-file");
        assertThat(usageError(ca)).contains("go with --provisioner-address");
        List<String> files = externalFlags(provisioner.port(), "ca.crt").subList(1, 4);
        assertThat(usageError(withFiles("--provisioner-address=127.0.0.1", files)))
                .contains("'127.0.0.1' is not host:port: the port is missing");
        assertThat(usageError(withFiles("--provisioner-address=prov\u001bisioner:1", files)))
                .contains("--provisioner-address is not host:port")
                .doesNotContain("\u001b");
    }

    @Test
    void serveFlagsNameTheProvisionerOrLeaveItInProcess() {
        ProvisionerChoice external =
                serveOptions(externalFlags(provisioner.port(), "ca.crt")).provisioner();
        assertThat(external)
                .isEqualTo(new ProvisionerChoice.External(
                        new ProvisionerAddress("127.0.0.1", provisioner.port()),
                        tls.resolve("ca.crt"),
                        tls.resolve("apiserver.crt"),
                        tls.resolve("apiserver.key")));
        assertThat(serveOptions(List.of()).provisioner()).isEqualTo(ProvisionerChoice.inProcess());
    }

    @Test
    void serveCallsTheProvisionerTheFlagsName() throws IOException {
        DelegatedServer server = startServe(externalFlags(provisioner.port(), "ca.crt"));

        assertThat(server.summary()).contains("provisioner: at 127.0.0.1:" + provisioner.port());
        assertThat(check(server.engineChannel(), POSTGRES).getDetectedEngine())
                .isEqualTo(EngineType.ENGINE_TYPE_POSTGRES);
    }

    @Test
    void withoutTheFlagsServeRunsOneInsideWithACaInMemory() throws IOException {
        DelegatedServer server = startServe(List.of());

        assertThat(server.summary()).contains("provisioner: in-process on 127.0.0.1:");
        assertThat(check(server.engineChannel(), MARIADB).getDetectedEngine())
                .isEqualTo(EngineType.ENGINE_TYPE_MARIADB);
        try (var files = Files.walk(dir)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .as("no provisioner certificate is written")
                    .noneMatch(name -> name.startsWith("provisioner-client") || name.contains("provisioner-ca"));
        }
    }

    @Test
    void bothCommandsListTheFlagsInTheirHelp() {
        for (String command : List.of("standalone", "serve")) {
            StringWriter out = new StringWriter();
            int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).execute(command, "--help");

            assertThat(code).isZero();
            assertThat(out.toString())
                    .as(command)
                    .contains(
                            "--provisioner-address=HOST:PORT",
                            "--provisioner-ca-file=FILE",
                            "--provisioner-client-cert-file=FILE",
                            "--provisioner-client-key-file=FILE",
                            "a provisioner runs");
        }
    }

    private List<String> externalFlags(int port, String caFile) {
        return List.of(
                "--provisioner-address=127.0.0.1:" + port,
                "--provisioner-ca-file=" + tls.resolve(caFile),
                "--provisioner-client-cert-file=" + tls.resolve("apiserver.crt"),
                "--provisioner-client-key-file=" + tls.resolve("apiserver.key"));
    }

    private ProvisionerServer startProvisioner(Path certificate, Path key) {
        ProvisionerWiring wiring = ProvisionerWiring.create(Duration.ofMinutes(1));
        open.add(wiring);
        ProvisionerServer server = ProvisionerServer.builder()
                .port(0)
                .bindAddress("127.0.0.1")
                .tls(TlsFiles.mutual(certificate, key, tls.resolve("ca.crt")))
                .shutdownGrace(Duration.ofSeconds(1))
                .service(wiring.service())
                .build()
                .start();
        open.add(server);
        return server;
    }

    private StandaloneServer.Options standaloneOptions(List<String> flags) {
        List<String> args =
                new ArrayList<>(List.of("--data-dir=" + dir.resolve("data"), "--port=0", "--bind-address=127.0.0.1"));
        args.addAll(flags);
        CommandLine command = new CommandLine(new StandaloneCommand());
        command.parseArgs(args.toArray(String[]::new));
        return ((StandaloneCommand) command.getCommand()).options();
    }

    private StandaloneServer startStandalone(List<String> flags) {
        StandaloneServer server = StandaloneServer.start(standaloneOptions(flags));
        open.add(server);
        return server;
    }

    private DelegatedServer.Options serveOptions(List<String> flags) {
        List<String> args = new ArrayList<>(List.of(
                "--storage-backend=embedded",
                "--data-dir=" + dir.resolve("serve-data"),
                "--cert-dir=" + dir.resolve("serve-certs"),
                "--bind-address=127.0.0.1",
                "--secure-port=0"));
        args.addAll(flags);
        CommandLine command = new CommandLine(new ServeCommand());
        command.parseArgs(args.toArray(String[]::new));
        return ((ServeCommand) command.getCommand()).options();
    }

    private DelegatedServer startServe(List<String> flags) throws IOException {
        FakeKubeApiServer cluster = FakeKubeApiServer.start(SA_TOKEN);
        open.add(cluster);
        Pki.Issued frontProxyCa = Pki.newCa("front-proxy-ca", Duration.ofDays(1));
        cluster.putConfigMap(FakeKubeApiServer.configMapData(
                Optional.empty(), Optional.of(frontProxyCa), List.of("front-proxy-client")));
        Path kubeconfig = cluster.writeKubeconfig(dir.resolve("kube"), SA_TOKEN);
        List<String> args = new ArrayList<>(
                List.of("--authentication-kubeconfig=" + kubeconfig, "--authorization-kubeconfig=" + kubeconfig));
        args.addAll(flags);
        DelegatedServer server = DelegatedServer.start(serveOptions(args));
        open.add(server);
        return server;
    }

    private String usageError(String... flags) {
        return catchThrowableOfType(CommandLine.ParameterException.class, () -> standaloneOptions(List.of(flags)))
                .getMessage();
    }

    private static String[] withFiles(String address, List<String> files) {
        List<String> flags = new ArrayList<>(files);
        flags.addFirst(address);
        return flags.toArray(String[]::new);
    }

    private void writeCa(String name, Pki.Issued authority) {
        try {
            Files.writeString(tls.resolve(name), authority.certificatePem());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static CheckInstanceResponse check(EngineChannel channel, Instance instance) {
        return channel.engine(DEADLINE)
                .checkInstance(
                        CheckInstanceRequest.newBuilder().setInstance(instance).build());
    }

    private static void assertRefused(EngineChannel channel) {
        StatusRuntimeException error =
                catchThrowableOfType(StatusRuntimeException.class, () -> check(channel, POSTGRES));
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
}
