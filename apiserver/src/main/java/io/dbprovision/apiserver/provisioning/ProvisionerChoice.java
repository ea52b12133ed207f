package io.dbprovision.apiserver.provisioning;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the reconcilers' provisioner is: inside this server ({@link InProcess}, the default: standalone is complete in
 * one command) or an external one ({@link External}: {@code --provisioner-address} and its TLS files, e.g. the
 * provisioner's own Deployment in a cluster). Either way the channel is gRPC over mutual TLS.
 */
public sealed interface ProvisionerChoice {
    /** A provisioner started inside this server, on 127.0.0.1 (see {@link EmbeddedProvisioner}). */
    record InProcess() implements ProvisionerChoice {
        @Override
        public String describe() {
            return "in-process on 127.0.0.1 (mutual TLS)";
        }
    }

    /**
     * An external provisioner.
     *
     * @param address {@code --provisioner-address}
     * @param caFile {@code --provisioner-ca-file}: the CA(s) that must have signed the provisioner's serving
     *     certificate, which must also name the address's host
     * @param clientCertificateFile {@code --provisioner-client-cert-file}: our client certificate (PEM, leaf first)
     * @param clientKeyFile {@code --provisioner-client-key-file}: its key (PEM: PKCS#8, PKCS#1 or SEC 1)
     */
    record External(ProvisionerAddress address, Path caFile, Path clientCertificateFile, Path clientKeyFile)
            implements ProvisionerChoice {
        public External {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(caFile, "caFile");
            Objects.requireNonNull(clientCertificateFile, "clientCertificateFile");
            Objects.requireNonNull(clientKeyFile, "clientKeyFile");
        }

        /** Reads the files (refusing ones that cannot be used, naming them) and makes the channel. */
        public ProvisionerClient connect() {
            return ProvisionerClient.connect(
                    address, ProvisionerClientTls.fromFiles(caFile, clientCertificateFile, clientKeyFile));
        }

        @Override
        public String describe() {
            return "at " + address + " (mutual TLS, CA " + caFile + ", client certificate " + clientCertificateFile
                    + ")";
        }
    }

    static ProvisionerChoice inProcess() {
        return new InProcess();
    }

    /** One line for the log and the start-up summary; no secret in it. */
    String describe();
}
