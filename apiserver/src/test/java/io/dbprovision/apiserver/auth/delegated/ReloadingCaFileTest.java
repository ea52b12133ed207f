package io.dbprovision.apiserver.auth.delegated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.apiserver.server.Pki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CA file given by a flag follows a rotation in place, and a broken rotation keeps the previous CAs. */
class ReloadingCaFileTest {
    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong();

    @Test
    void aRotatedFileIsReadAfterTheInterval() throws Exception {
        Pki.Issued first = Pki.newCa("first", Duration.ofDays(1));
        Pki.Issued second = Pki.newCa("second", Duration.ofDays(1));
        Path file = dir.resolve("ca.crt");
        Files.writeString(file, first.certificatePem());
        ReloadingCaFile ca = new ReloadingCaFile(file, Duration.ofSeconds(10), clock::get);

        Files.writeString(file, second.certificatePem());
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(ca.get().certificates()).as("not checked yet").containsExactly(first.certificate());

        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(ca.get().certificates()).containsExactly(second.certificate());

        Files.writeString(file, "half-written");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        clock.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(ca.get().certificates()).as("kept").containsExactly(second.certificate());
    }

    @Test
    void anUnreadableFileStopsTheStart() throws Exception {
        Path file = dir.resolve("ca.crt");
        Files.writeString(file, "not a certificate");
        assertThatThrownBy(() -> new ReloadingCaFile(file, Duration.ofSeconds(10), clock::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString());
        assertThatThrownBy(() -> new ReloadingCaFile(dir.resolve("missing"), Duration.ofSeconds(10), clock::get))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
