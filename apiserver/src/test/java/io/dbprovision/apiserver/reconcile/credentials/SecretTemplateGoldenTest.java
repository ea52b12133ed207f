package io.dbprovision.apiserver.reconcile.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden table {@code secret-template-golden.json}: each case is a template, the values it runs with (defaults
 * plus overrides), and what Go's text/template with the seed's functions does with it: an output, a parse error or an
 * execution error (by a phrase of our message). The expectations were checked against Go's own text/template; cases
 * marked {@code deviation} are where we refuse on purpose what Go accepts, and {@code go} names the Go version a case
 * needs (JSON's \b and \f since 1.22, {@code else with} since 1.23).
 */
class SecretTemplateGoldenTest {
    private static final String KEY = "value";

    @TestFactory
    Stream<DynamicTest> everyGoldenCaseRendersAsGoDoes() throws IOException {
        JsonNode golden = load();
        JsonNode defaults = golden.get("defaults");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode goldenCase : golden.get("cases")) {
            tests.add(dynamicTest(goldenCase.get("name").asText(), () -> check(goldenCase, defaults)));
        }
        assertThat(tests).hasSizeGreaterThan(150);
        return tests.stream();
    }

    private static void check(JsonNode goldenCase, JsonNode defaults) {
        Map<String, String> data = Map.of(KEY, goldenCase.get("template").asText());
        TemplateValues values = values(defaults, goldenCase.get("values"));
        if (goldenCase.has("parseError")) {
            assertThatThrownBy(() -> SecretTemplate.parse(data))
                    .isInstanceOf(TemplateException.class)
                    .hasMessageContaining(goldenCase.get("parseError").asText())
                    .hasMessageStartingWith("secretTemplate.data[\"value\"] line ");
            assertThat(SecretTemplate.validate(data)).hasSize(1);
            return;
        }
        SecretTemplate template = SecretTemplate.parse(data);
        if (goldenCase.has("renderError")) {
            assertThatThrownBy(() -> template.render(values))
                    .isInstanceOf(TemplateException.class)
                    .hasMessageContaining(goldenCase.get("renderError").asText())
                    .hasMessageStartingWith("secretTemplate.data[\"value\"] line ");
            return;
        }
        assertThat(template.render(values))
                .containsExactly(Map.entry(KEY, goldenCase.get("output").asText()));
    }

    private static TemplateValues values(JsonNode defaults, JsonNode overrides) {
        java.util.function.Function<String, JsonNode> field =
                name -> overrides != null && overrides.has(name) ? overrides.get(name) : defaults.get(name);
        return new TemplateValues(
                field.apply("username").asText(),
                field.apply("password").asText(),
                field.apply("host").asText(),
                field.apply("port").asInt(),
                field.apply("database").asText(),
                field.apply("sslMode").asText(),
                field.apply("namespace").asText(),
                field.apply("name").asText(),
                field.apply("ca").asText(),
                field.apply("tlsCert").asText(),
                field.apply("tlsKey").asText(),
                field.apply("databaseUrl").asText());
    }

    private static JsonNode load() throws IOException {
        try (InputStream in = SecretTemplateGoldenTest.class.getResourceAsStream("secret-template-golden.json")) {
            return new ObjectMapper().readTree(in);
        }
    }
}
