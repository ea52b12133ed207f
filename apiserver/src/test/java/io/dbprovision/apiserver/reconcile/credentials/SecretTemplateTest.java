package io.dbprovision.apiserver.reconcile.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The API around rendering: several keys, key rules, error messages, validation for admission, the values record. */
class SecretTemplateTest {
    static final TemplateValues VALUES = new TemplateValues(
            "app_user",
            "s3cret",
            "db.example.com",
            5432,
            "orders",
            "require",
            "team-a",
            "orders-user",
            "",
            "",
            "",
            "postgresql://db.example.com:5432/orders");

    @Test
    void everyKeyIsRenderedAndTheResultIsInKeyOrder() {
        SecretTemplate template = SecretTemplate.parse(Map.of(
                "uri", "postgresql://{{ .Username }}@{{ .Host }}:{{ .Port }}/{{ .Database }}",
                "PGHOST", "{{ .Host }}",
                "sslmode", "{{ .SSLMode }}"));

        assertThat(template.keys()).containsExactly("PGHOST", "sslmode", "uri");
        assertThat(template.render(VALUES))
                .containsExactly(
                        Map.entry("PGHOST", "db.example.com"),
                        Map.entry("sslmode", "require"),
                        Map.entry("uri", "postgresql://app_user@db.example.com:5432/orders"));
    }

    @Test
    void aParsedTemplateRendersAgainWithOtherValues() {
        SecretTemplate template = SecretTemplate.parse(Map.of("password", "{{ .Password }}"));
        TemplateValues rotated = new TemplateValues(
                "app_user", "n3w", "db.example.com", 5432, "orders", "", "team-a", "orders-user", "", "", "", "");

        assertThat(template.render(VALUES)).containsEntry("password", "s3cret");
        assertThat(template.render(rotated)).containsEntry("password", "n3w");
    }

    @Test
    void noTemplateRendersNoKeys() {
        assertThat(SecretTemplate.parse(Map.of()).render(VALUES)).isEmpty();
        assertThat(SecretTemplate.parse(null).render(VALUES)).isEmpty();
        assertThat(SecretTemplate.validate(null)).isEmpty();
    }

    @Test
    void missingValuesAreGosZeroValue() {
        TemplateValues sparse = new TemplateValues(null, null, null, 0, null, null, null, null, null, null, null, null);

        assertThat(SecretTemplate.parse(Map.of("v", "[{{ .CA }}][{{ .Port }}][{{ default \"x\" .SSLMode }}]"))
                        .render(sparse))
                .containsEntry("v", "[][0][x]");
    }

    @Test
    void loneSurrogatesInValuesReadAsTheReplacementCharacterAsInGo() {
        TemplateValues broken = new TemplateValues("u", "a\uD800b", "h", 1, "d", "", "n", "x", "", "", "", "");

        assertThat(SecretTemplate.parse(Map.of("v", "{{ .Password }} {{ len .Password }} {{ quote .Password }}"))
                        .render(broken))
                .containsEntry("v", "a\uFFFDb 5 \"a\uFFFDb\"");
    }

