package io.dbprovision.apiserver.reconcile.bench;

import io.dbprovision.apiserver.provisioning.ProvisionerAddress;
import io.dbprovision.apiserver.provisioning.ProvisionerChoice;
import io.dbprovision.apiserver.server.Pki;
import io.dbprovision.provisioner.ProvisionerWiring;
import io.dbprovision.provisioner.server.ProvisionerServer;
import io.dbprovision.provisioner.server.TlsFiles;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The provisioner the benchmark's server calls: the engine service as the product assembles it
 * ({@link ProvisionerWiring}, pools closed after five idle minutes as in the embedded provisioner) behind a
 * {@link ProvisionerServer} on 127.0.0.1 with mutual TLS — the transport the standalone server's in-process provisioner
 * uses — plus the benchmark's two observers: the {@link SqlRecorder} on its engine sessions and {@link CallTags} on its
 * calls. The standalone server is pointed at it as at an external provisioner ({@code --provisioner-address} and the
 * TLS files), which is how the recorder gets in without any hook in the product; it runs in the same JVM, as the
 * embedded one does.
 */
final class BenchProvisioner implements AutoCloseable {
    private static final Duration POOL_IDLE = Duration.ofMinutes(5);

    final SqlRecorder recorder = new SqlRecorder();
    final CallTags calls = new CallTags();
    private final ProvisionerWiring wiring;
    private final ProvisionerServer server;
    private final ProvisionerChoice.External choice;

    BenchProvisioner(Path dir) throws IOException {
        Files.createDirectories(dir);
        Pki.Issued ca = Pki.newCa("dbprb-provisioner-ca", Duration.ofDays(2));
        Pki.newServing(ca, "dbprb-provisioner", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(2))
                .write(dir.resolve("provisioner.crt"), dir.resolve("provisioner.key"));
        Pki.newClient(ca, "dbprb-apiserver", List.of(), Duration.ofDays(2))
                .write(dir.resolve("apiserver.crt"), dir.resolve("apiserver.key"));
        Files.writeString(dir.resolve("ca.crt"), ca.certificatePem());
        wiring = ProvisionerWiring.create(POOL_IDLE, List.of(recorder));
        BindableService tagged = () -> ServerInterceptors.intercept(wiring.service(), calls);
        server = ProvisionerServer.builder()
                .port(0)
                .bindAddress("127.0.0.1")
                .tls(TlsFiles.mutual(
                        dir.resolve("provisioner.crt"), dir.resolve("provisioner.key"), dir.resolve("ca.crt")))
                // The embedded provisioner has no files to watch; do not count a file check every minute at rest.
                .reloadInterval(Duration.ofHours(1))
                .shutdownGrace(Duration.ofSeconds(2))
                .service(tagged)
                .build()
                .start();
        choice = new ProvisionerChoice.External(
                ProvisionerAddress.loopback(server.port()),
                dir.resolve("ca.crt"),
                dir.resolve("apiserver.crt"),
                dir.resolve("apiserver.key"));
    }

    /** What the standalone server is started with to call this provisioner. */
    ProvisionerChoice choice() {
        return choice;
    }

    /** Open connection pools (one per engine database the calls touched recently). */
    int pools() {
        return wiring.pools().size();
    }

    @Override
    public void close() {
        server.shutdown();
        wiring.close();
    }
}
