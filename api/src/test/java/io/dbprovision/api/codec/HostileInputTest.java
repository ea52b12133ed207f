package io.dbprovision.api.codec;

import static io.dbprovision.api.codec.CodecTestSupport.CODEC;
import static io.dbprovision.api.codec.CodecTestSupport.codecError;
import static io.dbprovision.api.codec.CodecTestSupport.concat;
import static io.dbprovision.api.codec.CodecTestSupport.decodeJson;
import static io.dbprovision.api.codec.CodecTestSupport.decodeYaml;
import static io.dbprovision.api.codec.CodecTestSupport.json;
import static io.dbprovision.api.codec.CodecTestSupport.jsonError;
import static io.dbprovision.api.codec.CodecTestSupport.utf8;
import static io.dbprovision.api.codec.CodecTestSupport.yaml;
import static io.dbprovision.api.codec.CodecTestSupport.yamlError;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseBackup;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseList;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile or malformed documents are refused with a {@link CodecException} whose message says what is wrong and
 * where; nothing else escapes the codec, and nothing is expanded or read past the limits.
 */
class HostileInputTest {

    private static final String SMALL_INSTANCE = yaml("DatabaseInstance", """
            metadata:
              name: pg
            spec:
              engine: postgres
              connection:
                host: db
            """);

    @Nested
    class ApiVersionAndKind {

        @Test
        void missingKind() {
            assertThat(jsonError("{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"spec\":{}}")
                            .getMessage())
                    .isEqualTo("Object 'Kind' is missing in the document");
            assertThat(yamlError("apiVersion: dbops.dbprovision.io/v1alpha1\nkind: \"\"\n")
                            .getMessage())
                    .isEqualTo("Object 'Kind' is missing in the document");
            assertThat(yamlError("apiVersion: dbops.dbprovision.io/v1alpha1\nkind:\n")
                            .getMessage())
                    .isEqualTo("Object 'Kind' is missing in the document");
        }

        @Test
        void wrongOrMissingApiVersion() {
            assertThat(jsonError("{\"apiVersion\":\"apps/v1\",\"kind\":\"Database\"}")
                            .getMessage())
                    .isEqualTo("no kind \"Database\" is registered for version \"apps/v1\"");
            assertThat(jsonError("{\"apiVersion\":\"dbops.dbprovision.io/v1\",\"kind\":\"Database\"}")
                            .getMessage())
                    .isEqualTo("no kind \"Database\" is registered for version \"dbops.dbprovision.io/v1\"");
            assertThat(yamlError("kind: Database\n").getMessage())
                    .isEqualTo("no kind \"Database\" is registered for version \"(empty apiVersion)\"");
        }

        @ParameterizedTest
        @ValueSource(strings = {"Pod", "database", "DATABASE", "Databases", "DatabaseSpec", "Status", "ObjectMeta"})
        void unknownKind(String kind) {
            assertThat(jsonError(json(kind, "")).getMessage())
                    .isEqualTo("no kind \"" + kind + "\" is registered for version \"dbops.dbprovision.io/v1alpha1\"");
        }

        @Test
        void apiVersionAndKindMustBeStrings() {
            assertThat(jsonError("{\"apiVersion\":1,\"kind\":\"Database\"}").getMessage())
                    .isEqualTo("apiVersion: expected a string");
            assertThat(yamlError("apiVersion: dbops.dbprovision.io/v1alpha1\nkind: [Database]\n")
                            .getMessage())
                    .isEqualTo("kind: expected a string");
            assertThat(jsonError("{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":true}")
                            .getMessage())
                    .isEqualTo("kind: expected a string");
        }

        @Test
        void listKindsDecode() {
            assertThat(decodeJson(json("DatabaseList", "\"items\":[]")).object())
                    .isInstanceOf(DatabaseList.class);
        }

        @Test
        void kindMismatchWithTheExpectedKind() {
            CodecException error =
                    codecError(() -> CODEC.decodeJson(utf8(json("DatabaseUser", "")), Database.getDefaultInstance()));
            assertThat(error.getMessage())
                    .isEqualTo("the kind in the data (DatabaseUser) does not match the expected kind (Database)");

            CodecException yaml =
                    codecError(() -> CODEC.decodeYaml(utf8(SMALL_INSTANCE), Database.getDefaultInstance()));
            assertThat(yaml.getMessage())
                    .isEqualTo("the kind in the data (DatabaseInstance) does not match the expected kind (Database)");
        }

        @Test
        void apiVersionMismatchWithTheExpectedKind() {
            CodecException error = codecError(() -> CODEC.decodeJson(
                    utf8("{\"apiVersion\":\"v1\",\"kind\":\"Database\"}"), Database.getDefaultInstance()));

            assertThat(error.getMessage())
                    .isEqualTo("the API version in the data (v1) does not match the expected API version"
                            + " (dbops.dbprovision.io/v1alpha1)");
        }

