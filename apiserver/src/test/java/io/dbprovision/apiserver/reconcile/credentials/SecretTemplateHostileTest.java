package io.dbprovision.apiserver.reconcile.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A template is written by whoever may create a DatabaseUser, and rendered by the operator: every size and shape of
 * template must end in a rendered Secret or a {@link TemplateException}, within bounded memory and stack.
 */
class SecretTemplateHostileTest {
    private static final TemplateValues VALUES = SecretTemplateTest.VALUES;

    @Test
    void aTemplateMayBe64KiBAndNoMore() {
        String justFits = "x".repeat(Limits.MAX_TEMPLATE_BYTES);
        assertThat(SecretTemplate.parse(Map.of("k", justFits)).render(VALUES)).containsEntry("k", justFits);

        assertThatThrownBy(() -> SecretTemplate.parse(Map.of("k", justFits + "x")))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("template is 65537 bytes; at most 65536 are allowed");
        // Counted in UTF-8 bytes, as a Secret's size is.
        assertThatThrownBy(() -> SecretTemplate.parse(Map.of("k", "\u00e9".repeat(33_000))))
                .hasMessageContaining("template is 66000 bytes");
    }

    @Test
    void aTemplateMayHave256KeysAndNoMore() {
        Map<String, String> data = new HashMap<>();
        for (int i = 0; i < Limits.MAX_KEYS; i++) {
            data.put("k" + i, "{{ .Port }}");
        }
        assertThat(SecretTemplate.parse(data).render(VALUES)).hasSize(256);

        data.put("one-more", "x");
        assertThatThrownBy(() -> SecretTemplate.parse(data))
                .isInstanceOfSatisfying(
                        TemplateException.class, e -> assertThat(e.key()).isNull())
                .hasMessage("secretTemplate.data: has 257 keys; at most 256 are allowed");
    }

    @Test
    void nestingIsBoundedForParenthesesIfAndWith() {
        int limit = Limits.MAX_NESTING;
        assertThat(render(parens(limit))).isEqualTo("db.example.com");
        assertThat(render(nested("{{ if .Host }}", limit) + "x" + "{{ end }}".repeat(limit)))
                .isEqualTo("x");
        assertThat(render(nested("{{ with $.Host }}", limit) + "{{ . }}" + "{{ end }}".repeat(limit)))
                .isEqualTo("db.example.com");

        for (String tooDeep : List.of(
                parens(limit + 1),
                nested("{{ if .Host }}", limit + 1) + "{{ end }}".repeat(limit + 1),
                nested("{{ with .Host }}", limit + 1) + "{{ end }}".repeat(limit + 1),
                parens(20_000),
                nested("{{ if 1 }}", 6_000))) {
            assertThatThrownBy(() -> SecretTemplate.parse(Map.of("k", tooDeep)))
                    .isInstanceOf(TemplateException.class)
                    .hasMessageContaining("nested too deeply");
        }
    }

    @Test
    void anElseIfChainCountsAsNesting() {
        String chain = "{{ if eq .Port 0 }}0" + nested("{{ else if eq .Port 1 }}1", 98) + "{{ else }}other{{ end }}";
        assertThat(render(chain)).isEqualTo("other");

        String tooLong = "{{ if eq .Port 0 }}0" + nested("{{ else if eq .Port 1 }}1", 200) + "{{ end }}";
        assertThatThrownBy(() -> SecretTemplate.parse(Map.of("k", tooLong))).hasMessageContaining("nested too deeply");
    }

    @Test
    void outputOfAllKeysTogetherIsBoundedTo1MiB() {
        Map<String, String> data = new HashMap<>();
        for (int i = 0; i < 18; i++) {
            data.put("k" + i, "x".repeat(60_000) + "{{ .Host }}");
        }
        SecretTemplate template = SecretTemplate.parse(data);

        assertThatThrownBy(() -> template.render(VALUES))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("rendered output exceeds 1048576 bytes");
    }

    @Test
    void aReplaceThatWouldExplodeIsRefusedBeforeItIsBuilt() {
        TemplateValues longHost = withCa("h".repeat(1000));
        String explosive = "{{ replace (replace .CA \"\" .CA) \"\" (replace .CA \"\" .CA) }}";

        assertThatThrownBy(() -> SecretTemplate.parse(Map.of("k", explosive)).render(longHost))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("error calling replace: result would exceed 1048576 characters");
    }

    @Test
    void printfAndPrintCannotBuildHugeStrings() {
        TemplateValues bigCa = withCa("c".repeat(400_000));

        for (String text : List.of(
                "{{ printf \"%s%s%s\" .CA .CA .CA }}",
                "{{ print .CA .CA .CA }}",
                "{{ println .CA .CA .CA }}",
                "{{ printf \"%q%q%q\" .CA .CA .CA }}",
                "{{ $x := printf \"%s%s\" .CA .CA }}{{ printf \"%v%v\" $x $x }}")) {
            assertThatThrownBy(() -> SecretTemplate.parse(Map.of("k", text)).render(bigCa))
                    .as(text)
                    .isInstanceOf(TemplateException.class)
                    .hasMessageContaining("would exceed");
        }
    }

