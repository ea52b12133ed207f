package io.dbprovision.api.codec;

import static io.dbprovision.api.codec.CodecTestSupport.CODEC;
import static io.dbprovision.api.codec.CodecTestSupport.decodeJson;
import static io.dbprovision.api.codec.CodecTestSupport.decodeYaml;
import static io.dbprovision.api.codec.CodecTestSupport.json;
import static io.dbprovision.api.codec.CodecTestSupport.jsonError;
import static io.dbprovision.api.codec.CodecTestSupport.manifest;
import static io.dbprovision.api.codec.CodecTestSupport.utf8;
import static io.dbprovision.api.codec.CodecTestSupport.yaml;
import static io.dbprovision.api.codec.CodecTestSupport.yamlError;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fields the schema does not have are reported with their exact path, at any depth, in JSON and YAML alike, and
 * everything around them is still decoded.
 */
class UnknownFieldsTest {

    /** A Database with a field the schema lacks at every kind of place; every such line mentions "bogus". */
    private static final String DATABASE_WITH_BOGUS_FIELDS = yaml("Database", """
            bogusTop: 1
            metadata:
              name: orders-db
              bogusMeta: x
              labels:
                team: payments
              managedFields:
                - manager: kubectl
                  bogusManaged: true
                  fieldsV1:
                    f:spec:
                      f:bogusInFreeFormJson: {}
            spec:
              instanceRef:
                name: postgres-primary
                bogusRef: x
              name: orders_main
              postgres:
                encoding: UTF8
                extensions:
                  - name: pgcrypto
                  - name: uuid-ossp
                    bogus: 1
                    version: "1.1"
                bogus: {nested: {deeper: [1, 2]}}
              deletionPolicy: Retain
            status:
              phase: Ready
              bogusStatus: x
              conditions:
                - type: Ready
                  status: "True"
                  bogusCondition: [1]
            """);

    private static final List<String> BOGUS_PATHS = List.of(
            "bogusTop",
            "metadata.bogusMeta",
            "metadata.managedFields[0].bogusManaged",
            "spec.instanceRef.bogusRef",
            "spec.postgres.extensions[1].bogus",
            "spec.postgres.bogus",
            "status.bogusStatus",
            "status.conditions[0].bogusCondition");

    /** The same Database without the unknown fields. */
    private static final String DATABASE = Arrays.stream(DATABASE_WITH_BOGUS_FIELDS.split("\n"))
            .filter(line -> !line.contains("bogus") || line.contains("f:bogusInFreeFormJson"))
            .collect(Collectors.joining("\n", "", "\n"));

    @Test
    void yamlReportsEachUnknownFieldWithItsPathInDocumentOrder() {
        Decoded<Message> decoded = decodeYaml(DATABASE_WITH_BOGUS_FIELDS);

        assertThat(decoded.unknownFields()).containsExactlyElementsOf(BOGUS_PATHS);
        assertThat(decoded.duplicateFields()).isEmpty();
        assertThat(decoded.invalidValues()).isEmpty();
        assertThat(decoded.strictProblems())
                .contains("unknown field \"spec.postgres.extensions[1].bogus\"", "unknown field \"bogusTop\"");
    }

    @Test
    void knownFieldsAroundUnknownOnesAreStillDecoded() {
        Decoded<Message> withBogus = decodeYaml(DATABASE_WITH_BOGUS_FIELDS);
        Decoded<Message> clean = decodeYaml(DATABASE);

        assertThat(clean.unknownFields()).isEmpty();
        assertThat(withBogus.object()).isEqualTo(clean.object());
        Database database = (Database) withBogus.object();
        assertThat(database.getSpec().getPostgres().getExtensions(1).getVersion())
                .isEqualTo("1.1");
        assertThat(database.getMetadata().getManagedFields(0).getFieldsV1().getFieldsMap())
                .containsKey("f:spec");
    }

