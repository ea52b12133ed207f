package io.dbprovision.apiserver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Kubernetes label selector grammar, as the API server's {@code labelSelector} parameter takes it. */
class LabelSelectorTest {
    private static final Map<String, String> SHOP = Map.of("app", "shop", "tier", "gold", "replicas", "3");
    private static final Map<String, String> BLOG = Map.of("app", "blog", "env", "");
    private static final Map<String, String> NONE = Map.of();

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  ", "\t"})
    void anEmptySelectorMatchesEverything(String text) {
        LabelSelector selector = LabelSelector.parse(text);
        assertThat(selector.isEverything()).isTrue();
        assertThat(selector.matches(SHOP)).isTrue();
        assertThat(selector.matches(NONE)).isTrue();
        assertThat(selector.toString()).isEmpty();
    }

    @ParameterizedTest(name = "\"{0}\" matches shop {1}, blog {2}, none {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "app=shop                 | true  | false | false",
                "app==shop                | true  | false | false",
                "app!=shop                | false | true  | true",
                "app in (shop,blog)       | true  | true  | false",
                "app in (shop)            | true  | false | false",
                "app notin (shop)         | false | true  | true",
                "app notin (shop, blog)   | false | false | true",
                "tier                     | true  | false | false",
                "!tier                    | false | true  | true",
                "env=                     | false | true  | false",
                "env==                    | false | true  | false",
                "env in ()                | false | true  | false",
                "env notin ()             | true  | false | true",
                "app in (shop,)           | true  | false | false",
                "app=shop,tier=gold       | true  | false | false",
                "app=shop,tier=silver     | false | false | false",
                "app, !env                | true  | false | false",
                "replicas>2               | true  | false | false",
                "replicas<3               | false | false | false",
                "app>1                    | false | false | false",
                "' app = shop , tier '    | true  | false | false",
                "app in(shop)             | true  | false | false",
                "app notin(blog)          | true  | false | true",
            })
    void eachOperatorMatchesAsInKubernetes(String text, boolean shop, boolean blog, boolean none) {
        LabelSelector selector = LabelSelector.parse(text);
        assertThat(selector.matches(SHOP)).as("shop").isEqualTo(shop);
        assertThat(selector.matches(BLOG)).as("blog").isEqualTo(blog);
        assertThat(selector.matches(NONE)).as("no labels").isEqualTo(none);
        assertThat(selector.isEverything()).isFalse();
    }

    @Test
    void keysMayHaveADnsPrefixAndValuesTheirFullCharacterSet() {
        LabelSelector selector = LabelSelector.parse("app.kubernetes.io/name=my_app-1.2,Example.Key_1 in (A.b-c_D)");
        assertThat(selector.matches(Map.of("app.kubernetes.io/name", "my_app-1.2", "Example.Key_1", "A.b-c_D")))
                .isTrue();
        assertThat(selector.matches(Map.of("name", "my_app-1.2", "Example.Key_1", "A.b-c_D")))
                .isFalse();
        assertThat(LabelSelector.parse("k=" + "v".repeat(63)).matches(Map.of("k", "v".repeat(63))))
                .isTrue();
        assertThat(LabelSelector.parse(" app = shop ").toString()).isEqualTo("app = shop");
    }

    @ParameterizedTest(name = "\"{0}\" is rejected: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "app=shop,            | expected a label key",
                "=shop                | expected a label key",
                ",app                 | expected a label key",
                "!                    | expected a label key",
                "app shop             | expected one of =, ==, !=, in, notin, >, < or ',' after the key \"app\"",
                "app!shop             | expected one of =, ==, !=, in, notin, >, < or ',' after the key \"app\"",
                "app inn (shop)       | expected one of =, ==, !=, in, notin, >, < or ',' after the key \"app\"",
                "app=shop blog        | expected ','",
                "!app=shop            | expected ','",
                "app in shop          | expected '('",
                "app in (shop         | expected ',' or ')' in the set of values",
                "app in (shop blog)   | expected ',' or ')' in the set of values",
                "app in (shop/blog)   | invalid label value \"shop/blog\"",
                "app=shop/blog        | invalid label value \"shop/blog\"",
                "app=-shop            | invalid label value \"-shop\"",
                "replicas>three       | the value of > must be an integer",
                "replicas<1.5         | the value of < must be an integer",
                "replicas>-1          | invalid label value \"-1\"",
                "-app=shop            | invalid label key \"-app\"",
                "Example.com/app=shop | invalid label key \"Example.com/app\"",
                "example.com/=shop    | invalid label key \"example.com/\"",
                "a/b/c=shop           | invalid label key \"a/b/c\"",
            })
    void aMalformedSelectorIsRejectedWithWhereAndWhy(String text, String detail) {
        assertThatThrownBy(() -> LabelSelector.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unable to parse label selector \"" + text + "\" at position ")
                .hasMessageEndingWith(": " + detail);
    }

    @Test
    void overlongKeysAndValuesAreRejected() {
        assertThatThrownBy(() -> LabelSelector.parse("k".repeat(64) + "=v")).hasMessageContaining("invalid label key");
        assertThatThrownBy(() -> LabelSelector.parse("a".repeat(254) + "/k=v"))
                .hasMessageContaining("invalid label key");
        assertThatThrownBy(() -> LabelSelector.parse("k=" + "v".repeat(64)))
                .hasMessageContaining("invalid label value");
    }

    @Test
    void theErrorPositionPointsAtTheProblem() {
        assertThatThrownBy(() -> LabelSelector.parse("app=shop,tier in gold")).hasMessageContaining("at position 17:");
    }
}
