package io.dbprovision.apiserver;

import io.dbprovision.apiserver.audit.AuditFlags;
import io.dbprovision.apiserver.provisioning.ProvisionerFlags;
import io.dbprovision.apiserver.server.StandaloneServer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dbprovision standalone}: the whole product in one process on the embedded store, no cluster needed — the
 * provisioner included (in-process, over mutual TLS on loopback) unless {@code --provisioner-address} names another.
 */
@Command(
        name = "standalone",
        mixinStandardHelpOptions = true,
        description = "Serve dbops.dbprovision.io on the embedded store, with a self-made CA and a kubeconfig.")
final class StandaloneCommand implements Runnable {
    @Option(
            names = "--data-dir",
            defaultValue = "dbprovision-data",
            description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--port", defaultValue = "8443", description = "HTTPS port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--bind-address",
            defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bindAddress;

    @Option(
            names = "--portal-port",
            defaultValue = "9443",
            description = "Port of the portal gRPC API (TLS, same certificate and credentials as HTTPS); 0 turns it off"
                    + " (default: ${DEFAULT-VALUE}).")
    int portalPort;

    @Option(
            names = "--portal-bind-address",
            description = "Address the portal gRPC API listens on (default: the --bind-address).")
    String portalBindAddress;

    @Option(names = "--no-fsync", description = "Do not fsync commits (survives process crashes, not power loss).")
    boolean noFsync;

    @Option(
            names = "--token-auth-file",
            description =
                    "Bearer tokens of more users, in the kube-apiserver's CSV format: token,user,uid,\"group1,group2\".")
    Path tokenAuthFile;

    @Option(
            names = "--anonymous-auth",
            defaultValue = "false",
            description = "Let unauthenticated requests in as system:anonymous; RBAC decides what they may do"
                    + " (default: ${DEFAULT-VALUE}).")
    boolean anonymousAuth;

    @Option(
            names = "--encryption-provider-config",
            description = "Encrypt Secrets at rest as this kube-apiserver EncryptionConfiguration says (aesgcm keys;"
                    + " the file must be readable by this user only).")
    Path encryptionProviderConfig;

    @Mixin
    AuditFlags audit;

    @Mixin
    ProvisionerFlags provisioner;

    @Override
    public void run() {
        StandaloneServer server = StandaloneServer.start(options());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        System.out.printf(
                """
                DB Provision %s (standalone) serves dbops.dbprovision.io/v1alpha1 at https://%s:%d
                  data directory: %s (embedded store, fsync %s)
                  kubeconfig:     %s
                  admin token:    %s
                  provisioner:    %s
                %sTry:
                  kubectl --kubeconfig %s api-resources --api-group=dbops.dbprovision.io
                """,
                BuildInfo.version(),
                bindAddress.equals("0.0.0.0") ? "127.0.0.1" : bindAddress,
                server.port(),
                server.dataDir(),
                noFsync ? "off" : "on",
                server.kubeconfig(),
                server.dataDir().resolve("admin.token"),
                server.provisionerDescription(),
                server.portalPort()
                        .map(port -> "  portal (gRPC): https://%s:%d, kubeconfig %s%n"
                                .formatted(
                                        portalHost().equals("0.0.0.0") ? "127.0.0.1" : portalHost(),
                                        port,
                                        server.portalKubeconfig().orElseThrow()))
                        .orElse(""),
                server.kubeconfig());
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String portalHost() {
        return portalBindAddress == null ? bindAddress : portalBindAddress;
    }

    /** The flags as the server's options; a {@link picocli.CommandLine.ParameterException} for ones that cannot work. */
    StandaloneServer.Options options() {
        StandaloneServer.Options options = StandaloneServer.Options.of(dataDir, bindAddress, port, !noFsync)
                .withAnonymous(anonymousAuth)
                .withAudit(audit.options())
                .withProvisioner(provisioner.choice());
        if (portalPort < 0 || portalPort > 65535) {
            throw new picocli.CommandLine.ParameterException(
                    new picocli.CommandLine(this), "--portal-port must be between 0 (off) and 65535");
        }
        if (portalPort > 0) {
            options = options.withPortal(portalHost(), portalPort);
        }
        if (tokenAuthFile != null) {
            options = options.withTokenFile(tokenAuthFile);
        }
        if (encryptionProviderConfig != null) {
            options = options.withEncryptionConfig(encryptionProviderConfig);
        }
        return options;
    }
}