        @Test
        void theExpectedKindFillsInWhatIsMissing() {
            Decoded<Database> decoded =
                    CODEC.decodeJson(utf8("{\"metadata\":{\"name\":\"x\"}}"), Database.getDefaultInstance());

            assertThat(decoded.object().getApiVersion()).isEqualTo(Schema.API_VERSION);
            assertThat(decoded.object().getKind()).isEqualTo("Database");
            assertThat(decoded.object().getMetadata().getName()).isEqualTo("x");
        }

        @ParameterizedTest
        @CsvSource(
                delimiter = '|',
                value = {
                    "[]| an array",
                    "[{}]| an array",
                    "\"Database\"| a scalar",
                    "42| a scalar",
                    "true| a scalar",
                    "null| null"
                })
        void aJsonDocumentThatIsNotAnObject(String document, String what) {
            assertThat(jsonError(document).getMessage()).isEqualTo("the document must be an object, not " + what);
            assertThat(codecError(() -> CODEC.decodeJson(utf8(document), Database.getDefaultInstance()))
                            .getMessage())
                    .isEqualTo("the document must be an object, not " + what);
        }

        @ParameterizedTest
        @CsvSource(
                delimiter = '|',
                value = {
                    "- a| an array",
                    "[kind, Database]| an array",
                    "hello| a scalar",
                    "42| a scalar",
                    "'quoted'| a scalar",
                    "\"double\"| a scalar"
                })
        void aYamlDocumentThatIsNotAnObject(String document, String what) {
            assertThat(yamlError(document).getMessage()).isEqualTo("the document must be an object, not " + what);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", " ", "\n\n", "\t \r\n", "\uFEFF"})
        void anEmptyJsonDocument(String document) {
            assertThat(jsonError(document).getMessage()).isEqualTo("the document is empty");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {"", "\n", "# only a comment\n", "---\n", "---\n...\n", "--- ~\n", "null\n", "---\n---\n"})
        void anEmptyYamlStreamHasNoObjectsAndIsNoObjectWhereOneIsExpected(String document) {
            assertThat(CODEC.decodeYaml(document)).isEmpty();
            assertThat(codecError(() -> CODEC.decodeYaml(utf8(document), Database.getDefaultInstance()))
                            .getMessage())
                    .isEqualTo("expected exactly one YAML document, found 0");
        }

        @Test
        void twoYamlDocumentsWhereOneIsExpected() {
            String twoDocuments = SMALL_INSTANCE + "---\n" + SMALL_INSTANCE;

            assertThat(codecError(() -> CODEC.decodeYaml(utf8(twoDocuments), DatabaseInstance.getDefaultInstance()))
                            .getMessage())
                    .isEqualTo("expected exactly one YAML document, found 2");
        }
    }

    @Nested
    class Syntax {

        static Stream<Arguments> malformedJson() {
            return Stream.of(
                    Arguments.of(
                            "{\"a\":}",
                            "invalid JSON: Unexpected character ('}' (code 125)): expected a value at line 1, column 6"),
                    Arguments.of(
                            "{'a':1}",
                            "invalid JSON: Unexpected character ('"
                                    + "'' (code 39)): was expecting double-quote to start field name at line 1, column 2"),
                    Arguments.of(
                            "{\"a\":1,}",
                            "invalid JSON: Unexpected character ('}' (code 125)): was expecting double-quote to start field name at line 1, column 8"),
                    Arguments.of(
                            "{\"a\":NaN}",
                            "invalid JSON: Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow at line 1, column 9"),
                    Arguments.of(
                            "{\"a\":01}",
                            "invalid JSON: Invalid numeric value: Leading zeroes not allowed at line 1, column 7"),
                    Arguments.of(
                            "{\"a\" 1}",
                            "invalid JSON: Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value at line 1, column 6"),
                    Arguments.of(
                            "{\"a\":1",
                            "invalid JSON: Unexpected end-of-input: expected close marker for Object (start marker at line 1, column 1) at line 1, column 7"),
                    Arguments.of(
                            "/* c */{}",
                            "invalid JSON: Unexpected character ('/' (code 47)): maybe a (non-standard) comment? (not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser) at line 1, column 1"),
                    Arguments.of(
                            "{\"a\":\"\\x\"}",
                            "invalid JSON: Unrecognized character escape 'x' (code 120) at line 1, column 8"),
                    Arguments.of("{} {}", "unexpected data after the JSON value at line 1, column 4"),
                    Arguments.of(
                            "{}]",
                            "invalid JSON: Unexpected close marker ']': no open Array to close at line 1, column 3"));
        }

