package io.dbprovision.apiserver.provisioning;

import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The provisioner flags of a picocli command ({@code @Mixin ProvisionerFlags provisioner;}), the same for
 * {@code standalone} and {@code serve}: without {@code --provisioner-address} a provisioner runs inside the server;
 * with it, the server calls that one, and the three files give mutual TLS. {@link #choice()} checks the combination.
 */
public final class ProvisionerFlags {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(
            names = "--provisioner-address",
            paramLabel = "HOST:PORT",
            description = "The provisioner (the gRPC engine service) the reconcilers call, e.g."
                    + " dbprovision-provisioner.dbprovision.svc:50051; its serving certificate must name HOST. Without"
                    + " it, a provisioner runs inside this server on 127.0.0.1, also over mutual TLS (standalone:"
                    + " certificates from the data directory's CA, kept in its pki/; serve: a CA made in memory at"
                    + " every start).")
    String address;

    @Option(
            names = "--provisioner-ca-file",
            paramLabel = "FILE",
            description = "With --provisioner-address: the CA certificate(s) (PEM) that must have signed the"
                    + " provisioner's serving certificate. Read again when it changes.")
    Path caFile;

    @Option(
            names = "--provisioner-client-cert-file",
            paramLabel = "FILE",
            description = "With --provisioner-address: this server's client certificate for the provisioner (PEM, leaf"
                    + " first; the provisioner's --client-ca-file must have signed it). Read again when it changes.")
    Path clientCertificateFile;

    @Option(
            names = "--provisioner-client-key-file",
            paramLabel = "FILE",
            description = "With --provisioner-address: the private key of --provisioner-client-cert-file (PEM: PKCS#8,"
                    + " PKCS#1 or SEC 1, unencrypted). Read again when it changes.")
    Path clientKeyFile;

    /** The flags as a choice; a {@link ParameterException} naming the flags for a combination that cannot work. */
    public ProvisionerChoice choice() {
        boolean anyFile = caFile != null || clientCertificateFile != null || clientKeyFile != null;
        if (address == null) {
            if (anyFile) {
                throw usage("--provisioner-ca-file, --provisioner-client-cert-file and --provisioner-client-key-file"
                        + " go with --provisioner-address");
            }
            return ProvisionerChoice.inProcess();
        }
        if (caFile == null || clientCertificateFile == null || clientKeyFile == null) {
            throw usage("--provisioner-address needs --provisioner-ca-file, --provisioner-client-cert-file and"
                    + " --provisioner-client-key-file (the provisioner is reached over mutual TLS only)");
        }
        try {
            return new ProvisionerChoice.External(
                    ProvisionerAddress.parse(address), caFile, clientCertificateFile, clientKeyFile);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(command.commandLine(), message);
    }
}
