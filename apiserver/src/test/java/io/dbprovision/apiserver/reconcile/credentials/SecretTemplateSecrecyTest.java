package io.dbprovision.apiserver.reconcile.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Error messages go into status conditions and events, which many can read: no message may carry the password, the TLS
 * key, the URL (which may embed the password) or any rendered output, however the template fails.
 */
class SecretTemplateSecrecyTest {
    private static final String PASSWORD = "Pw-9f8e7d6c5b4a";
    private static final String TLS_KEY = "KEY-MATERIAL-0123";
    private static final TemplateValues VALUES = new TemplateValues(
            "app_user",
            PASSWORD,
            "db.example.com",
            5432,
            "orders",
            "",
            "team-a",
            "orders-user",
            "CA-MATERIAL",
            "CERT-MATERIAL",
            TLS_KEY,
            "postgresql://app_user:" + PASSWORD + "@db.example.com/orders");

    /** Templates that fail while or after working on the secret values. */
    private static final List<String> FAILING = List.of(
            "{{ .Password | base64Decode }}",
            "{{ .TLSKey | base64Decode }}",
            "{{ .DatabaseURL | base64Decode }}",
            "{{ .Password.Foo }}",
            "{{ $p := .Password }}{{ $p.Foo }}",
            "{{ .Password | eq 1 }}",
            "{{ eq .Password .Port }}",
            "{{ lt .Password true }}",
            "{{ .Password | printf \"%d\" | len | upper }}",
            "{{ printf \"%x\" .Password }}",
            "{{ printf .Port .TLSKey }}",
            "{{ printf \"%5s\" .TLSKey }}",
            "{{ printf \"%q\" .Port }}",
            "{{ printf \"%q\" . .Password }}",
            "{{ (printf \"%s%s\" .Password .TLSKey) 1 }}",
            "{{ .Password | trimPrefix \"x\" | .Username }}",
            "{{ .DatabaseURL | upper 1 }}",
            "{{ .TLSKey | default .Port }}",
            "{{ join .Password \",\" }}",
            "{{ len (printf \"%s\" .TLSKey) | quote }}",
            "{{ .Password }}{{ .TLSKey }}{{ .DatabaseURL }}{{ .Nope }}",
            "{{ with .Password }}{{ . }}{{ .Foo }}{{ end }}",
            "{{ if .Password }}{{ .Password | upper | lower | base64Encode | base64Decode | len | urlEncode }}{{ end }}",
            "{{ replace .Password \"\" (replace .TLSKey \"\" (replace .TLSKey \"\" (replace .TLSKey \"\" .TLSKey))) }}",
            "{{ .Password }}".repeat(3000) + "{{ $x := 1 }}{{ $x.Password }}",
            "{{ printf \"%s\" (.Password) | .TLSKey }}");

    @Test
    void noExecutionErrorShowsASecretOrRenderedOutput() {
        for (String text : FAILING) {
            TemplateException error = catchThrowableOfType(
                    TemplateException.class,
                    () -> SecretTemplate.parse(Map.of("k", text)).render(VALUES));

            assertThat(error).as(text).isNotNull();
            assertNoSecret(error.getMessage(), text);
        }
    }

    @Test
    void hittingTheOutputLimitShowsNoSecret() {
        String text = "{{ .Password }}{{ .TLSKey }}".repeat(2000);
        Map<String, String> data = new java.util.HashMap<>();
        for (int i = 0; i < 40; i++) {
            data.put("k" + i, text);
        }

        TemplateException error = catchThrowableOfType(
                TemplateException.class, () -> SecretTemplate.parse(data).render(VALUES));

        assertThat(error.getMessage()).contains("rendered output exceeds");
        assertNoSecret(error.getMessage(), "output limit");
    }

    @Test
    void theMessagesOfGoFunctionsAreOurOwnWords() {
        // Java's own exceptions (IllegalArgumentException from a decoder, NumberFormatException, ...) quote their
        // input; none of them may reach a message.
        TemplateException error = catchThrowableOfType(
                TemplateException.class,
                () -> SecretTemplate.parse(Map.of("k", "{{ base64Decode .Password }}"))
                        .render(VALUES));

        assertThat(error.getMessage()).endsWith("error calling base64Decode: base64Decode: illegal base64 data");
        assertThat(error.getCause()).isNull();
    }

    private static void assertNoSecret(String message, String context) {
        assertThat(message)
                .as(context)
                .doesNotContain(PASSWORD, TLS_KEY, "Pw-9f8e", "KEY-MATERIAL", "CA-MATERIAL", "CERT-MATERIAL")
                .hasSizeLessThan(400);
    }
}