    @Test
    void renderingWithoutValuesIsAProgrammingError() {
        SecretTemplate template = SecretTemplate.parse(Map.of("v", "x"));

        assertThatThrownBy(() -> template.render(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anErrorNamesTheKeyLineAndColumnCountedInCharacters() {
        Map<String, String> data = Map.of("dsn", "host={{ .Host }}\n\u00e9{{ nope .Host }}");

        assertThatThrownBy(() -> SecretTemplate.parse(data)).isInstanceOfSatisfying(TemplateException.class, e -> {
            assertThat(e.key()).isEqualTo("dsn");
            assertThat(e.problem()).isEqualTo("line 2, column 5: function \"nope\" not defined");
            assertThat(e.getMessage())
                    .isEqualTo("secretTemplate.data[\"dsn\"] line 2, column 5: function \"nope\" not defined");
        });
    }

    @Test
    void anExecutionErrorNamesTheKeyAndWhereItHappened() {
        SecretTemplate template = SecretTemplate.parse(Map.of("a", "{{ .Host }}", "b", "x\n  {{ .Passwrod }}"));

        assertThatThrownBy(() -> template.render(VALUES))
                .isInstanceOf(TemplateException.class)
                .hasMessageStartingWith("secretTemplate.data[\"b\"] line 2, column 6: can't evaluate field Passwrod")
                .hasMessageContaining("its fields are .Username, .Password, .Host, .Port");
    }

    @Test
    void keysMustBeValidSecretKeys() {
        for (String bad : List.of("", "a/b", "a b", "caf\u00e9", ".", "..", "..x", "k".repeat(254), "a\nb")) {
            assertThatThrownBy(() -> SecretTemplate.parse(Map.of(bad, "x")))
                    .as("key %s", bad)
                    .isInstanceOf(TemplateException.class)
                    .hasMessageContaining("is not a valid Secret key");
        }
        assertThat(SecretTemplate.parse(
                                Map.of("tls.crt", "x", "DB_URL", "x", "-x", "x", ".env", "x", "k".repeat(253), "x"))
                        .keys())
                .hasSize(5);
    }

    @Test
    void aKeyShownInAMessageIsQuotedAndCutShort() {
        String hostile = "\n\u001b[31m" + "x".repeat(500);

        assertThatThrownBy(() -> SecretTemplate.parse(Map.of(hostile, "x")))
                .isInstanceOfSatisfying(TemplateException.class, e -> {
                    assertThat(e.getMessage()).doesNotContain("\n", "\u001b").hasSizeLessThan(200);
                    assertThat(e.key()).isEqualTo(hostile);
                });
    }

    @Test
    void aNullKeyOrTemplateIsRefused() {
        Map<String, String> nullKey = new HashMap<>();
        nullKey.put(null, "x");
        Map<String, String> nullTemplate = new HashMap<>();
        nullTemplate.put("k", null);

        assertThatThrownBy(() -> SecretTemplate.parse(nullKey)).hasMessageContaining("null key");
        assertThatThrownBy(() -> SecretTemplate.parse(nullTemplate)).hasMessageContaining("has no template");
    }

    @Test
    void validationReportsOneProblemPerBadKeyAndNothingForGoodOnes() {
        Map<String, String> data = Map.of(
                "good", "{{ .Username | urlEncode }}",
                "bad/key", "x",
                "syntax", "{{ if .Host }}",
                "typo", "{{ .Passwrod }}",
                "deep", "{{ .Host.Length }}");

        assertThat(SecretTemplate.validate(data))
                .extracting(TemplateProblem::key, TemplateProblem::message)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "bad/key",
                                "is not a valid Secret key: it must consist of alphanumeric characters, '-', '_' or '.'"),
                        org.assertj.core.groups.Tuple.tuple(
                                "deep", "line 1, column 4: can't evaluate field Length in type string"),
                        org.assertj.core.groups.Tuple.tuple(
                                "syntax",
                                "line 1, column 15: unexpected end of template: an {{if}} or {{with}} has no {{end}}"),
                        org.assertj.core.groups.Tuple.tuple(
                                "typo",
                                "line 1, column 4: field .Passwrod does not exist; the fields are .Username, .Password,"
                                        + " .Host, .Port, .Database, .SSLMode, .Namespace, .Name, .CA, .TLSCert,"
                                        + " .TLSKey, .DatabaseURL"));
    }

    @Test
    void validationChecksFieldsOnlyWhereDotIsCertainlyTheData() {
        assertThat(SecretTemplate.validate(Map.of("v", "{{ with .CA }}{{ .Anything }}{{ end }}")))
                .isEmpty();
        assertThat(SecretTemplate.validate(Map.of("v", "{{ with .CA }}{{ $.Nope }}{{ end }}")))
                .singleElement()
                .extracting(TemplateProblem::message)
                .asString()
                .contains("field .Nope does not exist");
        assertThat(SecretTemplate.validate(Map.of("v", "{{ if .CA }}{{ .Nope }}{{ else }}{{ .Host }}{{ end }}")))
                .hasSize(1);
        assertThat(SecretTemplate.validate(Map.of("v", "{{ $ := .Host }}{{ $.Anything }}")))
                .isEmpty();
        assertThat(SecretTemplate.validate(Map.of("v", "{{ (.).Host }} {{ $.Port }} {{ .DatabaseURL }}")))
                .isEmpty();
    }

    @Test
    void validationOfTooManyKeysIsOneProblemAboutTheMap() {
        Map<String, String> data = new HashMap<>();
        for (int i = 0; i <= Limits.MAX_KEYS; i++) {
            data.put("k" + i, "{{ nope }}");
        }

        assertThat(SecretTemplate.validate(data)).singleElement().satisfies(problem -> {
            assertThat(problem.key()).isNull();
            assertThat(problem.message()).isEqualTo("has 257 keys; at most 256 are allowed");
        });
    }

    @Test
    void theValuesRecordDoesNotPrintSecrets() {
        TemplateValues values = new TemplateValues(
                "app_user",
                "Pw-9f8e7d",
                "db.example.com",
                5432,
                "orders",
                "",
                "team-a",
                "orders-user",
                "CA-PEM",
                "CERT-PEM",
                "KEY-PEM",
                "postgresql://app_user:Pw-9f8e7d@db.example.com/orders");

        assertThat(values.toString())
                .contains("app_user", "db.example.com", "5432")
                .doesNotContain("Pw-9f8e7d", "KEY-PEM");
    }
}
