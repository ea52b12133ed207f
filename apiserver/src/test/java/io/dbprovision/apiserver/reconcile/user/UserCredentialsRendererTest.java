package io.dbprovision.apiserver.reconcile.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.proto.v1alpha1.EngineType;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The credentials Secret's keys without a template, the plain field actions of templates, and the database URL. */
class UserCredentialsRendererTest {
    private static final String PASSWORD = "p@ss:w/rd?#&%! x";
    private static final CredentialValues VALUES = new CredentialValues(
            "app",
            PASSWORD,
            "db.example.com",
            5432,
            "postgres",
            "require",
            "team-a",
            "app-user",
            "CA",
            "CERT",
            "KEY",
            CredentialsSecret.databaseUrl(
                    EngineType.ENGINE_TYPE_POSTGRES, "app", PASSWORD, "db.example.com", 5432, "postgres", "require"));
    private final TemplateCredentialsRenderer renderer = new TemplateCredentialsRenderer();

    @Test
    void withoutTemplateDataTheSecretHasExactlyTheFourDefaultKeys() {
        assertThat(renderer.render(Map.of(), VALUES))
                .containsExactly(
                        Map.entry("username", "app"),
                        Map.entry("password", PASSWORD),
                        Map.entry("host", "db.example.com"),
                        Map.entry("port", "5432"));
    }

    @Test
    void templateDataReplacesTheDefaultKeys() {
        Map<String, String> rendered = renderer.render(
                Map.of("DATABASE_URL", "{{ .DatabaseURL }}", "who", "{{.Username}}@{{ .Namespace }}/{{.Name}}"),
                VALUES);
        assertThat(rendered).containsOnlyKeys("DATABASE_URL", "who");
        assertThat(rendered.get("who")).isEqualTo("app@team-a/app-user");
        assertThat(rendered.get("DATABASE_URL")).isEqualTo(VALUES.databaseUrl());
    }

    @Test
    void anUnknownFieldOrAnUnclosedActionIsRefusedWithoutAnyValueInTheMessage() {
        for (String template :
                new String[] {"{{ .Passwrod }}", "{{ .Password", "{{ .Password }} {{", "{{ nosuch .CA }}"}) {
            assertThatThrownBy(() -> renderer.render(Map.of("k", template), VALUES))
                    .as(template)
                    .isInstanceOf(CredentialsRenderer.InvalidTemplate.class)
                    .hasMessageContaining("k")
                    .hasMessageNotContaining(PASSWORD)
                    .hasMessageNotContaining("KEY");
        }
    }

    @Test
    void functionsAndConditionsRenderAsGoTemplatesDo() {
        Map<String, String> rendered = renderer.render(
                Map.of("user", "{{ .Username | upper }}", "tls", "{{ if .SSLMode }}on{{ else }}off{{ end }}"), VALUES);
        assertThat(rendered.get("user")).isEqualTo(VALUES.username().toUpperCase(java.util.Locale.ROOT));
        assertThat(rendered.get("tls")).isEqualTo(VALUES.sslMode().isEmpty() ? "off" : "on");
    }

    @Test
    void theDatabaseUrlEncodesUserPasswordAndDatabase() {
        URI postgres = URI.create(VALUES.databaseUrl());
        assertThat(postgres.getScheme()).isEqualTo("postgresql");
        assertThat(postgres.getHost()).isEqualTo("db.example.com");
        assertThat(postgres.getPort()).isEqualTo(5432);
        assertThat(postgres.getQuery()).isEqualTo("sslmode=require");
        String[] userInfo = postgres.getRawUserInfo().split(":");
        assertThat(userInfo).hasSize(2);
        assertThat(URLDecoder.decode(userInfo[1], StandardCharsets.UTF_8)).isEqualTo(PASSWORD);

        String mysql =
                CredentialsSecret.databaseUrl(EngineType.ENGINE_TYPE_MARIADB, "a b", "pw", "::1", 3306, "my db", "");
        assertThat(mysql).isEqualTo("mysql://a%20b:pw@[::1]:3306/my%20db");
        assertThat(CredentialsSecret.databaseUrl(EngineType.ENGINE_TYPE_POSTGRES, "u", "p", "h", 1, "d", ""))
                .endsWith("?sslmode=disable");
    }

    @Test
    void theValuesNeverPrintTheSecrets() {
        assertThat(VALUES.toString()).doesNotContain(PASSWORD).doesNotContain("KEY");
    }
}