        @ParameterizedTest
        @MethodSource("malformedJson")
        void malformedJsonNamesTheProblemAndWhere(String document, String message) {
            assertThat(jsonError(document).getMessage()).isEqualTo(message);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "kind: \"Database\n",
                    "kind: Database\nspec:\n  name: a\n name: b\n",
                    "kind: Database\nspec:\n\tname: a\n",
                    "kind: Database\nspec: [a, b\n",
                    "kind: Database\nspec: {a: b\n",
                    "kind: Database\nkind: x: y\n",
                    "kind: Database\n- item\n",
                    "kind: *undefined\n",
                    "kind: !!binary Database\nspec: &a\nmeta: &a\n@x: y\n",
                    "%YAML 1.3\n%YAML 1.3\n---\nkind: Database\n",
                })
        void malformedYamlNamesTheProblemAndTheLine(String document) {
            String message = yamlError(document).getMessage();

            assertThat(message).startsWith("invalid YAML: ").containsPattern("line \\d+, column \\d+");
            assertThat(message).doesNotContain("\n");
        }

        @Test
        void nonScalarKeysAreRefused() {
            assertThat(yamlError("kind: Database\n? [a, b]\n: c\n").getMessage())
                    .isEqualTo("mapping keys must be strings, at line 2, column 3");
        }
    }

    @Nested
    class MultiDocumentYaml {

        @Test
        void documentsDecodeInOrderAndEmptyOnesAreSkipped() {
            String stream = "# leading comment\n---\n" + SMALL_INSTANCE + "---\n---\n# empty\n---\n"
                    + yaml("Database", "spec:\n  name: d\n") + "...\n";

            List<Decoded<Message>> documents = CODEC.decodeYaml(stream);

            assertThat(documents)
                    .extracting(d -> d.object().getDescriptorForType().getName())
                    .containsExactly("DatabaseInstance", "Database");
        }

        @Test
        void aBadDocumentIsNamedByItsNumberAndLine() {
            String stream = SMALL_INSTANCE + "---\n" + yaml("Pod", "") + "---\n" + SMALL_INSTANCE;

            assertThat(yamlError(stream).getMessage())
                    .isEqualTo("document 2 (line 10, column 1): no kind \"Pod\" is registered for version"
                            + " \"dbops.dbprovision.io/v1alpha1\"");
        }

        @Test
        void emptyDocumentsCountInTheNumbering() {
            String stream = "---\n---\n# nothing\n---\n" + SMALL_INSTANCE.replace("host: db", "port: \"5432\"");

            assertThat(yamlError(stream).getMessage())
                    .isEqualTo("document 3 (line 5, column 1): spec.connection.port: expected an integer, got the"
                            + " string \"5432\" (line 12, column 11)");
        }

        @Test
        void everyTypeErrorOfTheBadDocumentIsNumbered() {
            String stream = SMALL_INSTANCE + "---\n"
                    + yaml("DatabaseInstance", "spec:\n  connection:\n    port: x\n    host: [a]\n");

            assertThat(yamlError(stream).problems())
                    .containsExactly(
                            "document 2 (line 10, column 1): spec.connection.port: expected an integer, got \"x\""
                                    + " (line 14, column 11)",
                            "document 2 (line 10, column 1): spec.connection.host: expected a string, got an array"
                                    + " (line 15, column 11)");
        }

        @Test
        void aSyntaxErrorInALaterDocumentNamesItsLine() {
            String stream = SMALL_INSTANCE + "---\n" + SMALL_INSTANCE + "---\nkind: [\n";

            assertThat(yamlError(stream).getMessage())
                    .isEqualTo("invalid YAML: while parsing a flow node in document, line 20, column 1: ^ expected the"
                            + " node content, but found '<stream end>' in document, line 20, column 1: ^");
        }

        @Test
        void aNonObjectDocumentAmongObjects() {
            String stream = SMALL_INSTANCE + "---\n- just\n- a list\n";

            assertThat(yamlError(stream).getMessage())
                    .isEqualTo("document 2 (line 10, column 1): the document must be an object, not an array");
        }
    }

    @Nested
    class YamlAliases {

