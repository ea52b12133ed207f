package io.dbprovision.api.kinds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.api.Golden;
import io.dbprovision.api.codec.Decoded;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseBackup;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.SSLMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every dbops.dbprovision.io manifest on the seed's security page decodes, defaults and validates as written. */
class SecurityPageManifestsTest {
    private final KubeCodec codec = KubeCodec.standard();
    private final ObjectRules rules = ObjectRules.standard();

    static Stream<String> manifests() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/test/resources/security-page"))) {
            return files
                    .map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest
    @MethodSource("manifests")
    void decodesDefaultsAndValidatesWithoutErrors(String file) {
        Decoded<Message> decoded = decode(file);
        Message defaulted = rules.applyDefaults(decoded.object());
        Findings findings = rules.validateCreate(defaulted);

        assertThat(decoded.strictProblems()).isEmpty();
        assertThat(decoded.invalidValues()).isEmpty();
        assertThat(findings.errors()).isEmpty();
        assertThat(rules.applyDefaults(defaulted)).as("defaults are idempotent").isEqualTo(defaulted);
    }

    @Test
    void databaseNameDefaultsToTheObjectName() {
        Database database = rules.applyDefaults(
                (Database) decode("01-database-same-namespace.yaml").object());

        assertThat(database.getSpec().getName()).isEqualTo("myapp");
        assertThat(database.getSpec().getDeletionProtection()).isTrue();
    }

    @Test
    void connectionSslModeOfThePageIsKeptAndTheAdminDatabaseDefaultsPerEngine() {
        DatabaseInstance instance = rules.applyDefaults(
                (DatabaseInstance) decode("04-postgres-tls.yaml").object());

        assertThat(instance.getSpec().getConnection().getSslMode()).isEqualTo(SSLMode.SSL_MODE_VERIFY_FULL);
        assertThat(instance.getSpec().getConnection().getDatabase()).isEqualTo("postgres");
        assertThat(instance.getSpec().hasPostgres()).as("no block is invented").isFalse();
        assertThat(instance.getSpec().getTls().getEnabled()).isFalse();
    }

    @Test
    void s3RegionDefaultsWhenThePageOmitsIt() {
        DatabaseBackup backup = rules.applyDefaults(
                (DatabaseBackup) decode("09-encrypted-backup.yaml").object());

        assertThat(backup.getSpec().getStorage().getS3().getRegion()).isEqualTo("us-east-1");
        assertThat(backup.getSpec().getStorage().getS3().getSecretRef().hasKeys())
                .as("defaults never create an object the manifest left out")
                .isFalse();
    }

    @Test
    void mysqlUserKeepsItsHostsAndGeneratedPasswordSettingsDefault() {
        DatabaseUser user = rules.applyDefaults(
                (DatabaseUser) decode("03-password-generation.yaml").object());

        assertThat(user.getSpec().getPasswordSecret().getSecretName()).isEqualTo("myapp-user-credentials");
        assertThat(user.getSpec().getPasswordSecret().getExcludeChars()).isEqualTo("\"'\\`");
    }

    private Decoded<Message> decode(String file) {
        List<Decoded<Message>> documents = codec.decodeYaml(Golden.read("security-page/" + file));
        assertThat(documents).hasSize(1);
        return documents.getFirst();
    }
}
