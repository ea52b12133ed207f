package io.dbprovision.api.codec;

import static io.dbprovision.api.codec.CodecTestSupport.decodeJson;
import static io.dbprovision.api.codec.CodecTestSupport.decodeYaml;
import static io.dbprovision.api.codec.CodecTestSupport.json;
import static io.dbprovision.api.codec.CodecTestSupport.jsonError;
import static io.dbprovision.api.codec.CodecTestSupport.yaml;
import static io.dbprovision.api.codec.CodecTestSupport.yamlError;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.proto.v1alpha1.ConditionStatus;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseBackup;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.MySQLGtidPurged;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scalars meet their fields: a value of the wrong type is refused naming the path and what was expected; numbers
 * are exact or refused; enums take their spellings only; YAML plain scalars are typed by the field (YAML 1.2, so
 * {@code OFF}, {@code yes} and {@code 1.10} are not booleans or floats); times are RFC 3339.
 */
class ScalarTypingTest {

    // ---- wrong types ----

    static Stream<Arguments> wrongJsonTypes() {
        return Stream.of(
                Arguments.of(
                        "\"spec\":{\"connection\":{\"port\":\"5432\"}}",
                        "spec.connection.port: expected an integer, got the string \"5432\""),
                Arguments.of(
                        "\"spec\":{\"connection\":{\"host\":{\"name\":\"db\"}}}",
                        "spec.connection.host: expected a string, got an object"),
                Arguments.of(
                        "\"spec\":{\"connection\":[{\"host\":\"db\"}]}",
                        "spec.connection: expected an object, got an array"),
                Arguments.of(
                        "\"spec\":{\"deletionProtection\":1}",
                        "spec.deletionProtection: expected a boolean (true or false), got the number 1"),
                Arguments.of(
                        "\"spec\":{\"deletionProtection\":\"true\"}",
                        "spec.deletionProtection: expected a boolean (true or false), got the string \"true\""),
                Arguments.of(
                        "\"spec\":{\"connection\":{\"host\":true}}",
                        "spec.connection.host: expected a string, got the boolean true"),
                Arguments.of(
                        "\"spec\":{\"connection\":{\"host\":5432}}",
                        "spec.connection.host: expected a string, got the number 5432"),
                Arguments.of(
                        "\"metadata\":{\"finalizers\":[\"a\",null]}",
                        "metadata.finalizers[1]: expected a string, got null"),
                Arguments.of(
                        "\"status\":{\"conditions\":[null]}", "status.conditions[0]: expected an object, got null"),
                Arguments.of(
                        "\"metadata\":{\"labels\":{\"team\":null}}",
                        "metadata.labels[team]: expected a string, got null"),
                Arguments.of(
                        "\"metadata\":{\"labels\":{\"team\":7}}",
                        "metadata.labels[team]: expected a string, got the number 7"),
                Arguments.of(
                        "\"metadata\":{\"labels\":[\"team\"]}", "metadata.labels: expected an object, got an array"),
                Arguments.of(
                        "\"metadata\":{\"finalizers\":\"a\"}",
                        "metadata.finalizers: expected an array, got the string \"a\""),
                Arguments.of("\"metadata\":\"orders\"", "metadata: expected an object, got the string \"orders\""),
                Arguments.of("\"spec\":{\"engine\":1}", "spec.engine: expected a string, got the number 1"),
                Arguments.of(
                        "\"status\":{\"lastCheckedAt\":1767323045}",
                        "status.lastCheckedAt: expected an RFC 3339 time string, got the number 1767323045"),
                Arguments.of(
                        "\"metadata\":{\"managedFields\":[{\"fieldsV1\":[]}]}",
                        "metadata.managedFields[0].fieldsV1: expected an object, got an array"),
                Arguments.of(
                        "\"metadata\":{\"ownerReferences\":[{\"name\":\"a\",\"controller\":\"yes\"}]}",
                        "metadata.ownerReferences[0].controller: expected a boolean (true or false), got the string"
                                + " \"yes\""));
    }