        /** Nine levels of nine aliases: 387 million values if expanded. The 50-alias limit stops it while parsing. */
        @Test
        void billionLaughsIsRefused() {
            StringBuilder document = new StringBuilder(yaml("DatabaseBackup", ""));
            document.append("lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
            for (int level = 1; level <= 9; level++) {
                document.append("lol")
                        .append(level)
                        .append(": &lol")
                        .append(level)
                        .append(" [");
                for (int i = 0; i < 9; i++) {
                    document.append(i == 0 ? "" : ", ").append("*lol").append(level - 1);
                }
                document.append("]\n");
            }
            document.append("spec:\n  mysql:\n    tables: *lol9\n");

            assertThat(yamlError(document.toString()).getMessage())
                    .isEqualTo("invalid YAML: Number of aliases for non-scalar nodes exceeds the specified max=50");
        }

        /** Within the alias limit (5 per level, 10 levels: 48 aliases) the values are counted as they expand. */
        @Test
        void exponentialExpansionWithinTheAliasLimitIsRefusedByTheValueCount() {
            KubeCodec codec = new KubeCodec(Schema.get(), new Limits(3 * 1024 * 1024, 100, 50, 10_000));
            String document = yaml("DatabaseBackup", exponentialAliases("lol") + "spec:\n  mysql:\n    tables: *l9\n");

            assertThat(codecError(() -> codec.decodeYaml(document)).getMessage())
                    .isEqualTo("the document expands to more than 10000 values (through YAML aliases); refused");
        }

        /** The same with the server's limits and longer strings: the expanded text is bounded too. */
        @Test
        void exponentialExpansionIsRefusedByTheTextItExpandsTo() {
            String document =
                    yaml("DatabaseBackup", exponentialAliases("x".repeat(1000)) + "spec:\n  mysql:\n    tables: *l9\n");

            assertThat(yamlError(document).getMessage())
                    .isEqualTo("the document expands to more than 3145728 characters of text (through YAML aliases);"
                            + " refused");
        }

        /**
         * Aliases of a scalar are not limited in number by the YAML engine: a 100 kB string repeated 40 times is
         * 4 MB of text from 100 kB of YAML (and a 3 MB stream could make it terabytes).
         */
        @Test
        void repeatingALongStringThroughAliasesIsRefused() {
            String document = yaml(
                    "DatabaseBackup",
                    "x: &big " + "x".repeat(100_000) + "\nspec:\n  mysql:\n    tables: [" + "*big, ".repeat(39)
                            + "*big]\n");

            assertThat(yamlError(document).getMessage())
                    .isEqualTo("the document expands to more than 3145728 characters of text (through YAML aliases);"
                            + " refused");
        }

        @Test
        void recursiveAliasesAreRefused() {
            assertThat(yamlError(yaml("DatabaseInstance", "spec: &a\n  connection: *a\n"))
                            .getMessage())
                    .isEqualTo("recursive YAML alias at line 3, column 7");
            assertThat(yamlError(yaml("Database", "metadata:\n  finalizers: &f [a, *f]\n"))
                            .getMessage())
                    .isEqualTo("recursive YAML alias at line 4, column 15");
        }

        @Test
        void recursiveKeysAreRefused() {
            assertThat(yamlError(yaml("Database", "&k [*k]: x\n")).getMessage())
                    .isEqualTo("mapping keys must be strings, at line 3, column 1");
        }

        /** YAML 1.1 readers such as kubectl merge {@code <<}; refusing it keeps the two readings from disagreeing. */
        @Test
        void mergeKeysAreRefused() {
            String document = yaml("DatabaseInstance", """
                    spec:
                      connection: &base
                        host: db
                        port: 5432
                      postgres:
                        <<: *base
                    """);

            assertThat(yamlError(document).getMessage())
                    .isEqualTo("YAML merge keys (<<) are not supported, at line 8, column 5");
            assertThat(yamlError(document.replace("<<: *base", "<<: [*base]")).getMessage())
                    .isEqualTo("YAML merge keys (<<) are not supported, at line 8, column 5");
            assertThat(yamlError(document.replace("<<: *base", "!!merge <<: *base"))
                            .getMessage())
                    .startsWith("YAML merge keys (<<) are not supported, at line 8");
        }

        /** A quoted "<<" is an ordinary key: here an unknown field. */
        @Test
        void aQuotedMergeKeyIsJustAKey() {
            Decoded<Message> decoded =
                    decodeYaml(yaml("DatabaseInstance", "spec:\n  connection:\n    \"<<\": {host: db}\n"));

            assertThat(decoded.unknownFields()).containsExactly("spec.connection.<<");
        }

        @Test
        void legitimateAliasesAreExpanded() {
            Decoded<Message> withAliases = decodeYaml(yaml("DatabaseBackup", """
                    metadata:
                      name: &name nightly
                      labels: &labels {team: payments, app: *name}
                    spec:
                      databaseRef: {name: *name}
                      mysql:
                        tables: &tables [orders, invoices]
                        excludeTables: *tables
                      storage:
                        s3:
                          secretRef: &creds
                            name: s3
                            bogus: 1
                        gcs:
                          secretRef: *creds
                    """));
            Decoded<Message> expanded = decodeYaml(yaml("DatabaseBackup", """
                    metadata:
                      name: nightly
                      labels: {team: payments, app: nightly}
                    spec:
                      databaseRef: {name: nightly}
                      mysql:
                        tables: [orders, invoices]
                        excludeTables: [orders, invoices]
                      storage:
                        s3:
                          secretRef: {name: s3, bogus: 1}
                        gcs:
                          secretRef: {name: s3, bogus: 1}
                    """));

            assertThat(withAliases.object()).isEqualTo(expanded.object());
            assertThat(((DatabaseBackup) withAliases.object())
                            .getSpec()
                            .getMysql()
                            .getExcludeTablesList())
                    .containsExactly("orders", "invoices");
            // An unknown field inside an aliased object is reported at every place it lands.
            assertThat(withAliases.unknownFields())
                    .containsExactly("spec.storage.s3.secretRef.bogus", "spec.storage.gcs.secretRef.bogus");
        }

        @Test
        void anAliasCannotPlaceADeepAnchorDeeperThanTheLimit() {
            String deep = "[".repeat(60) + "]".repeat(60);
            String document = yaml(
                    "Database",
                    "x: &deep " + deep + "\nmetadata:\n  managedFields:\n    - fieldsV1: {" + "a: {".repeat(40)
                            + "x: *deep" + "}".repeat(40) + "}\n");

            assertThat(yamlError(document).getMessage()).isEqualTo("the document nests deeper than 100 levels");
        }

        /** "lolN: &lN [5 aliases of lN-1]" for N = 1..9 over a first level of 5 copies of the given scalar. */
        private static String exponentialAliases(String scalar) {
            StringBuilder out = new StringBuilder("l0: &l0 [" + (scalar + ", ").repeat(4) + scalar + "]\n");
            for (int level = 1; level <= 9; level++) {
                out.append("l")
                        .append(level)
                        .append(": &l")
                        .append(level)
                        .append(" [")
                        .append(("*l" + (level - 1) + ", ").repeat(4))
                        .append("*l")
                        .append(level - 1)
                        .append("]\n");
            }
            return out.toString();
        }
    }

