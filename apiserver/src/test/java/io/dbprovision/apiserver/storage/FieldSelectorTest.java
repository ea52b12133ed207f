package io.dbprovision.apiserver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Kubernetes field selector syntax, as the API server's {@code fieldSelector} parameter takes it. */
class FieldSelectorTest {
    private static final Map<String, String> READY = Map.of(
            "metadata.name",
            "orders",
            "metadata.namespace",
            "team-a",
            "spec.engine",
            "postgres",
            "status.phase",
            "Ready");

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", ","})
    void anEmptySelectorMatchesEverything(String text) {
        FieldSelector selector = FieldSelector.parse(text);
        assertThat(selector.matches(READY)).isTrue();
        assertThat(selector.matches(Map.of())).isTrue();
        assertThat(selector.fields()).isEmpty();
    }

    @ParameterizedTest(name = "\"{0}\" matches: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "metadata.name=orders                           | true",
                "metadata.name==orders                          | true",
                "metadata.name!=orders                          | false",
                "metadata.name=payments                         | false",
                "metadata.name!=payments                        | true",
                "metadata.namespace=team-a,spec.engine=postgres | true",
                "metadata.namespace=team-a,spec.engine=mysql    | false",
                "status.phase!=Failed,status.phase!=Pending     | true",
                "spec.instanceRef.name=                         | true",
                "spec.instanceRef.name!=                        | false",
                "' metadata.name = orders '                     | true",
                "metadata.name=orders,,                         | true",
            })
    void termsMatchTheObjectsFieldsAndAnAbsentFieldIsEmpty(String text, boolean matches) {
        assertThat(FieldSelector.parse(text).matches(READY)).isEqualTo(matches);
    }

    @Test
    void escapedCommasEqualsSignsAndBackslashesArePartOfTheValue() {
        FieldSelector selector = FieldSelector.parse("status.message=a\\,b\\=c\\\\d,metadata.name=x");
        assertThat(selector.matches(Map.of("status.message", "a,b=c\\d", "metadata.name", "x")))
                .isTrue();
        assertThat(selector.requiredValue("status.message")).contains("a,b=c\\d");
        assertThat(selector.fields()).containsExactly("status.message", "metadata.name");
    }

    @Test
    void requiredValueNamesOnlyEqualityTerms() {
        FieldSelector selector = FieldSelector.parse("metadata.namespace==team-a,metadata.name!=orders");
        assertThat(selector.requiredValue("metadata.namespace")).isEqualTo(Optional.of("team-a"));
        assertThat(selector.requiredValue("metadata.name")).isEmpty();
        assertThat(selector.fields()).isEqualTo(List.of("metadata.namespace", "metadata.name"));
    }

    @ParameterizedTest(name = "\"{0}\" is rejected: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "metadata.name                 | \"metadata.name\" is not of the form field=value, field==value or"
                        + " field!=value",
                "=orders                       | \"=orders\" has no field name",
                "!=orders                      | \"!=orders\" has no field name",
                "metadata.name=a=b             | unescaped '=' in the value \"a=b\" (write \\=)",
                "metadata.name!==orders        | unescaped '=' in the value \"=orders\" (write \\=)",
                "metadata.name=a\\b            | invalid escape sequence \\b in the value \"a\\b\"",
                "metadata.name=orders\\        | invalid escape sequence \\ in the value \"orders\\\"",
            })
    void aMalformedSelectorIsRejectedWithWhy(String text, String detail) {
        assertThatThrownBy(() -> FieldSelector.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid field selector \"" + text + "\": ")
                .hasMessageContaining(detail);
    }
}
