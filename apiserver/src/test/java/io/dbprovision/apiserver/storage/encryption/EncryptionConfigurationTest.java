package io.dbprovision.apiserver.storage.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.apiserver.storage.ObjectKey;
import io.dbprovision.apiserver.storage.StorageException;
import io.dbprovision.apiserver.storage.ValueTransformer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading an EncryptionConfiguration, and the transformer it makes, without a store. */
class EncryptionConfigurationTest {
    private static final ObjectKey SECRET = new ObjectKey("secrets", "team-a", "orders-credentials");
    private static final ObjectKey DATABASE = new ObjectKey("databases.dbops.dbprovision.io", "team-a", "orders");
    private static final byte[] VALUE = "password: s3cr3t-value".getBytes(StandardCharsets.UTF_8);

    private final EncryptionKeys keys = new EncryptionKeys();

    @TempDir
    Path dir;

    private static ValueTransformer transformer(String document) {
        return EncryptionConfiguration.parse(document, "test.yaml").transformer();
    }

    @Test
    void aConfiguredResourceIsStoredUnderTheFirstKeysPrefixAndReadsBack() {
        ValueTransformer transformer = transformer(keys.aesgcmThenIdentity("key1"));

        byte[] stored = transformer.toStorage(SECRET, VALUE);

        assertThat(new String(stored, 0, 23, StandardCharsets.US_ASCII)).isEqualTo("k8s:enc:aesgcm:v1:key1:");
        assertThat(stored).hasSize(23 + 12 + VALUE.length + 16);
        assertThat(indexOf(stored, "s3cr3t-value".getBytes(StandardCharsets.UTF_8)))
                .isNegative();
        assertThat(transformer.fromStorage(SECRET, stored)).isEqualTo(VALUE);
        assertThat(transformer.isStale(SECRET, stored)).isFalse();
    }