    @Nested
    class Size {
        private static final int LIMIT = 3 * 1024 * 1024;

        @Test
        void tenMebibytesOfJsonAreRefused() {
            byte[] document =
                    utf8(json("Database", "\"metadata\":{\"annotations\":{\"a\":\"" + "x".repeat(10 << 20) + "\"}}"));

            assertThat(codecError(() -> CODEC.decodeJson(document)).getMessage())
                    .isEqualTo(
                            "the document is too large: " + document.length + " bytes, at most 3145728 are accepted");
        }

        @Test
        void tenMebibytesOfYamlAreRefused() {
            byte[] document =
                    utf8(yaml("Database", "metadata:\n  annotations:\n    a: " + "x".repeat(10 << 20) + "\n"));

            assertThat(codecError(() -> CODEC.decodeYaml(document)).getMessage())
                    .isEqualTo(
                            "the document is too large: " + document.length + " bytes, at most 3145728 are accepted");
            assertThat(codecError(() -> CODEC.decodeYaml(document, Database.getDefaultInstance()))
                            .getMessage())
                    .startsWith("the document is too large");
        }

        @Test
        void aDocumentOfExactlyTheLimitIsReadAndOneByteMoreIsNot() {
            String prefix = "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"Database\",\"metadata\":"
                    + "{\"annotations\":{\"a\":\"";
            String suffix = "\"}}}";
            String exact = prefix + "x".repeat(LIMIT - prefix.length() - suffix.length()) + suffix;

            Database database = (Database) decodeJson(exact).object();
            assertThat(database.getMetadata().getAnnotationsOrThrow("a"))
                    .hasSize(LIMIT - prefix.length() - suffix.length());
            assertThat(jsonError(exact + " ").getMessage())
                    .isEqualTo("the document is too large: 3145729 bytes, at most 3145728 are accepted");
        }

        /** Long strings within the limit are data like any other, in every YAML scalar style and in JSON. */
        @ParameterizedTest
        @ValueSource(strings = {"plain", "double", "single", "literal", "folded", "json"})
        void longStringsWithinTheLimitAreAccepted(String style) {
            String value = "v".repeat(2_500_000);
            String document = switch (style) {
                case "plain" -> yaml("Database", "metadata:\n  annotations:\n    a: " + value + "\n");
                case "double" -> yaml("Database", "metadata:\n  annotations:\n    a: \"" + value + "\"\n");
                case "single" -> yaml("Database", "metadata:\n  annotations:\n    a: '" + value + "'\n");
                case "literal" -> yaml("Database", "metadata:\n  annotations:\n    a: |-\n      " + value + "\n");
                case "folded" -> yaml("Database", "metadata:\n  annotations:\n    a: >-\n      " + value + "\n");
                default -> json("Database", "\"metadata\":{\"annotations\":{\"a\":\"" + value + "\"}}");
            };

            Decoded<Message> decoded = style.equals("json") ? decodeJson(document) : decodeYaml(document);

            assertThat(((Database) decoded.object()).getMetadata().getAnnotationsOrThrow("a"))
                    .isEqualTo(value);
        }