    @Test
    void jsonReportsTheSamePathsAsYaml() {
        Message tree = decodeYaml(DATABASE).object();
        String json = new String(CODEC.encodeJson(tree), StandardCharsets.UTF_8);
        // Splice the same unknown fields into the JSON form.
        String withBogus = json.replace("{\"name\":\"orders-db\"", "{\"name\":\"orders-db\",\"bogusMeta\":\"x\"")
                .replace("\"manager\":\"kubectl\"", "\"manager\":\"kubectl\",\"bogusManaged\":true")
                .replace("\"name\":\"postgres-primary\"", "\"name\":\"postgres-primary\",\"bogusRef\":\"x\"")
                .replace("{\"name\":\"uuid-ossp\"", "{\"name\":\"uuid-ossp\",\"bogus\":1")
                .replace("\"encoding\":\"UTF8\"", "\"encoding\":\"UTF8\",\"bogus\":{\"nested\":{\"deeper\":[1,2]}}")
                .replace("\"phase\":\"Ready\"", "\"phase\":\"Ready\",\"bogusStatus\":\"x\"")
                .replace("\"status\":\"True\"", "\"status\":\"True\",\"bogusCondition\":[1]")
                .replaceFirst("^\\{", "{\"bogusTop\":1,");

        Decoded<Message> decoded = CODEC.decodeJson(utf8(withBogus));

        assertThat(decoded.unknownFields())
                .containsExactlyInAnyOrderElementsOf(BOGUS_PATHS)
                .startsWith("bogusTop");
        assertThat(decoded.object()).isEqualTo(tree);
    }

    @Test
    void decodingIntoAnExpectedKindReportsTheSamePaths() {
        Decoded<Database> decoded = CODEC.decodeYaml(utf8(DATABASE_WITH_BOGUS_FIELDS), Database.getDefaultInstance());

        assertThat(decoded.unknownFields()).containsExactlyElementsOf(BOGUS_PATHS);
    }

    @Test
    void connectionFieldsOfAnInstance() {
        Decoded<Message> yaml = decodeYaml(yaml("DatabaseInstance", """
                spec:
                  engine: postgres
                  connection:
                    host: db
                    bogus: true
                    secretRef:
                      name: admin
                      keys:
                        username: user
                        bogus: x
                  tls:
                    secretRef:
                      name: certs
                      keys: {ca: ca.pem, bogus: x}
                """));
        Decoded<Message> json = decodeJson(json("DatabaseInstance", """
                "spec":{"engine":"postgres","connection":{"host":"db","bogus":true,"secretRef":{"name":"admin",
                "keys":{"username":"user","bogus":"x"}}},"tls":{"secretRef":{"name":"certs","keys":{"ca":"ca.pem",
                "bogus":"x"}}}}"""));

        List<String> expected = List.of(
                "spec.connection.bogus", "spec.connection.secretRef.keys.bogus", "spec.tls.secretRef.keys.bogus");
        assertThat(yaml.unknownFields()).containsExactlyElementsOf(expected);
        assertThat(json.unknownFields()).containsExactlyElementsOf(expected);
        assertThat(json.object()).isEqualTo(yaml.object());
    }

    @Test
    void itemsOfAListKind() {
        Decoded<Message> decoded = decodeJson(json("DatabaseList", """
                "metadata":{"resourceVersion":"7","bogus":1},"items":[
                {"metadata":{"name":"a"},"spec":{"name":"a"}},
                {"metadata":{"name":"b","bogus":2},"spec":{"name":"b","postgres":{"extensions":[{"name":"x","bogus":3}]}}}
                ]"""));

        assertThat(decoded.object()).isInstanceOf(DatabaseList.class);
        assertThat(decoded.unknownFields())
                .containsExactly(
                        "metadata.bogus", "items[1].metadata.bogus", "items[1].spec.postgres.extensions[0].bogus");
        assertThat(((DatabaseList) decoded.object()).getItems(1).getSpec().getName())
                .isEqualTo("b");
    }

