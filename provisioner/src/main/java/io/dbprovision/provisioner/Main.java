package io.dbprovision.provisioner;

import io.dbprovision.provisioner.server.ProvisionerServer;
import io.dbprovision.provisioner.server.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The provisioner's command: {@code java -jar dbprovision-provisioner.jar}. It reads its flags, assembles the server
 * (TLS unless {@code --insecure}, mutual TLS with {@code --client-ca-file}), serves until the process is told to stop
 * and then shuts down gracefully from a shutdown hook.
 */
@Command(
        name = "dbprovision-provisioner",
        sortOptions = false,
        description = {
            "The DB Provision engine service: databases, users, roles and grants on PostgreSQL, MySQL, MariaDB and"
                    + " CockroachDB over gRPC (dbops.engine.v1alpha1.EngineService), with the standard health and"
                    + " reflection services.",
            "Serves TLS 1.2/1.3; with --client-ca-file callers must present a client certificate signed by it."
        })
public final class Main implements Callable<Integer> {
    @Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "50051",
            description = "TCP port to listen on; 0 picks a free one (printed at start). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--bind-address",
            paramLabel = "ADDRESS",
            defaultValue = "0.0.0.0",
            description = "Address to listen on. Default: ${DEFAULT-VALUE} (every interface).")
    String bindAddress;

    @Option(
            names = "--tls-cert-file",
            paramLabel = "FILE",
            description = "The server's certificate chain (PEM, leaf first). Required unless --insecure."
                    + " Re-read when it changes.")
    Path tlsCertFile;

    @Option(
            names = "--tls-private-key-file",
            paramLabel = "FILE",
            description = "The server's private key (PEM, PKCS#8 or PKCS#1/SEC1, unencrypted). Required unless"
                    + " --insecure. Re-read when it changes.")
    Path tlsPrivateKeyFile;

    @Option(
            names = "--client-ca-file",
            paramLabel = "FILE",
            description = "CA certificates (PEM) client certificates must chain to. Turns on mutual TLS: a client"
                    + " certificate is required. Re-read when it changes.")
    Path clientCaFile;

    @Option(
            names = "--client-cert-optional",
            description = "With --client-ca-file: accept callers without a client certificate too (a certificate that"
                    + " is sent must still chain to the CA). Off by default.")
    boolean clientCertOptional;

    @Option(
            names = "--insecure",
            description = "Serve plaintext gRPC without TLS. For development only; callers' admin credentials then"
                    + " cross the network in the clear.")
    boolean insecure;

    @Option(
            names = "--max-message-bytes",
            paramLabel = "BYTES",
            defaultValue = "4194304",
            description = "Largest request message accepted, in bytes. Default: ${DEFAULT-VALUE} (4 MiB).")
    int maxMessageBytes;

    @Option(
            names = "--shutdown-grace-seconds",
            paramLabel = "SECONDS",
            defaultValue = "30",
            description = "On shutdown, how long calls in flight may still finish before they are cancelled (and"
                    + " their statements with them). Default: ${DEFAULT-VALUE}.")
    long shutdownGraceSeconds;

    @Option(
            names = "--pool-idle-seconds",
            paramLabel = "SECONDS",
            defaultValue = "300",
            description = "A connection pool to a database server (one per instance and credential) is closed after"
                    + " this many seconds unused. Default: ${DEFAULT-VALUE}.")
    long poolIdleSeconds;

    @Option(
            names = "--reload-interval-seconds",
            paramLabel = "SECONDS",
            defaultValue = "60",
            description = "How often the certificate, key and client CA files are checked for changes; new"
                    + " connections use the new material. Default: ${DEFAULT-VALUE}.")
    long reloadIntervalSeconds;

    public static void main(String[] args) {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        check();
        ProvisionerWiring wiring = ProvisionerWiring.create(Duration.ofSeconds(poolIdleSeconds));
        ProvisionerServer server = server(wiring.service()).start();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.shutdown();
                            wiring.close();
                        },
                        "provisioner-shutdown"));
        spec.commandLine()
                .getOut()
                .printf("provisioner listening on %s:%d%n", bindAddress, server.port())
                .flush();
        server.awaitTermination();
        return 0;
    }

    /** The server the flags describe, serving {@code engineService}; not started. */
    ProvisionerServer server(io.grpc.BindableService engineService) {
        check();
        ProvisionerServer.Builder builder = ProvisionerServer.builder()
                .port(port)
                .bindAddress(bindAddress)
                .maxInboundMessageBytes(maxMessageBytes)
                .shutdownGrace(Duration.ofSeconds(shutdownGraceSeconds))
                .reloadInterval(Duration.ofSeconds(reloadIntervalSeconds))
                .service(engineService);
        if (insecure) {
            builder.insecure();
        } else {
            builder.tls(new TlsFiles(
                    tlsCertFile, tlsPrivateKeyFile, Optional.ofNullable(clientCaFile), clientCertOptional));
        }
        return builder.build();
    }

    private void check() {
        boolean anyTls = tlsCertFile != null || tlsPrivateKeyFile != null || clientCaFile != null;
        if (insecure && anyTls) {
            throw usage("--insecure serves plaintext: leave out --tls-cert-file, --tls-private-key-file and"
                    + " --client-ca-file");
        }
        if (!insecure && (tlsCertFile == null || tlsPrivateKeyFile == null)) {
            throw usage("TLS needs --tls-cert-file and --tls-private-key-file (or --insecure for development)");
        }
        if (clientCertOptional && clientCaFile == null) {
            throw usage("--client-cert-optional needs --client-ca-file");
        }
        if (port < 0 || port > 65_535) {
            throw usage("--port must be 0 to 65535");
        }
        if (maxMessageBytes <= 0 || shutdownGraceSeconds < 0 || poolIdleSeconds <= 0 || reloadIntervalSeconds <= 0) {
            throw usage("--max-message-bytes, --pool-idle-seconds and --reload-interval-seconds must be positive,"
                    + " --shutdown-grace-seconds not negative");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
