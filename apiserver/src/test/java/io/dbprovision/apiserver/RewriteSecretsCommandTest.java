package io.dbprovision.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.storage.Attributes;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.ObjectKey;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.encryption.EncryptionConfiguration;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code dbprovision rewrite-secrets} after a key rotation: every Secret written under the old key is stored under the
 * new first key afterwards, and still reads back; a second run has nothing to do.
 */
class RewriteSecretsCommandTest {
    @TempDir
    Path dir;

    @Test
    void aRotationIsFinishedByRewritingEverySecret() throws Exception {
        String key1 = key();
        String key2 = key();
        Path old = config("old.yaml", aesgcm("key1", key1));
        Path rotated = config(
                "rotated.yaml",
                aesgcm("key2", key2) + "            - name: key1\n              secret: " + key1 + "\n");
        ObjectKey secret = new ObjectKey("secrets", "team-a", "app-credentials");
        try (CachingStorage storage = open(old)) {
            storage.create(secret, "s3cret".getBytes(StandardCharsets.UTF_8), Attributes.EMPTY);
        }
        assertThat(storeText()).contains("k8s:enc:aesgcm:v1:key1:").doesNotContain("k8s:enc:aesgcm:v1:key2:");

        int exit = new CommandLine(new Main())
                .execute(
                        "rewrite-secrets",
                        "--data-dir",
                        dir.toString(),
                        "--encryption-provider-config",
                        rotated.toString());
        assertThat(exit).isZero();

        try (CachingStorage storage = open(rotated)) {
            assertThat(new String(storage.get(secret).orElseThrow().value(), StandardCharsets.UTF_8))
                    .isEqualTo("s3cret");
        }
        assertThat(new CommandLine(new Main())
                        .execute(
                                "rewrite-secrets",
                                "--data-dir",
                                dir.toString(),
                                "--encryption-provider-config",
                                rotated.toString()))
                .isZero();
        // the newest version in the log is under key2 (older versions keep key1 until compacted)
        assertThat(storeText()).contains("k8s:enc:aesgcm:v1:key2:");
    }

    private CachingStorage open(Path config) {
        return CachingStorage.open(
                new EmbeddedBackend(dir.resolve("store"), false),
                StorageSettings.defaults()
                        .withFsync(false)
                        .withEncryption(EncryptionConfiguration.load(config).transformer()));
    }

    private String storeText() throws Exception {
        StringBuilder text = new StringBuilder();
        try (var files = Files.list(dir.resolve("store"))) {
            for (Path file : files.toList()) {
                text.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        return text.toString();
    }

    private Path config(String name, String keys) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, """
                apiVersion: apiserver.config.k8s.io/v1
                kind: EncryptionConfiguration
                resources:
                  - resources: [secrets]
                    providers:
                      - aesgcm:
                          keys:
                """ + keys + "      - identity: {}\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static String aesgcm(String name, String secret) {
        return "            - name: " + name + "\n              secret: " + secret + "\n";
    }

    private static String key() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