        static Stream<Arguments> deepJson() {
            return Stream.of(
                    Arguments.of("100k [", "[".repeat(100_000)),
                    Arguments.of("100k [ closed", "[".repeat(100_000) + "]".repeat(100_000)),
                    Arguments.of("100k {\"a\":", "{\"a\":".repeat(100_000)),
                    Arguments.of(
                            "deep inside a valid object",
                            json(
                                    "Database",
                                    "\"metadata\":{\"managedFields\":[{\"fieldsV1\":" + "[".repeat(200)
                                            + "]".repeat(200) + "}]}")));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("deepJson")
        void deepJsonNestingIsRefusedNamingTheLimit(String name, String document) {
            assertThat(jsonError(document).getMessage())
                    .startsWith(
                            "the document exceeds a limit: Document nesting depth (101) exceeds the maximum allowed (100");
        }

        static Stream<Arguments> deepYaml() {
            StringBuilder block = new StringBuilder();
            for (int level = 0; level < 1000; level++) {
                block.append(" ".repeat(level)).append("a:\n");
            }
            return Stream.of(
                    Arguments.of("100k [", "[".repeat(100_000)),
                    Arguments.of("100k [ closed", "[".repeat(100_000) + "]".repeat(100_000)),
                    Arguments.of("100k {\"a\":", "{\"a\":".repeat(100_000)),
                    Arguments.of("100k {a: ", "{a: ".repeat(100_000)),
                    Arguments.of("100k block sequences", "- ".repeat(100_000) + "x\n"),
                    Arguments.of("1000 block mappings", block.toString()));
        }

        /** The YAML composer is recursive: the depth is bounded while parsing, so the stack never overflows. */
        @ParameterizedTest(name = "{0}")
        @MethodSource("deepYaml")
        void deepYamlNestingIsRefusedNamingTheLimit(String name, String document) {
            assertThat(yamlError(document).getMessage())
                    .startsWith("the document nests deeper than 100 levels, at line");
        }

        /**
         * JSON and YAML count depth alike: the document object is level 1 and the fieldsV1 object level 5, so fieldsV1
         * can be 96 objects deep.
         */
        @ParameterizedTest
        @CsvSource({"96, true", "97, false"})
        void jsonAndYamlAgreeOnTheDepthLimit(int fieldsV1Depth, boolean accepted) {
            String nested = "{\"a\":".repeat(fieldsV1Depth - 1) + "{}" + "}".repeat(fieldsV1Depth - 1);
            String document = json("Database", "\"metadata\":{\"managedFields\":[{\"fieldsV1\":" + nested + "}]}");
            String yamlFlow = yaml("Database", "metadata: {managedFields: [{fieldsV1: " + nested + "}]}\n");

            if (accepted) {
                assertThat(decodeJson(document).object())
                        .isEqualTo(decodeYaml(yamlFlow).object());
            } else {
                assertThat(jsonError(document).getMessage())
                        .contains("nesting depth (101) exceeds the maximum allowed (100");
                assertThat(yamlError(yamlFlow).getMessage()).startsWith("the document nests deeper than 100 levels");
            }
        }

        /** Jackson's symbol table refuses flooding with field names of equal hash rather than degrading. */
        @Test
        void fieldNamesWithCollidingHashesAreRefused() {
            StringBuilder object =
                    new StringBuilder("{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"Database\"");
            for (int i = 0; i < 4096; i++) {
                StringBuilder name = new StringBuilder();
                for (int bit = 0; bit < 12; bit++) {
                    name.append((i >> bit & 1) == 0 ? "Ab" : "BA"); // 33 * 'A' + 'b' == 33 * 'B' + 'A'
                }
                object.append(",\"").append(name).append("\":1");
            }
            String document = object.append('}').toString();

            assertThat(jsonError(document).getMessage())
                    .startsWith("the document exceeds a limit: Longest collision chain in symbol table");
            // YAML maps keys through Java's hash maps, which stay fast on colliding names (String.hashCode collides
            // for these too): reported as the unknown fields they are.
            assertThat(decodeYaml(document).unknownFields()).hasSize(4096);
        }
    }