    @ParameterizedTest
    @MethodSource("wrongJsonTypes")
    void wrongTypeInJsonNamesThePathAndWhatWasExpected(String body, String message) {
        CodecException error = jsonError(json("DatabaseInstance", body));

        assertThat(error.problems()).containsExactly(message);
    }

    @Test
    void everyWrongTypeIsReportedNotJustTheFirst() {
        CodecException error = jsonError(json(
                "DatabaseInstance",
                "\"spec\":{\"connection\":{\"port\":\"5432\",\"host\":1},\"tls\":{\"enabled\":\"yes\"}}"));

        assertThat(error.problems())
                .containsExactly(
                        "spec.connection.port: expected an integer, got the string \"5432\"",
                        "spec.connection.host: expected a string, got the number 1",
                        "spec.tls.enabled: expected a boolean (true or false), got the string \"yes\"");
        assertThat(error.getMessage()).isEqualTo(String.join("; ", error.problems()));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "port: \"5432\"        | spec.connection.port: expected an integer, got the string \"5432\" (line 5, column 11)",
                "port: '5432'          | spec.connection.port: expected an integer, got the string \"5432\" (line 5, column 11)",
                "port: 0x1538          | spec.connection.port: expected an integer, got \"0x1538\" (line 5, column 11)",
                "port: 0o12470         | spec.connection.port: expected an integer, got \"0o12470\" (line 5, column 11)",
                "port: 5_432           | spec.connection.port: expected an integer, got \"5_432\" (line 5, column 11)",
                "port: .inf            | spec.connection.port: expected an integer, got \".inf\" (line 5, column 11)",
                "port: 5432tcp         | spec.connection.port: expected an integer, got \"5432tcp\" (line 5, column 11)",
                "port: [5432]          | spec.connection.port: expected an integer, got an array (line 5, column 11)",
                "host: {name: db}      | spec.connection.host: expected a string, got an object (line 5, column 11)",
                "host: [db]            | spec.connection.host: expected a string, got an array (line 5, column 11)",
                "secretRef: admin      | spec.connection.secretRef: expected an object, got \"admin\" (line 5, column 16)",
            })
    void wrongTypeInYamlAlsoNamesTheLine(String line, String message) {
        CodecException error = yamlError(yaml("DatabaseInstance", "spec:\n  connection:\n    " + line + "\n"));

        assertThat(error.problems()).containsExactly(message);
    }

    @Test
    void anEmptyYamlMapValueIsNullAndRefused() {
        assertThat(yamlError(yaml("Database", "metadata:\n  labels:\n    team:\n"))
                        .getMessage())
                .isEqualTo("metadata.labels[team]: expected a string, got null (line 5, column 10)");
    }

    @Test
    void nullForAFieldMeansAbsent() {
        DatabaseInstance fromJson = (DatabaseInstance) decodeJson(json(
                        "DatabaseInstance", "\"spec\":{\"connection\":{\"port\":null,\"host\":null},\"tls\":null}"))
                .object();
        DatabaseInstance fromYaml =
                (DatabaseInstance) decodeYaml(yaml("DatabaseInstance", """
                        spec:
                          connection:
                            port: ~
                            host: null
                          tls:
                        """)).object();

        for (DatabaseInstance instance : List.of(fromJson, fromYaml)) {
            assertThat(instance.getSpec().getConnection().hasPort()).isFalse();
            assertThat(instance.getSpec().getConnection().getHost()).isEmpty();
            assertThat(instance.getSpec().hasTls()).isFalse();
        }
    }

    // ---- booleans ----

    /** YAML 1.1 booleans are not booleans here (kubectl's YAML 1.1 would have read them as such). */
    @ParameterizedTest
    @ValueSource(strings = {"yes", "no", "on", "off", "y", "n", "Yes", "ON", "1", "0", "\"true\""})
    void onlyTrueAndFalseAreBooleans(String value) {
        CodecException error = yamlError(yaml("DatabaseInstance", "spec:\n  tls:\n    enabled: " + value + "\n"));

        String shown = value.startsWith("\"") ? "the string " + value : "\"" + value + "\"";
        assertThat(error.getMessage())
                .isEqualTo(
                        "spec.tls.enabled: expected a boolean (true or false), got " + shown + " (line 5, column 14)");
    }

    @ParameterizedTest
    @CsvSource({"true, true", "True, true", "TRUE, true", "false, false", "False, false", "FALSE, false"})
    void yamlBooleans(String value, boolean expected) {
        DatabaseInstance instance =
                (DatabaseInstance) decodeYaml(yaml("DatabaseInstance", "spec:\n  tls:\n    enabled: " + value + "\n"))
                        .object();

        assertThat(instance.getSpec().getTls().hasEnabled()).isTrue();
        assertThat(instance.getSpec().getTls().getEnabled()).isEqualTo(expected);
    }

    /** In a string field a plain scalar is its text: YAML 1.1 would have made these booleans, floats or dates. */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "1.10       | 1.10",
                "1.0        | 1.0",
                "1e3        | 1e3",
                "0777       | 0777",
                "0x1F       | 0x1F",
                "yes        | yes",
                "no         | no",
                "OFF        | OFF",
                "true       | true",
                "2026-01-02 | 2026-01-02",
                "\"null\"   | null",
                "\"~\"      | ~",
                ".inf       | .inf",
                "-.5        | -.5",
            })
    void plainScalarsInAStringFieldKeepTheirText(String written, String expected) {
        Database database =
                (Database) decodeYaml(yaml("Database", """
                        spec:
                          postgres:
                            extensions:
                              - name: pgcrypto
                                version: %s
                        """.formatted(written))).object();

        assertThat(database.getSpec().getPostgres().getExtensions(0).getVersion())
                .isEqualTo(expected);
    }

    // ---- integers ----

    static Stream<Arguments> integers() {
        String port32 = "a 32-bit integer";
        String gen64 = "a 64-bit integer";
        return Stream.of(
                // text, field (port: int32, generation: int64), value or error
                Arguments.of("5432", "port", 5432L),
                Arguments.of("-1", "port", -1L),
                Arguments.of("0", "port", 0L),
                Arguments.of("-0", "port", 0L),
                Arguments.of("2147483647", "port", 2147483647L),
                Arguments.of("-2147483648", "port", -2147483648L),
                Arguments.of("2147483648", "port", "2147483648 is out of range for " + port32),
                Arguments.of("-2147483649", "port", "-2147483649 is out of range for " + port32),
                Arguments.of("99999999999", "port", "99999999999 is out of range for " + port32),
                Arguments.of("9223372036854775807", "generation", Long.MAX_VALUE),
                Arguments.of("-9223372036854775808", "generation", Long.MIN_VALUE),
                Arguments.of("9223372036854775808", "generation", "9223372036854775808 is out of range for " + gen64),
                Arguments.of("-9223372036854775809", "generation", "-9223372036854775809 is out of range for " + gen64),
                Arguments.of("18446744073709551616", "generation", "18446744073709551616 is out of range for " + gen64),
                Arguments.of("9".repeat(64), "generation", "9".repeat(64) + " is out of range for " + gen64),
                // integral values written as decimals or with exponents are accepted; others are not whole numbers
                Arguments.of("5432.0", "port", 5432L),
                Arguments.of("1e3", "port", 1000L),
                Arguments.of("1E3", "port", 1000L),
                Arguments.of("1e+3", "port", 1000L),
                Arguments.of("12.5e1", "port", 125L),
                Arguments.of("-1.5e2", "port", -150L),
                Arguments.of("100e-2", "port", 1L),
                Arguments.of("0.0", "port", 0L),
                Arguments.of("0e999999999999", "port", 0L),
                Arguments.of("9.223372036854775807e18", "generation", Long.MAX_VALUE),
                Arguments.of("5.5", "port", "5.5 is not a whole number"),
                Arguments.of("0.1", "port", "0.1 is not a whole number"),
                Arguments.of("1e-3", "port", "1e-3 is not a whole number"),
                Arguments.of("1.25e1", "port", "1.25e1 is not a whole number"),
                // huge exponents are refused at once, never expanded into a number with millions of digits
                Arguments.of("1e999999", "port", "1e999999 is out of range for " + port32),
                Arguments.of("-1e999999", "port", "-1e999999 is out of range for " + port32),
                Arguments.of("1e99999999", "generation", "1e99999999 is out of range for " + gen64),
                Arguments.of("1e2147483648", "generation", "1e2147483648 is out of range for " + gen64),
                Arguments.of("1e999999999999999999", "port", "1e999999999999999999 is out of range for " + port32),
                Arguments.of("1e20", "generation", "1e20 is out of range for " + gen64),
                Arguments.of("1e-999999999", "port", "1e-999999999 is not a whole number"),
                Arguments.of("2.5e-999999999999", "port", "2.5e-999999999999 is not a whole number"));
    }

    @ParameterizedTest
    @MethodSource("integers")
    void integersInJson(String text, String field, Object expected) {
        String body = field.equals("port")
                ? "\"spec\":{\"connection\":{\"port\":" + text + "}}"
                : "\"metadata\":{\"generation\":" + text + "}";
        String path = field.equals("port") ? "spec.connection.port" : "metadata.generation";

        assertInteger(() -> decodeJson(json("DatabaseInstance", body)), path, expected);
    }

    /** The same numbers as YAML plain scalars read the same, as Kubernetes reads YAML through JSON. */
    @ParameterizedTest
    @MethodSource("integers")
    void integersInYaml(String text, String field, Object expected) {
        String body = field.equals("port")
                ? "spec:\n  connection:\n    port: " + text + "\n"
                : "metadata:\n  generation: " + text + "\n";
        String path = field.equals("port") ? "spec.connection.port" : "metadata.generation";

        assertInteger(() -> decodeYaml(yaml("DatabaseInstance", body)), path, expected);
    }

    private static void assertInteger(
            java.util.function.Supplier<Decoded<Message>> decode, String path, Object expected) {
        if (expected instanceof String message) {
            CodecException error = CodecTestSupport.codecError(decode::get);
            assertThat(error.problems()).containsExactly(path + ": " + message);
        } else {
            DatabaseInstance instance = (DatabaseInstance) decode.get().object();
            long actual = path.equals("spec.connection.port")
                    ? instance.getSpec().getConnection().getPort()
                    : instance.getMetadata().getGeneration();
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void jsonNumbersLongerThan64DigitsAreRefusedByTheReader() {
        CodecException error =
                jsonError(json("DatabaseInstance", "\"spec\":{\"connection\":{\"port\":" + "9".repeat(65) + "}}"));

        assertThat(error.getMessage())
                .startsWith("the document exceeds a limit: Number value length (65) exceeds the maximum allowed (64");
    }

    /** YAML has no such reader limit: a megabyte of digits is refused by its length, and not quoted whole. */
    @Test
    void aMegabyteOfYamlDigitsIsOutOfRangeWithAShortMessage() {
        String digits = "9".repeat(1_000_000);

        CodecException error = yamlError(yaml("DatabaseInstance", "spec:\n  connection:\n    port: " + digits + "\n"));

        assertThat(error.getMessage())
                .isEqualTo("spec.connection.port: " + "9".repeat(64) + "... is out of range for a 32-bit integer");
    }

    /** Free-form JSON (fieldsV1) holds numbers as doubles: one that overflows to infinity is refused, not changed. */
    @Test
    void freeFormNumbersMustBeFinite() {
        assertThat(jsonError(json("Database", "\"metadata\":{\"managedFields\":[{\"fieldsV1\":{\"f:x\":1e999}}]}"))
                        .getMessage())
                .isEqualTo("metadata.managedFields[0].fieldsV1.f:x: 1e999 is out of range for a number");
        assertThat(yamlError(yaml("Database", "metadata:\n  managedFields:\n    - fieldsV1: {a: [-1e400]}\n"))
                        .getMessage())
                .isEqualTo("metadata.managedFields[0].fieldsV1.a[0]: -1e400 is out of range for a number");
    }

    // ---- enums ----

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "Postgres", "POSTGRES", "pg", "\"\"", "' postgres'"})
    void anUnknownEnumSpellingIsNotSupportedWithTheSupportedList(String written) {
        Decoded<Message> decoded = decodeYaml(yaml("DatabaseInstance", "spec:\n  engine: " + written + "\n"));
        String value = written.startsWith("\"") || written.startsWith("'")
                ? written.substring(1, written.length() - 1)
                : written;

        assertThat(decoded.invalidValues())
                .containsExactly(FieldError.notSupported(
                        FieldPath.of("spec.engine"),
                        value,
                        List.of("postgres", "mysql", "mariadb", "cockroachdb", "clickhouse")));
        assertThat(decoded.invalidValues().getFirst().toString())
                .isEqualTo(
                        "spec.engine: Unsupported value: \"" + value
                                + "\": supported values: \"postgres\", \"mysql\", \"mariadb\", \"cockroachdb\", \"clickhouse\"");
        assertThat(decoded.invalidValues().getFirst().type()).isEqualTo(FieldError.Type.NOT_SUPPORTED);
        assertThat(((DatabaseInstance) decoded.object()).getSpec().getEngineValue())
                .isZero();
    }

    @Test
    void everyUnsupportedValueIsReportedAndTheRestDecoded() {
        Decoded<Message> decoded = decodeJson(json("DatabaseInstance", """
                "spec":{"engine":"oracle","connection":{"host":"db","sslMode":"always"},"tls":{"mode":"strict"}}"""));

        assertThat(decoded.invalidValues())
                .extracting(error -> error.path().toString())
                .containsExactly("spec.engine", "spec.connection.sslMode", "spec.tls.mode");
        assertThat(((DatabaseInstance) decoded.object())
                        .getSpec()
                        .getConnection()
                        .getHost())
                .isEqualTo("db");
    }

    /** YAML 1.1 would read OFF and ON as booleans; here they are the enum's spellings. */
    @ParameterizedTest
    @CsvSource({
        "OFF, MYSQL_GTID_PURGED_OFF",
        "ON, MYSQL_GTID_PURGED_ON",
        "AUTO, MYSQL_GTID_PURGED_AUTO",
        "'\"OFF\"', MYSQL_GTID_PURGED_OFF",
        "'''ON''', MYSQL_GTID_PURGED_ON"
    })
    void setGtidPurgedSpellings(String written, MySQLGtidPurged expected) {
        Decoded<Message> decoded =
                decodeYaml(yaml("DatabaseBackup", "spec:\n  mysql:\n    setGtidPurged: " + written + "\n"));

        assertThat(decoded.invalidValues()).isEmpty();
        assertThat(((DatabaseBackup) decoded.object()).getSpec().getMysql().getSetGtidPurged())
                .isEqualTo(expected);
    }

    @Test
    void setGtidPurgedIsCaseSensitiveAndNotABoolean() {
        Decoded<Message> lower = decodeYaml(yaml("DatabaseBackup", "spec:\n  mysql:\n    setGtidPurged: off\n"));

        assertThat(lower.invalidValues())
                .extracting(FieldError::toString)
                .containsExactly(
                        "spec.mysql.setGtidPurged: Unsupported value: \"off\": supported values: \"OFF\", \"ON\", \"AUTO\"");
        assertThat(jsonError(json("DatabaseBackup", "\"spec\":{\"mysql\":{\"setGtidPurged\":false}}"))
                        .getMessage())
                .isEqualTo("spec.mysql.setGtidPurged: expected a string, got the boolean false");
    }

    @Test
    void conditionStatusIsAnEnumNotABoolean() {
        Database plain = (Database)
                decodeYaml(yaml("Database", "status:\n  conditions:\n    - type: Ready\n      status: True\n"))
                        .object();

        assertThat(plain.getStatus().getConditions(0).getStatus()).isEqualTo(ConditionStatus.CONDITION_STATUS_TRUE);
        assertThat(jsonError(json("Database", "\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":true}]}"))
                        .getMessage())
                .isEqualTo("status.conditions[0].status: expected a string, got the boolean true");
    }

    // ---- times ----

    @ParameterizedTest
    @CsvSource({
        "2026-01-02T03:04:05Z, 2026-01-02T03:04:05Z",
        "2026-01-02T03:04:05.987654321+02:00, 2026-01-02T01:04:05Z",
        "2026-01-02T03:04:05.5Z, 2026-01-02T03:04:05Z",
        "2026-01-02T03:04:05-07:30, 2026-01-02T10:34:05Z",
        "2026-01-02t03:04:05z, 2026-01-02T03:04:05Z",
        "0001-01-01T00:00:00Z, 0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999Z, 9999-12-31T23:59:59Z"
    })
    void rfc3339TimesDecodeToWholeSeconds(String written, String expected) {
        DatabaseInstance fromJson = (DatabaseInstance)
                decodeJson(json("DatabaseInstance", "\"status\":{\"lastCheckedAt\":\"" + written + "\"}"))
                        .object();
        DatabaseInstance fromYaml =
                (DatabaseInstance) decodeYaml(yaml("DatabaseInstance", "status:\n  lastCheckedAt: " + written + "\n"))
                        .object();

        long seconds = Instant.parse(expected).getEpochSecond();
        assertThat(fromJson.getStatus().getLastCheckedAt().getSeconds()).isEqualTo(seconds);
        assertThat(fromJson.getStatus().getLastCheckedAt().getNanos()).isZero();
        assertThat(fromYaml).isEqualTo(fromJson);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "yesterday",
                "",
                "1767323045",
                "2026-01-02",
                "2026-01-02T03:04:05",
                "2026-01-02T03:04Z",
                "2026-01-02 03:04:05Z",
                "2026-13-01T00:00:00Z",
                "2026-02-30T00:00:00Z",
                "2026-01-02T24:00:00Z",
                "2026-01-02T03:04:60Z",
                "2026-01-02T03:04:05+0200",
                "2026-01-02T03:04:05+24:00",
                "+10000-01-01T00:00:00Z",
                "-0001-01-01T00:00:00Z",
                "２０２６-01-02T03:04:05Z"
            })
    void anythingElseIsAClearError(String written) {
        CodecException error =
                jsonError(json("DatabaseInstance", "\"status\":{\"lastCheckedAt\":\"" + written + "\"}"));

        assertThat(error.getMessage())
                .isEqualTo("status.lastCheckedAt: \"" + written
                        + "\" is not an RFC 3339 time such as 2026-01-02T03:04:05Z");
    }

    @Test
    void aLongGarbageTimeIsQuotedShort() {
        CodecException error =
                yamlError(yaml("DatabaseInstance", "status:\n  lastCheckedAt: " + "x".repeat(100_000) + "\n"));

        assertThat(error.getMessage())
                .isEqualTo("status.lastCheckedAt: \"" + "x".repeat(64)
                        + "...\" is not an RFC 3339 time such as 2026-01-02T03:04:05Z");
    }
}
