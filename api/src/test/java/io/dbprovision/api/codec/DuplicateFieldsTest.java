package io.dbprovision.api.codec;

import static io.dbprovision.api.codec.CodecTestSupport.decodeJson;
import static io.dbprovision.api.codec.CodecTestSupport.decodeYaml;
import static io.dbprovision.api.codec.CodecTestSupport.json;
import static io.dbprovision.api.codec.CodecTestSupport.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A key given twice in one object is reported as a duplicate field with its path, in JSON and YAML, and the last
 * occurrence wins (replacing the earlier value whole, as the request's fieldValidation may let it through).
 */
class DuplicateFieldsTest {

    @Test
    void topLevelJson() {
        Decoded<Message> decoded = decodeJson(json("Database", """
                "metadata":{"name":"first","labels":{"a":"b"}},"spec":{"name":"x"},"metadata":{"name":"second"}"""));

        assertThat(decoded.duplicateFields()).containsExactly("metadata");
        assertThat(decoded.strictProblems()).containsExactly("duplicate field \"metadata\"");
        Database database = (Database) decoded.object();
        assertThat(database.getMetadata().getName()).isEqualTo("second");
        assertThat(database.getMetadata().getLabelsMap()).isEmpty(); // replaced, not merged
        assertThat(database.getSpec().getName()).isEqualTo("x");
    }

    @Test
    void topLevelYaml() {
        Decoded<Message> decoded = decodeYaml(yaml("Database", """
                metadata:
                  name: first
                spec:
                  name: x
                metadata:
                  name: second
                """));

        assertThat(decoded.duplicateFields()).containsExactly("metadata");
        assertThat(((Database) decoded.object()).getMetadata().getName()).isEqualTo("second");
    }

    @Test
    void nestedJson() {
        Decoded<Message> decoded = decodeJson(json(
                "DatabaseInstance",
                "\"spec\":{\"connection\":{\"port\":5432,\"host\":\"db\",\"port\":6432,\"port\":7432}}"));

        assertThat(decoded.duplicateFields()).containsExactly("spec.connection.port", "spec.connection.port");
        DatabaseInstance instance = (DatabaseInstance) decoded.object();
        assertThat(instance.getSpec().getConnection().getPort()).isEqualTo(7432);
        assertThat(instance.getSpec().getConnection().getHost()).isEqualTo("db");
    }

    @Test
    void nestedYaml() {
        Decoded<Message> decoded = decodeYaml(yaml("DatabaseInstance", """
                spec:
                  connection:
                    port: 5432
                    host: db
                    port: 6432
                """));

        assertThat(decoded.duplicateFields()).containsExactly("spec.connection.port");
        assertThat(((DatabaseInstance) decoded.object())
                        .getSpec()
                        .getConnection()
                        .getPort())
                .isEqualTo(6432);
    }

    @Test
    void insideAListItem() {
        Decoded<Message> json = decodeJson(json("Database", """
                "spec":{"postgres":{"extensions":[{"name":"a"},{"name":"b","schema":"s","name":"c"}]}}"""));
        Decoded<Message> yaml = decodeYaml(yaml("Database", """
                spec:
                  postgres:
                    extensions:
                      - name: a
                      - {name: b, schema: s, name: c}
                """));

        for (Decoded<Message> decoded : List.of(json, yaml)) {
            assertThat(decoded.duplicateFields()).containsExactly("spec.postgres.extensions[1].name");
            assertThat(((Database) decoded.object())
                            .getSpec()
                            .getPostgres()
                            .getExtensions(1)
                            .getName())
                    .isEqualTo("c");
        }
    }

    /** The decoded map holds one entry per key, the last, not two entries of which a reader might pick either. */
    @Test
    void labelsMapKeys() {
        Decoded<Message> json =
                decodeJson(json("Database", "\"metadata\":{\"labels\":{\"team\":\"a\",\"app\":\"x\",\"team\":\"b\"}}"));
        Decoded<Message> yaml = decodeYaml(yaml("Database", """
                metadata:
                  labels:
                    team: a
                    app: x
                    team: b
                """));

        for (Decoded<Message> decoded : List.of(json, yaml)) {
            assertThat(decoded.duplicateFields()).containsExactly("metadata.labels[team]");
            Database database = (Database) decoded.object();
            assertThat(database.getMetadata().getLabelsMap()).isEqualTo(Map.of("team", "b", "app", "x"));
            // Reflection sees the entries as a list (as printing and serializing do): one per key there too.
            assertThat(database.getMetadata()
                            .getRepeatedFieldCount(ObjectMeta.getDescriptor().findFieldByName("labels")))
                    .isEqualTo(2);
        }
        assertThat(json.object()).isEqualTo(yaml.object());
    }

    @Test
    void mapKeysInsideASpec() {
        Decoded<Message> decoded = decodeYaml(yaml("DatabaseUser", """
                spec:
                  passwordSecret:
                    secretTemplate:
                      data: {URL: a, URL: b}
                """));

        assertThat(decoded.duplicateFields()).containsExactly("spec.passwordSecret.secretTemplate.data[URL]");
        assertThat(((DatabaseUser) decoded.object())
                        .getSpec()
                        .getPasswordSecret()
                        .getSecretTemplate()
                        .getDataMap())
                .isEqualTo(Map.of("URL", "b"));
    }

    @Test
    void aRepeatedListIsReplacedNotAppended() {
        Decoded<Message> decoded =
                decodeJson(json("Database", "\"metadata\":{\"finalizers\":[\"a\"],\"finalizers\":[\"b\",\"c\"]}"));

        assertThat(decoded.duplicateFields()).containsExactly("metadata.finalizers");
        assertThat(((Database) decoded.object()).getMetadata().getFinalizersList())
                .containsExactly("b", "c");
    }

    @Test
    void aLastNullClearsTheField() {
        Decoded<Message> decoded =
                decodeJson(json("DatabaseInstance", "\"spec\":{\"connection\":{\"port\":5432,\"port\":null}}"));

        assertThat(decoded.duplicateFields()).containsExactly("spec.connection.port");
        assertThat(((DatabaseInstance) decoded.object())
                        .getSpec()
                        .getConnection()
                        .hasPort())
                .isFalse();
    }

    /** An unknown field given twice is one unknown field, and a duplicate. */
    @Test
    void anUnknownFieldTwice() {
        Decoded<Message> decoded = decodeYaml(yaml("Database", """
                spec:
                  bogus: 1
                  name: x
                  bogus: 2
                """));

        assertThat(decoded.unknownFields()).containsExactly("spec.bogus");
        assertThat(decoded.duplicateFields()).containsExactly("spec.bogus");
    }

    @Test
    void keysOfFreeFormJson() {
        Decoded<Message> decoded = decodeJson(json(
                "Database",
                "\"metadata\":{\"managedFields\":[{\"fieldsV1\":{\"f:spec\":{},\"f:spec\":{\"f:name\":{}}}}]}"));

        assertThat(decoded.duplicateFields()).containsExactly("metadata.managedFields[0].fieldsV1.f:spec");
        assertThat(((Database) decoded.object())
                        .getMetadata()
                        .getManagedFields(0)
                        .getFieldsV1()
                        .getFieldsOrThrow("f:spec")
                        .getStructValue()
                        .getFieldsMap())
                .containsOnlyKeys("f:name");
    }

    /** kind given twice: the last one decides the kind, as it decides every other field. */
    @Test
    void kindTwice() {
        Decoded<Message> decoded = decodeJson(
                "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"DatabaseUser\",\"kind\":\"Database\"}");

        assertThat(decoded.object()).isInstanceOf(Database.class);
        assertThat(decoded.duplicateFields()).containsExactly("kind");
    }
}