    @Test
    void everyWriteHasANonceOfItsOwn() {
        ValueTransformer transformer = transformer(keys.aesgcmThenIdentity("key1"));

        byte[] first = transformer.toStorage(SECRET, VALUE);
        byte[] second = transformer.toStorage(SECRET, VALUE);

        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void otherResourcesPassUnchangedWithoutACopy() {
        ValueTransformer transformer = transformer(keys.aesgcmThenIdentity("key1"));

        assertThat(transformer.toStorage(DATABASE, VALUE)).isSameAs(VALUE);
        assertThat(transformer.fromStorage(DATABASE, VALUE)).isSameAs(VALUE);
        assertThat(transformer.transforms(DATABASE.resource())).isFalse();
        assertThat(transformer.transforms("secrets")).isTrue();
        assertThat(ValueTransformer.NONE.toStorage(SECRET, VALUE)).isSameAs(VALUE);
    }

    @Test
    void alteredCiphertextIsAClearStorageErrorNotGarbage() {
        ValueTransformer transformer = transformer(keys.aesgcmThenIdentity("key1"));
        byte[] stored = transformer.toStorage(SECRET, VALUE);
        stored[stored.length - 20] ^= 1;

        assertThatThrownBy(() -> transformer.fromStorage(SECRET, stored))
                .isInstanceOf(StorageException.Unreadable.class)
                .hasMessageContaining("secrets/team-a/orders-credentials")
                .hasMessageContaining("fails AES-GCM authentication under key key1");
    }

    @Test
    void aValueCopiedOntoAnotherObjectFailsToDecrypt() {
        ValueTransformer transformer = transformer(keys.aesgcmThenIdentity("key1"));
        byte[] stored = transformer.toStorage(SECRET, VALUE);
        ObjectKey other = new ObjectKey("secrets", "team-b", "orders-credentials");

        assertThatThrownBy(() -> transformer.fromStorage(other, stored))
                .isInstanceOf(StorageException.Unreadable.class)
                .hasMessageContaining("secrets/team-b/orders-credentials")
                .hasMessageContaining("belongs to another object");
    }

    @Test
    void aTruncatedValueIsAClearStorageError() {
        ValueTransformer transformer = transformer(keys.aesgcmThenIdentity("key1"));
        byte[] stored = transformer.toStorage(SECRET, VALUE);
        byte[] cut = java.util.Arrays.copyOf(stored, 30);

        assertThatThrownBy(() -> transformer.fromStorage(SECRET, cut))
                .isInstanceOf(StorageException.Unreadable.class)
                .hasMessageContaining("too short");
    }

    @Test
    void aSecondKeyReadsWhatItWroteAndMarksItStale() {
        byte[] underKey1 = transformer(keys.aesgcmThenIdentity("key1")).toStorage(SECRET, VALUE);
        ValueTransformer rotated = transformer(keys.aesgcmThenIdentity("key2", "key1"));

        assertThat(rotated.fromStorage(SECRET, underKey1)).isEqualTo(VALUE);
        assertThat(rotated.isStale(SECRET, underKey1)).isTrue();
        byte[] underKey2 = rotated.toStorage(SECRET, VALUE);
        assertThat(new String(underKey2, 0, 23, StandardCharsets.US_ASCII)).isEqualTo("k8s:enc:aesgcm:v1:key2:");
        assertThat(rotated.isStale(SECRET, underKey2)).isFalse();
    }

    @Test
    void aValueUnderARemovedKeyNamesTheKeyAndDoesNotFallBackToIdentity() {
        byte[] underKey1 = transformer(keys.aesgcmThenIdentity("key1")).toStorage(SECRET, VALUE);
        ValueTransformer withoutKey1 = transformer(keys.aesgcmThenIdentity("key2"));

        assertThatThrownBy(() -> withoutKey1.fromStorage(SECRET, underKey1))
                .isInstanceOf(StorageException.Unreadable.class)
                .hasMessageContaining("stored under aesgcm key key1")
                .hasMessageContaining("[aesgcm key key2, identity]");
    }

    @Test
    void identityReadsDataStoredBeforeEncryptionAndMarksItStale() {
        ValueTransformer transformer = transformer(keys.aesgcmThenIdentity("key1"));

        assertThat(transformer.fromStorage(SECRET, VALUE)).isEqualTo(VALUE);
        assertThat(transformer.isStale(SECRET, VALUE)).isTrue();
    }

    @Test
    void withoutIdentityValuesInTheClearAreRefused() {
        ValueTransformer transformer = transformer(keys.aesgcmOnly("key1"));

        assertThatThrownBy(() -> transformer.fromStorage(SECRET, VALUE))
                .isInstanceOf(StorageException.Unreadable.class)
                .hasMessageContaining("secrets/team-a/orders-credentials");
    }

    @Test
    void identityFirstWritesInTheClearAndStillReadsEncryptedValues() {
        byte[] underKey1 = transformer(keys.aesgcmThenIdentity("key1")).toStorage(SECRET, VALUE);
        ValueTransformer decrypting = transformer(keys.identityThenAesgcm("key1"));

        assertThat(decrypting.fromStorage(SECRET, underKey1)).isEqualTo(VALUE);
        assertThat(decrypting.isStale(SECRET, underKey1)).isTrue();
        assertThat(decrypting.toStorage(SECRET, VALUE)).isSameAs(VALUE);
        assertThat(decrypting.isStale(SECRET, VALUE)).isFalse();
    }

    @Test
    void withoutAConfigurationAnEncryptedValueIsRefusedRatherThanServedAsAnObject() {
        byte[] underKey1 = transformer(keys.aesgcmThenIdentity("key1")).toStorage(SECRET, VALUE);

        assertThatThrownBy(() -> ValueTransformer.NONE.fromStorage(SECRET, underKey1))
                .isInstanceOf(StorageException.Unreadable.class)
                .hasMessageContaining("stored encrypted, but no encryption configuration covers secrets");
    }

    @Test
    void jsonIsReadToo() {
        String json = """
                {"apiVersion": "apiserver.config.k8s.io/v1", "kind": "EncryptionConfiguration",
                 "resources": [{"resources": ["secrets"],
                                "providers": [{"aesgcm": {"keys": [{"name": "k", "secret": "%s"}]}}, {"identity": {}}]}]}
                """.formatted(keys.secret("k"));

        ValueTransformer transformer = transformer(json);

        assertThat(transformer.fromStorage(SECRET, transformer.toStorage(SECRET, VALUE)))
                .isEqualTo(VALUE);
    }

    @Test
    void wildcardsNameGroupsTheCoreGroupAndEverything() {
        assertThat(EncryptionConfiguration.matches("*.*", "secrets")).isTrue();
        assertThat(EncryptionConfiguration.matches("*.*", DATABASE.resource())).isTrue();
        assertThat(EncryptionConfiguration.matches("*.", "secrets")).isTrue();
        assertThat(EncryptionConfiguration.matches("*.", DATABASE.resource())).isFalse();
        assertThat(EncryptionConfiguration.matches("*.dbops.dbprovision.io", DATABASE.resource()))
                .isTrue();
        assertThat(EncryptionConfiguration.matches("*.dbops.dbprovision.io", "secrets"))
                .isFalse();
        assertThat(EncryptionConfiguration.matches("secrets", "secrets")).isTrue();
        assertThat(EncryptionConfiguration.matches("secrets", "configmaps")).isFalse();
    }

    @Test
    void mistakesAreRefusedWithThePathOfTheProblem() {
        String head = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\n";
        String secret = keys.secret("k");
        assertInvalid("apiVersion: v1\nkind: ConfigMap\n", "expected apiVersion apiserver.config.k8s.io/v1");
        assertInvalid(head + "resources: []\n", "resources: must name at least one list");
        assertInvalid(
                head + "resources:\n- resources: [secrets]\n  provider:\n  - identity: {}\n",
                "resources[0]: unknown field provider");
        assertInvalid(
                head + "resources:\n- resources: [secrets]\n  providers:\n  - aescbc: {keys: []}\n",
                "provider aescbc is not supported by this server");
        assertInvalid(
                head + "resources:\n- resources: [secrets]\n  providers:\n  - kms: {name: x}\n",
                "provider kms is not supported");
        assertInvalid(
                head + "resources:\n- resources: [secrets]\n  providers:\n  - aesgcm: {keys: []}\n",
                "resources[0].providers[0].aesgcm.keys: must list at least one key");
        assertInvalid(
                head + "resources:\n- resources: [secrets]\n  providers:\n  - aesgcm:\n      keys:\n"
                        + "      - {name: a, secret: " + secret + "}\n      - {name: a, secret: " + secret + "}\n",
                "two aesgcm keys are named a");
        assertInvalid(
                head + "resources:\n- resources: [secrets]\n  providers:\n  - aesgcm:\n      keys:\n"
                        + "      - {name: 'a:b', secret: " + secret + "}\n",
                "keys[0].name: must be printable ASCII without spaces or ':'");
        assertInvalid(
                head + "resources:\n- resources: ['*.*']\n  providers: [identity: {}]\n"
                        + "- resources: [secrets]\n  providers: [identity: {}]\n",
                "secrets is masked by *.*, named earlier");
        assertInvalid(
                head + "resources:\n- resources: [secrets, secrets]\n  providers: [identity: {}]\n",
                "secrets is named twice");
        assertInvalid(head + "resources:\n- resources: ['*']\n  providers: [identity: {}]\n", "is not a resource");
        assertInvalid(head + "resources: [\n", "not valid YAML or JSON at line");
    }

    @Test
    void aBadKeyIsReportedByNameWithoutItsSecret() {
        String shortKey = Base64.getEncoder().encodeToString("0123456789".getBytes(StandardCharsets.US_ASCII));
        String notBase64 = "this-is-the-secret-text!!";
        String head = "apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n"
                + "- resources: [secrets]\n  providers:\n  - aesgcm:\n      keys:\n";

        assertInvalid(
                        head + "      - {name: short, secret: " + shortKey + "}\n",
                        "key short must be 16, 24 or 32 bytes")
                .satisfies(message -> assertThat(message).doesNotContain(shortKey));
        assertInvalid(head + "      - {name: bad, secret: '" + notBase64 + "'}\n", "key bad is not valid base64")
                .satisfies(message -> assertThat(message).doesNotContain(notBase64));
        // A syntax error on the secret's line: the parser's message would quote the line, ours gives its position.
        String broken = head + "      - name: k\n        secret: '" + notBase64 + "\n";
        assertInvalid(broken, "line ").satisfies(message -> assertThat(message).doesNotContain(notBase64));
    }

    @Test
    void theConfigurationNeverPrintsKeyMaterial() {
        String document = keys.aesgcmThenIdentity("key2", "key1");
        EncryptionConfiguration configuration = EncryptionConfiguration.parse(document, "test.yaml");

        String printed = configuration + " " + configuration.transformer() + " "
                + configuration.formsOf("secrets").orElseThrow();

        assertThat(printed).contains("key2").contains("key1");
        assertThat(printed).doesNotContain(keys.secret("key1")).doesNotContain(keys.secret("key2"));
    }

    @Test
    void aFileOthersMayReadIsRefusedAndAnOwnerOnlyFileIsRead() throws Exception {
        Path file = dir.resolve("encryption.yaml");
        Files.writeString(file, keys.aesgcmThenIdentity("key1"));

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> EncryptionConfiguration.load(file))
                .isInstanceOf(EncryptionConfiguration.Invalid.class)
                .hasMessageContaining("other users may read or change it (rw-r--r--)");

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-----w-"));
        assertThatThrownBy(() -> EncryptionConfiguration.load(file))
                .isInstanceOf(EncryptionConfiguration.Invalid.class);

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r-----")); // a Secret volume + fsGroup
        assertThat(EncryptionConfiguration.load(file).formsOf("secrets")).isPresent();

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThat(EncryptionConfiguration.load(file).formsOf("secrets")).isPresent();
    }

    private static org.assertj.core.api.AbstractStringAssert<?> assertInvalid(String document, String message) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> EncryptionConfiguration.parse(document, "test.yaml"));
        assertThat(thrown).isInstanceOf(EncryptionConfiguration.Invalid.class).hasMessageContaining(message);
        return assertThat(thrown.getMessage());
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