    @Test
    void theWorkOfARenderIsBoundedEvenWhenOutputIsSmall() {
        TemplateValues bigCa = withCa("c".repeat(1_000_000));
        Map<String, String> data = new HashMap<>();
        for (int i = 0; i < 70; i++) {
            data.put("k" + i, "{{ len .CA }}");
        }

        assertThatThrownBy(() -> SecretTemplate.parse(data).render(bigCa))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("template does too much work");
        // One key alone can also not loop its way around the budget: there is no loop.
        assertThatThrownBy(() -> SecretTemplate.parse(Map.of("k", "{{ len (upper .CA) }}".repeat(40)))
                        .render(bigCa))
                .hasMessageContaining("too much work");
    }

    @Test
    void longNamesAreCutShortInMessages() {
        String longField = "{{ .F" + "a".repeat(60_000) + " }}";
        String longFunction = "{{ f" + "a".repeat(60_000) + " }}";
        String longVariable = "{{ $v" + "a".repeat(60_000) + " }}";

        assertThatThrownBy(() -> render(longField))
                .hasMessageContaining("can't evaluate field")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
        assertThatThrownBy(() -> render(longFunction))
                .hasMessageContaining("not defined")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
        assertThatThrownBy(() -> render(longVariable))
                .hasMessageContaining("undefined variable")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400));
        assertThat(SecretTemplate.validate(Map.of("k", longField)))
                .singleElement()
                .satisfies(p -> assertThat(p.message()).hasSizeLessThan(400));
    }

    @Test
    void degenerateInputsEndInAnErrorNotACrash() {
        for (String text : List.of(
                "{{".repeat(30_000),
                "}}".repeat(30_000),
                "{{ " + "(".repeat(30_000),
                "{{ " + ")".repeat(30_000) + " }}",
                "{{ \"" + "\\".repeat(60_000) + "\" }}",
                "{{ " + "|".repeat(30_000) + " }}",
                "{{ .Host " + "| upper ".repeat(8_000) + "}}",
                "{{/*" + "*".repeat(60_000),
                "{{ " + "$x := ".repeat(10_000) + "1 }}",
                "{{ " + "9".repeat(60_000) + " }}",
                "{{ 0x" + "f".repeat(60_000) + " }}",
                "{{ '" + "\\x41".repeat(10_000) + "' }}",
                "{{ end }}".repeat(7_000),
                "{{ else }}".repeat(6_000),
                "\u0000\uffff\ud800{{ \ud800 }}")) {
            try {
                SecretTemplate.parse(Map.of("k", text)).render(VALUES);
            } catch (TemplateException expected) {
                assertThat(expected.getMessage()).hasSizeLessThan(400);
            }
        }
    }

    @Test
    void aLongPipelineRendersWithinTheLimits() {
        String text = "{{ .Host " + "| upper | lower ".repeat(2_000) + "}}";

        assertThat(render(text)).isEqualTo("db.example.com");
    }

    /** Random token soup: whatever it is, it renders or fails with a TemplateException. */
    @Test
    void randomTemplatesRenderOrFailCleanly() {
        List<String> pieces = List.of(
                "{{",
                "}}",
                "{{- ",
                " -}}",
                "if ",
                "else ",
                "end",
                "with ",
                ".Host",
                ".Port",
                ".CA",
                ".Nope",
                "$x",
                "$",
                " := ",
                " = ",
                " | ",
                "(",
                ")",
                "\"a\"",
                "`b`",
                "'c'",
                "1",
                "-2",
                "0x1f",
                "upper",
                "printf",
                "\"%s %d %v %q\"",
                "and",
                "or",
                "not",
                "eq",
                "ne",
                "lt",
                "len",
                "nil",
                "true",
                " ",
                "\n",
                "/*",
                "*/",
                ".",
                ",",
                "urlEncode",
                "replace",
                "\"\"",
                "base64Decode",
                "toJson",
                "join",
                "default",
                "quote",
                "squote",
                "title",
                "trim",
                "print",
                "range",
                "define",
                "\\",
                "\"",
                "é",
                "\ud83d\ude00");
        Random random = new Random(20261204L);
        int rendered = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(1, 25);
            for (int j = 0; j < length; j++) {
                text.append(pieces.get(random.nextInt(pieces.size())));
            }
            try {
                SecretTemplate.parse(Map.of("k", text.toString())).render(VALUES);
                rendered++;
            } catch (TemplateException expected) {
                assertThat(expected.getMessage()).doesNotContain("s3cret");
            }
        }
        assertThat(rendered).isPositive();
    }

    private static String render(String text) {
        return SecretTemplate.parse(Map.of("k", text)).render(VALUES).get("k");
    }

    private static String parens(int depth) {
        return "{{ " + "(".repeat(depth) + ".Host" + ")".repeat(depth) + " }}";
    }

    private static String nested(String open, int times) {
        return open.repeat(times);
    }

    private static TemplateValues withCa(String ca) {
        return new TemplateValues(
                "app_user", "s3cret", "db.example.com", 5432, "orders", "", "team-a", "orders-user", ca, "", "", "");
    }
}