    @Nested
    class Encoding {
        private static final String PREFIX = "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"Database\","
                + "\"metadata\":{\"name\":\"";
        private static final String YAML_PREFIX = yaml("Database", "metadata:\n  name: \"");

        @ParameterizedTest(name = "{0}")
        @CsvSource({
            "overlong 2-byte NUL, c080",
            "overlong 2-byte slash, c1af",
            "overlong 3-byte slash, e080af",
            "overlong 4-byte slash, f08080af",
            "lone continuation byte, 80",
            "lone continuation bytes, bfbf",
            "truncated 2-byte sequence, c3",
            "truncated 3-byte sequence, e282",
            "truncated 4-byte sequence, f09f98",
            "UTF-16 high surrogate in UTF-8, eda080",
            "UTF-16 low surrogate in UTF-8, edbfbf",
            "UTF-16 surrogate pair in UTF-8 (CESU-8), eda0bdedb880",
            "beyond U+10FFFF, f4908080",
            "5-byte lead, f888808080",
            "invalid byte FE, fe",
            "invalid byte FF, ff",
        })
        void invalidUtf8IsRefusedNamingTheByteOffset(String name, String hex) {
            byte[] bad = HexFormat.of().parseHex(hex);

            for (String prefix : List.of(PREFIX, YAML_PREFIX)) {
                byte[] document = concat(utf8(prefix), bad, utf8(prefix == PREFIX ? "x\"}}" : "x\"\n"));
                String expected = "invalid UTF-8 in the document near byte offset " + utf8(prefix).length;

                CodecException error = prefix == PREFIX
                        ? codecError(() -> CODEC.decodeJson(document))
                        : codecError(() -> CODEC.decodeYaml(document));
                assertThat(error.getMessage()).as(name).isEqualTo(expected);
            }
        }

        @Test
        void aSequenceTruncatedByTheEndOfTheDocument() {
            byte[] document = concat(utf8(PREFIX), HexFormat.of().parseHex("e282"));

            assertThat(codecError(() -> CODEC.decodeJson(document)).getMessage())
                    .isEqualTo("invalid UTF-8 in the document near byte offset " + PREFIX.length());
        }

        @Test
        void utf16IsNotUtf8() {
            byte[] document = json("Database", "").getBytes(StandardCharsets.UTF_16); // with a FE FF byte order mark

            assertThat(codecError(() -> CODEC.decodeJson(document)).getMessage())
                    .isEqualTo("invalid UTF-8 in the document near byte offset 0");
            assertThat(codecError(() -> CODEC.decodeYaml(document)).getMessage())
                    .isEqualTo("invalid UTF-8 in the document near byte offset 0");
        }

        @Test
        void aUtf8ByteOrderMarkIsAccepted() {
            byte[] bom = HexFormat.of().parseHex("efbbbf");
            byte[] json = concat(bom, utf8(json("Database", "\"metadata\":{\"name\":\"x\"}")));
            byte[] yaml = concat(bom, utf8(yaml("Database", "metadata:\n  name: x\n")));

            Message fromJson = CODEC.decodeJson(json).object();
            Message fromYaml = CODEC.decodeYaml(yaml).getFirst().object();

            assertThat(((Database) fromJson).getMetadata().getName()).isEqualTo("x");
            assertThat(fromYaml).isEqualTo(fromJson);
        }

        @Test
        void validMultiByteCharactersAreKept() {
            String name = "zürich-東京-😀-\u0301";
            Database fromJson = (Database) decodeJson(json("Database", "\"metadata\":{\"name\":\"" + name + "\"}"))
                    .object();
            Database escaped = (Database) decodeJson(json(
                            "Database",
                            "\"metadata\":{\"name\":\"z\\u00fcrich-\\u6771\\u4eac-\\ud83d\\ude00-\\u0301\"}"))
                    .object();
            Database fromYaml = (Database) decodeYaml(
                            yaml("Database", "metadata:\n  name: \"z\\xfcrich-\\u6771\\u4eac-\\U0001F600-\\u0301\"\n"))
                    .object();

            assertThat(fromJson.getMetadata().getName()).isEqualTo(name);
            assertThat(escaped).isEqualTo(fromJson);
            assertThat(fromYaml).isEqualTo(fromJson);
        }

        /** A lone surrogate escape has no UTF-8 form: storing it would turn it into '?' (or U+FFFD in Go). */
        @ParameterizedTest
        @ValueSource(strings = {"\\ud800", "\\udc00", "x\\ud800y", "\\ud800\\u0041", "\\ude00\\ud83d", "\\ud83d"})
        void loneSurrogateEscapesInJsonAreRefused(String escape) {
            String surrogate = escape.replaceAll(".*?(\\\\u[dD][89a-fA-F][0-9a-fA-F]{2}).*", "$1")
                    .toLowerCase();

            assertThat(jsonError(PREFIX + escape + "\"}}").getMessage())
                    .isEqualTo("invalid JSON: the string at line 1, column " + PREFIX.length()
                            + " contains the unpaired UTF-16 surrogate "
                            + surrogate + ", which is not a character; escape a character outside the Basic"
                            + " Multilingual Plane as a surrogate pair");
        }

