package io.dbprovision.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's keys, token and kubeconfig are readable by the server's user only, from their first byte. */
class PkiFilesTest {
    @TempDir
    Path dir;

    @Test
    void privateKeysAreWrittenOwnerOnlyAndCertificatesAsUsual() throws IOException {
        Pki.Issued ca = Pki.newCa("test-ca", Duration.ofDays(1));
        Path pki = dir.resolve("pki");

        ca.write(pki.resolve("ca.crt"), pki.resolve("ca.key"));

        assertThat(mode(pki.resolve("ca.key"))).isEqualTo("rw-------");
        assertThat(mode(pki.resolve("ca.crt"))).doesNotContain("w--").startsWith("rw-");
        assertThat(Pki.read(pki.resolve("ca.crt"), pki.resolve("ca.key")).certificate())
                .isEqualTo(ca.certificate());
        assertThat(leftovers(pki)).isEmpty();
    }

    @Test
    void aSecretFileReplacesAnOlderOneThatOthersCouldReadAndIsOwnerOnly() throws IOException {
        Path token = dir.resolve("admin.token");
        Files.writeString(token, "old\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));

        Pki.writeFile(token, "new\n", true);

        assertThat(Files.readString(token)).isEqualTo("new\n");
        assertThat(mode(token)).isEqualTo("rw-------");
        assertThat(leftovers(dir)).isEmpty();
    }

    @Test
    void aDirectoryMadeForASecretFileIsOwnerOnly() throws IOException {
        Path kubeconfig = dir.resolve("fresh/kubeconfig");

        Pki.writeFile(kubeconfig, "apiVersion: v1\n", true);

        assertThat(mode(kubeconfig)).isEqualTo("rw-------");
        assertThat(mode(kubeconfig.getParent())).isEqualTo("rwx------");
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    /** Temporary files a write left behind. */
    private static List<Path> leftovers(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".tmp"))
                    .toList();
        }
    }
}
