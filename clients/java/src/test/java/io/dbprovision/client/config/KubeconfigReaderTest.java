package io.dbprovision.client.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeconfigReaderTest {
    private static final String TOKEN = "jsdk-secret-token-value";
    private static final String CA = "-----BEGIN CERTIFICATE-----\nMIIBjsdkCA\n-----END CERTIFICATE-----\n";
    private static final String CERT = "-----BEGIN CERTIFICATE-----\nMIIBjsdkClient\n-----END CERTIFICATE-----\n";
    private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIGjsdkKeyMaterial\n-----END PRIVATE KEY-----\n";

    @TempDir
    Path dir;

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String config(String clusterExtra, String userExtra) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: portal
                  cluster:
                    server: https://127.0.0.1:9443
                    certificate-authority-data: %s
                %s
                - name: other
                  cluster:
                    server: https://other.example:8443
                users:
                - name: admin
                  user:
                    token: %s
                    client-certificate-data: %s
                    client-key-data: %s
                %s
                - name: reader
                  user:
                    token: reader-token
                contexts:
                - name: portal
                  context:
                    cluster: portal
                    user: admin
                    namespace: jsdk-team
                - name: other
                  context:
                    cluster: other
                    user: reader
                current-context: portal
                """.formatted(b64(CA), clusterExtra, TOKEN, b64(CERT), b64(KEY), userExtra);
    }

    private ConnectionConfig parse(String text) {
        return KubeconfigReader.parse(dir.resolve("config"), text, Optional.empty());
    }

    private void assertRefused(String text, String messagePart) {
        assertThatThrownBy(() -> parse(text))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(messagePart)
                .hasMessageNotContaining(TOKEN)
                .hasMessageNotContaining("jsdkKeyMaterial");
    }

    @Test
    void theCurrentContextGivesServerCaTokenCertificateAndNamespace() {
        ConnectionConfig config = parse(config("", ""));

        assertThat(config.endpoint().toString()).isEqualTo("https://127.0.0.1:9443");
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(9443);
        assertThat(config.caPem()).contains(CA);
        assertThat(config.token()).contains(TOKEN);
        assertThat(config.clientCertificatePem()).contains(CERT);
        assertThat(config.clientKeyPem()).contains(KEY);
        assertThat(config.namespace()).contains("jsdk-team");
        assertThat(config.toString()).doesNotContain(TOKEN).doesNotContain("jsdkKeyMaterial");
    }

    @Test
    void aNamedContextPicksItsOwnClusterAndUser() {
        ConnectionConfig config = KubeconfigReader.parse(dir.resolve("config"), config("", ""), Optional.of("other"));

        assertThat(config.endpoint().toString()).isEqualTo("https://other.example:8443");
        assertThat(config.port()).isEqualTo(8443);
        assertThat(config.caPem()).isEmpty();
        assertThat(config.token()).contains("reader-token");
        assertThat(config.clientCertificatePem()).isEmpty();
        assertThat(config.namespace()).isEmpty();
    }

    @Test
    void fileFormsAreReadRelativeToTheConfig() throws IOException {
        Files.writeString(dir.resolve("ca.crt"), CA);
        Files.writeString(dir.resolve("token"), "file-token\n");
        String text = """
                clusters:
                - name: c
                  cluster: {server: "https://localhost:9443", certificate-authority: ca.crt}
                users:
                - name: u
                  user: {tokenFile: token}
                contexts:
                - name: x
                  context: {cluster: c, user: u}
                current-context: x
                """;
        Path file = dir.resolve("config");
        Files.writeString(file, text);

        ConnectionConfig config = KubeconfigReader.read(file, Optional.empty());

        assertThat(config.caPem()).contains(CA);
        assertThat(config.token()).contains("file-token");
    }

    @Test
    void theFileIsFoundFromTheFlagTheEnvironmentOrHome() {
        Path home = dir.resolve("home");
        assertThat(KubeconfigReader.locate(Optional.of(Path.of("/x")), Map.of("DBPROVISION_CONFIG", "/y"), home))
                .isEqualTo(Path.of("/x"));
        assertThat(KubeconfigReader.locate(Optional.empty(), Map.of("DBPROVISION_CONFIG", "/y"), home))
                .isEqualTo(Path.of("/y"));
        assertThat(KubeconfigReader.locate(Optional.empty(), Map.of(), home))
                .isEqualTo(home.resolve(".dbprovision/config"));
    }

    @Test
    void missingPiecesAreNamedByTheirPath() {
        assertRefused("clusters: []\nusers: []\ncontexts: []\n", "no context given and no current-context set");
        assertRefused(
                config("", "").replace("current-context: portal", "current-context: nope"),
                "no entry named \"nope\" in contexts");
        assertRefused(
                config("", "").replace("    server: https://127.0.0.1:9443\n", ""),
                "clusters[portal].cluster.server is missing");
        assertRefused(config("", "").replace("clusters:", "clusterz:"), "clusters is missing");
        assertRefused(
                config("", "").replace("    cluster: portal\n", ""), "contexts[portal].context.cluster is missing");
        assertRefused(
                config("", "").replace("    client-key-data: " + b64(KEY) + "\n", ""),
                "a client certificate needs its key");
    }

    @Test
    void badBase64AndNonPemAreRefusedWithoutQuotingThem() {
        assertRefused(
                config("", "").replace(b64(CA), "'#not*base64?'"),
                "clusters[portal].cluster.certificate-authority-data: not valid base64");
        assertRefused(
                config("", "").replace(b64(KEY), b64("just text " + TOKEN)),
                "users[admin].user.client-key-data: expected a private key in PEM form");
        assertRefused(config("", "").replace(b64(CA), "'%%%%'"), "not valid base64");
    }

    @Test
    void wrongTypesAreRefusedWithTheirPath() {
        assertRefused("- a\n- b\n", "expected a kubeconfig");
        assertRefused("just a string\n", "expected a kubeconfig");
        assertRefused(config("", "").replace("clusters:\n", "clusters: 5\nx:\n"), "clusters: expected a list");
        assertRefused(
                config("", "").replace("    token: " + TOKEN, "    token: [1, 2]"),
                "users[admin].user.token: expected a string, not a list");
        assertRefused(
                config("", "").replace("    server: https://127.0.0.1:9443", "    server: {a: b}"),
                "clusters[portal].cluster.server: expected a string, not a mapping");
        assertRefused(
                config("", "").replace("current-context: portal", "current-context: 42"),
                "current-context: expected a string, not a number");
        assertRefused(
                "clusters:\n- 7\ncontexts:\n- name: x\n  context: {cluster: a}\ncurrent-context: x\n",
                "clusters[0]: expected a mapping");
    }

    @Test
    void unsafeOrUnsupportedSettingsAreRefused() {
        assertRefused(config("    insecure-skip-tls-verify: true", ""), "insecure-skip-tls-verify is not supported");
        assertRefused(config("", "    exec: {command: steal}"), "users[admin].user.exec is not supported");
        assertRefused(
                config("", "").replace("https://127.0.0.1:9443", "http://127.0.0.1:9443"), "must be https://host:port");
        assertRefused(
                config("", "").replace("https://127.0.0.1:9443", "https://user:pw@127.0.0.1:9443"),
                "must not carry credentials");
        assertRefused(config("", "").replace("    token: " + TOKEN, "    token: \"a b\""), "printable ASCII");
    }

    @Test
    void hostileYamlIsRefused() {
        assertRefused("a: &x [1, 2]\nb: *x\n", "not valid YAML");
        assertRefused("a: 1\na: 2\n", "not valid YAML");
        assertRefused("clusters: [\n", "not valid YAML");
        assertRefused(config("", "").replace("users:", "users: !!java.lang.Runtime {}\nusers2:"), "not valid YAML");
    }

    @Test
    void aHugeFileIsRefusedBeforeParsing() throws IOException {
        Path file = dir.resolve("huge");
        Files.write(file, new byte[KubeconfigReader.MAX_BYTES + 1]);

        assertThatThrownBy(() -> KubeconfigReader.read(file, Optional.empty()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("larger than " + KubeconfigReader.MAX_BYTES + " bytes");
        assertRefused("x".repeat(KubeconfigReader.MAX_BYTES + 1), "larger than");
    }

    @Test
    void aMissingOrBinaryFileIsAClearError() throws IOException {
        assertThatThrownBy(() -> KubeconfigReader.read(dir.resolve("absent"), Optional.empty()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no such file");
        Path binary = dir.resolve("binary");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        assertThatThrownBy(() -> KubeconfigReader.read(binary, Optional.empty()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not UTF-8 text");
    }
}