        @Test
        void loneSurrogatesInKeysAreRefusedToo() {
            // Jackson itself refuses them in names.
            assertThat(jsonError(json("Database", "\"metadata\":{\"labels\":{\"\\udfff\":\"x\"}}"))
                            .getMessage())
                    .isEqualTo("invalid JSON: Unexpected low surrogate in field name: 0xdfff at line 1, column 94");
            assertThat(jsonError(json("Database", "\"metadata\":{\"labels\":{\"\\ud800\":\"x\"}}"))
                            .getMessage())
                    .isEqualTo(
                            "invalid JSON: Broken surrogate pair in field name: expected '\\' to start low surrogate,"
                                    + " got 0x22 at line 1, column 94");
        }

        @Test
        void loneSurrogateEscapesInYamlAreRefused() {
            assertThat(yamlError(yaml("Database", "metadata:\n  name: \"a\\ud800\"\n"))
                            .getMessage())
                    .isEqualTo("invalid YAML: the string at line 4, column 9 contains the unpaired UTF-16 surrogate"
                            + " \\ud800, which is not a character; escape a character outside the Basic Multilingual"
                            + " Plane as a surrogate pair");
            assertThat(yamlError(yaml("Database", "metadata:\n  labels: {\"\\udc00\": x}\n"))
                            .getMessage())
                    .startsWith("invalid YAML: the string at line 4, column 12 contains the unpaired UTF-16 surrogate"
                            + " \\udc00");
        }
    }

    @Nested
    class ControlCharacters {

        @ParameterizedTest
        @CsvSource({"0, 0", "1, 1", "31, 31", "9, 9", "10, 10"})
        void rawControlCharactersInJsonStringsAreRefused(int code, int shown) {
            String document = json("Database", "\"metadata\":{\"name\":\"a" + (char) code + "b\"}");

            assertThat(jsonError(document).getMessage())
                    .startsWith("invalid JSON: Illegal unquoted character ((CTRL-CHAR, code " + shown + ")): has to be"
                            + " escaped using backslash to be included in string value at line 1, column");
        }

        @ParameterizedTest
        @CsvSource({"0, U+0000, 11", "1, U+0001, 11", "27, U+001B, 11", "128, U+0080, 11", "65534, U+FFFE, 11"})
        void rawControlCharactersInYamlAreRefusedNamingTheCharacterAndWhere(int code, String shown, int column) {
            String document = yaml("Database", "metadata:\n  name: \"a" + (char) code + "b\"\n");

            assertThat(yamlError(document).getMessage())
                    .isEqualTo("invalid YAML: the character " + shown + " is not allowed in YAML text, at line 4,"
                            + " column " + column + " (write control characters as escapes in a double-quoted string,"
                            + " such as \"\\t\")");
        }

        /** Escaped, they are data: kept exactly, and written back so that they read the same again. */
        @Test
        void escapedControlCharactersAreKeptAndRoundTrip() {
            String expected = "a\u0000b\u0001\u001f\t\n\u007f\u0085\u2028\u2029\ufeff\u00a0z";
            Database fromJson = (Database) decodeJson(
                            json(
                                    "Database",
                                    "\"metadata\":{\"name\":\"a\\u0000b\\u0001\\u001f\\t\\n\u007f\\u0085\\u2028\\u2029\\ufeff\\u00a0z\"}"))
                    .object();
            Database fromYaml = (Database) decodeYaml(yaml(
                            "Database",
                            "metadata:\n  name: \"a\\0b\\x01\\x1f\\t\\n\\x7f\\N\\u2028\\u2029\\ufeff\\_z\"\n"))
                    .object();

            assertThat(fromJson.getMetadata().getName()).isEqualTo(expected);
            assertThat(fromYaml).isEqualTo(fromJson);
            assertThat(decodeYaml(CODEC.encodeYaml(fromJson)).object()).isEqualTo(fromJson);
            assertThat(CODEC.decodeJson(CODEC.encodeJson(fromJson)).object()).isEqualTo(fromJson);
        }

        @Test
        void aNulInAKeyIsAnUnknownFieldWithThatName() {
            Decoded<Message> decoded = decodeJson(json("Database", "\"spec\":{\"name\\u0000\":\"x\"}"));

            assertThat(decoded.unknownFields()).containsExactly("spec.name\u0000");
        }
    }
}
