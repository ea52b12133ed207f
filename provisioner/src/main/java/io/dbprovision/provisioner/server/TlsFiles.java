package io.dbprovision.provisioner.server;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the server's TLS material lives: its certificate chain and key, and optionally the CA bundle client
 * certificates must chain to. With a client CA, a client certificate is required unless {@code clientCertOptional}
 * says otherwise explicitly.
 */
public record TlsFiles(Path certificate, Path privateKey, Optional<Path> clientCa, boolean clientCertOptional) {
    public TlsFiles {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(clientCa, "clientCa");
        if (clientCertOptional && clientCa.isEmpty()) {
            throw new IllegalArgumentException("an optional client certificate needs a client CA to check it against");
        }
    }

    public static TlsFiles serverOnly(Path certificate, Path privateKey) {
        return new TlsFiles(certificate, privateKey, Optional.empty(), false);
    }

    public static TlsFiles mutual(Path certificate, Path privateKey, Path clientCa) {
        return new TlsFiles(certificate, privateKey, Optional.of(clientCa), false);
    }
}
