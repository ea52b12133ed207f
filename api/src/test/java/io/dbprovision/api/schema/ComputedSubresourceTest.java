package io.dbprovision.api.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.DebugFormat;
import com.google.protobuf.Timestamp;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseDrift;
import io.dbprovision.proto.v1alpha1.DatabaseUserCredentials;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.DriftStatus;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What a computed subresource may be (a message of its own, shaped as an object, on a kind that has objects) and
 * how its messages are written: Kubernetes JSON by the one codec, and never a password in their text form.
 */
class ComputedSubresourceTest {
    private static final String PASSWORD = "s3cr3t-Pa55-" + Long.toHexString(System.nanoTime());

    @Test
    void credentialsAreASensitiveSubresourceOfDatabaseUsers() {
        ComputedSubresource credentials = ComputedSubresource.of(
                Schema.get(), "databaseusers", "credentials", DatabaseUserCredentials.getDefaultInstance());
        assertThat(credentials.resource()).isEqualTo("databaseusers/credentials");
        assertThat(credentials.responseKind()).isEqualTo("DatabaseUserCredentials");
        assertThat(credentials.apiVersion()).isEqualTo("dbops.dbprovision.io/v1alpha1");
        assertThat(credentials.sensitive()).isTrue();

        ComputedSubresource drift =
                ComputedSubresource.of(Schema.get(), "databases", "drift", DatabaseDrift.getDefaultInstance());
        assertThat(drift.sensitive()).isFalse();
    }

    @Test
    void aSubresourceIsRefusedWhenItCouldNotBeServedAsOne() {
        DatabaseDrift drift = DatabaseDrift.getDefaultInstance();
        assertThatThrownBy(() -> ComputedSubresource.of(Schema.get(), "nothings", "drift", drift))
                .hasMessageContaining("no resource nothings");
        for (String name : new String[] {"status", "", "Drift", "a/b", "..", "-x", "x".repeat(64), "drift "}) {
            assertThatThrownBy(() -> ComputedSubresource.of(Schema.get(), "databases", name, drift))
                    .as(name)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(
                        () -> ComputedSubresource.of(Schema.get(), "databases", "copy", Database.getDefaultInstance()))
                .hasMessageContaining("is a kind");
        assertThatThrownBy(() ->
                        ComputedSubresource.of(Schema.get(), "databases", "drift", DriftStatus.getDefaultInstance()))
                .hasMessageContaining("needs a field api_version");
        assertThatThrownBy(() ->
                        ComputedSubresource.of(Schema.authorization(), "selfsubjectaccessreviews", "drift", drift))
                .hasMessageContaining("create-only");
    }

    @Test
    void credentialsAreWrittenAsKubernetesJsonWithTheirJsonNames() {
        String json = new String(KubeCodec.standard().encodeJson(credentials()), StandardCharsets.UTF_8);
        assertThat(json)
                .isEqualTo("{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"DatabaseUserCredentials\","
                        + "\"metadata\":{\"name\":\"app\",\"namespace\":\"team-a\"},\"host\":\"db.example.com\","
                        + "\"port\":5432,\"database\":\"orders\",\"username\":\"app\",\"sslMode\":\"verify-full\","
                        + "\"password\":\"" + PASSWORD + "\",\"url\":\"postgresql://app:" + PASSWORD
                        + "@db.example.com:5432/orders?sslmode=verify-full\",\"secretName\":\"app-credentials\"}");
    }

    @Test
    void driftIsWrittenWithAnExplicitFalseAndRfc3339Time() {
        DatabaseDrift clean = DatabaseDrift.newBuilder()
                .setApiVersion("dbops.dbprovision.io/v1alpha1")
                .setKind("DatabaseDrift")
                .setMetadata(ObjectMeta.newBuilder().setName("orders").setNamespace("team-a"))
                .setCheckedAt(Timestamp.newBuilder().setSeconds(1_767_225_600L))
                .setDetected(false)
                .build();
        assertThat(new String(KubeCodec.standard().encodeJson(clean), StandardCharsets.UTF_8))
                .contains("\"checkedAt\":\"2026-01-01T00:00:00Z\"", "\"detected\":false");
        DatabaseDrift drifted = clean.toBuilder()
                .setDetected(true)
                .addDiffs(DriftDiff.newBuilder()
                        .setField("owner")
                        .setExpected("app")
                        .setActual("postgres"))
                .build();
        assertThat(KubeCodec.standard().encodeYaml(drifted))
                .contains("detected: true\n", "- field: owner\n", "  expected: app\n", "  actual: postgres\n");
    }

    /**
     * The password and the URL carry {@code debug_redact}: protobuf's debug format (the form to log a message in)
     * leaves them out, and so does whatever collects a message's secrets by that mark. A message's plain
     * {@code toString()} still prints them, as protobuf-java's does for compatibility: never log one with it.
     */
    @Test
    void theDebugFormOfCredentialsHidesThePasswordAndTheUrl() {
        String text = DebugFormat.multiline().toString(credentials());
        assertThat(text).doesNotContain(PASSWORD).contains("db.example.com");
        assertThat(DatabaseUserCredentials.getDescriptor()
                        .findFieldByName("password")
                        .getOptions()
                        .getDebugRedact())
                .isTrue();
        assertThat(DatabaseUserCredentials.getDescriptor()
                        .findFieldByName("url")
                        .getOptions()
                        .getDebugRedact())
                .isTrue();
    }

    private static DatabaseUserCredentials credentials() {
        return DatabaseUserCredentials.newBuilder()
                .setApiVersion("dbops.dbprovision.io/v1alpha1")
                .setKind("DatabaseUserCredentials")
                .setMetadata(ObjectMeta.newBuilder().setName("app").setNamespace("team-a"))
                .setHost("db.example.com")
                .setPort(5432)
                .setDatabase("orders")
                .setUsername("app")
                .setSslMode("verify-full")
                .setPassword(PASSWORD)
                .setUrl("postgresql://app:" + PASSWORD + "@db.example.com:5432/orders?sslmode=verify-full")
                .setSecretName("app-credentials")
                .build();
    }
}
