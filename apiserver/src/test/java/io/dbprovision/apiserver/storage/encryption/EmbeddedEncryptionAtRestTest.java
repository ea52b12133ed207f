package io.dbprovision.apiserver.storage.encryption;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.storage.Attributes;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.ObjectKey;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import io.dbprovision.apiserver.storage.sql.SqlBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest on the embedded H2 store, and what is on disk: the store's files read as bytes hold no Secret
 * value, and the directory and files are private to the server's user.
 */
class EmbeddedEncryptionAtRestTest extends EncryptionAtRestContract {
    @TempDir
    Path dir;

    private Path store() {
        return dir.resolve("store");
    }

    @Override
    protected SqlBackend backend() {
        return new EmbeddedBackend(store(), false);
    }

    @Test
    void theStoresFilesReadAsBytesHoldNoSecretValueButDoHoldOtherValues() throws IOException {
        String password = distinctive("password");
        String marker = distinctive("database");
        CachingStorage storage = open(keys.aesgcmThenIdentity("key1"));
        ObjectKey key = secret("team-a", "orders-credentials");
        for (int version = 0; version < 20; version++) {
            if (version == 0) {
                storage.create(key, bytes(password + " v" + version), Attributes.EMPTY);
            } else {
                storage.update(key, 0, bytes(password + " v" + version), Attributes.EMPTY);
            }
        }
        storage.create(new ObjectKey(DATABASES, "team-a", "orders"), bytes(marker), Attributes.EMPTY);
        storage.close(); // H2's SHUTDOWN writes everything to the file

        byte[] files = everyFile();
        assertThat(contains(files, marker))
                .as("the control value is findable in the files")
                .isTrue();
        assertThat(contains(files, password))
                .as("the secret value is in the files")
                .isFalse();
        assertThat(contains(files, "k8s:enc:aesgcm:v1:key1:")).isTrue();
    }

    @Test
    void withoutEncryptionTheSameSearchFindsTheSecretValue() throws IOException {
        String password = distinctive("password");
        CachingStorage storage = open(null);
        storage.create(secret("team-a", "orders-credentials"), bytes(password), Attributes.EMPTY);
        storage.close();

        assertThat(contains(everyFile(), password)).isTrue();
    }

    @Test
    void theStoreDirectoryIsPrivateAndSoAreItsFiles() throws IOException {
        Files.createDirectories(store());
        Files.setPosixFilePermissions(
                store(), PosixFilePermissions.fromString("rwxr-xr-x")); // as an older version left it
        CachingStorage storage = open(null);
        storage.create(secret("team-a", "s"), bytes("x"), Attributes.EMPTY);

        assertThat(mode(store())).isEqualTo("rwx------");
        List<Path> files = filesOf(store());
        assertThat(files).extracting(file -> file.getFileName().toString()).contains("store.mv.db");
        for (Path file : files) {
            assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
        }
        storage.close();
        for (Path file : filesOf(store())) {
            assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
        }
    }

    @Test
    void aNewStoreDirectoryIsCreatedPrivate() throws IOException {
        Path nested = dir.resolve("data/store");
        try (EmbeddedBackend backend = new EmbeddedBackend(nested, false)) {
            assertThat(mode(nested)).isEqualTo("rwx------");
            for (Path file : filesOf(nested)) {
                assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
            }
        }
    }

    private byte[] everyFile() throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                out.write(Files.readAllBytes(file));
            }
        }
        return out.toByteArray();
    }

    private static List<Path> filesOf(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