    /** Field names match the JSON names exactly: not the proto names, not another case, not with spaces. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "\"Spec\":{}                          | Spec",
                "\"SPEC\":{}                          | SPEC",
                "\"spec \":{}                         | 'spec '",
                "\"apiversion\":\"v1\"                | apiversion",
                "\"metadata\":{\"Name\":\"x\"}        | metadata.Name",
                "\"spec\":{\"instance_ref\":{}}       | spec.instance_ref",
                "\"spec\":{\"InstanceRef\":{}}        | spec.InstanceRef",
                "\"spec\":{\"initSql\":{}}            | spec.initSql",
            })
    void namesAreMatchedExactly(String body, String path) {
        assertThat(decodeJson(json("Database", body)).unknownFields()).containsExactly(path);
    }

    /** The schema's maps hold strings: an object as a map value is a type error at the entry's path, not unknown. */
    @Test
    void anObjectAsAMapValueIsATypeErrorNamingTheEntry() {
        assertThat(yamlError(yaml("Database", """
                        metadata:
                          labels:
                            team: {bogus: x}
                        """)).getMessage())
                .isEqualTo("metadata.labels[team]: expected a string, got an object (line 5, column 11)");
        assertThat(jsonError(json("Database", "\"metadata\":{\"annotations\":{\"a.io/b\":{\"bogus\":1}}}"))
                        .getMessage())
                .isEqualTo("metadata.annotations[a.io/b]: expected a string, got an object");
    }

    /** A map's keys are data, never unknown fields; fieldsV1 is free-form JSON, never checked against the schema. */
    @Test
    void mapKeysAndFreeFormJsonAreNotUnknownFields() {
        Decoded<Message> decoded = decodeYaml(yaml("Database", """
                metadata:
                  labels: {bogus: x, spec: y}
                  managedFields:
                    - fieldsV1: {bogus: {spec: [1, {bogus: true}]}}
                """));

        assertThat(decoded.unknownFields()).isEmpty();
    }

    static Stream<String> plurals() {
        return Schema.get().kinds().stream().map(Kind::plural);
    }

    /**
     * Every kind, every depth: a field "bogus" added to every object of a manifest that sets every field of its kind
     * is reported at exactly the path of that object, in YAML and JSON.
     */
    @ParameterizedTest
    @MethodSource("plurals")
    void everyObjectOfEveryKindReportsAnUnknownFieldAtItsPath(String plural) {
        Message original = manifest(plural);
        Map<String, Object> tree = CODEC.toTree(original);
        List<String> added = new ArrayList<>();
        addBogusField(tree, original.getDescriptorForType(), "", added);

        Decoded<Message> fromYaml = decodeYaml(TreeWriter.yaml(tree));
        Decoded<Message> fromJson = CODEC.decodeJson(TreeWriter.json(tree, true));

        assertThat(added).hasSizeGreaterThan(10);
        assertThat(fromYaml.unknownFields()).containsExactlyElementsOf(added);
        assertThat(fromJson.unknownFields()).containsExactlyElementsOf(added);
        assertThat(fromYaml.object()).isEqualTo(original);
        assertThat(fromJson.object()).isEqualTo(original);
    }

    /** Adds "bogus" last to each object that the schema reads as a message, recording paths in document order. */
    @SuppressWarnings("unchecked")
    private static void addBogusField(Map<String, Object> object, Descriptor type, String path, List<String> added) {
        for (Map.Entry<String, Object> entry : object.entrySet()) {
            FieldDescriptor field = MessageReader.fieldsByJsonName(type).get(entry.getKey());
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE
                    || field.isMapField()
                    || field.getMessageType().getFullName().startsWith("google.protobuf.")) {
                continue; // scalars, maps of strings, times (strings) and free-form JSON (fieldsV1)
            }
            String fieldPath = path.isEmpty() ? entry.getKey() : path + "." + entry.getKey();
            if (field.isRepeated()) {
                List<Object> items = (List<Object>) entry.getValue();
                for (int i = 0; i < items.size(); i++) {
                    addBogusField(
                            (Map<String, Object>) items.get(i),
                            field.getMessageType(),
                            fieldPath + "[" + i + "]",
                            added);
                }
            } else {
                addBogusField((Map<String, Object>) entry.getValue(), field.getMessageType(), fieldPath, added);
            }
        }
        object.put("bogus", 1);
        added.add(path.isEmpty() ? "bogus" : path + ".bogus");
    }
}
