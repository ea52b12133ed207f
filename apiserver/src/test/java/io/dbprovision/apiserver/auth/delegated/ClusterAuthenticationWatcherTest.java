package io.dbprovision.apiserver.auth.delegated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.apiserver.server.Pki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading and following the extension-apiserver-authentication ConfigMap, including versions that cannot be used. */
class ClusterAuthenticationWatcherTest {
    private static final String SA_TOKEN = "service-account-token-of-dbprovision";
    private static final Duration DAY = Duration.ofDays(1);

    @TempDir
    Path dir;

    private final Pki.Issued clientCa = Pki.newCa("client-ca", DAY);
    private final Pki.Issued proxyCa = Pki.newCa("front-proxy-ca", DAY);
    private FakeKubeApiServer cluster;
    private ClusterAuthenticationWatcher watcher;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeKubeApiServer.start(SA_TOKEN);
        cluster.putConfigMap(FakeKubeApiServer.configMapData(
                Optional.of(clientCa), Optional.of(proxyCa), List.of("front-proxy-client")));
        watcher = ClusterAuthenticationWatcher.start(
                ClusterConnection.fromKubeconfig(cluster.writeKubeconfig(dir, SA_TOKEN), Duration.ofSeconds(5)),
                Duration.ofMinutes(5),
                false);
    }

    @AfterEach
    void stop() {
        watcher.close();
        cluster.close();
    }

    @Test
    void theConfigMapIsReadAtStart() {
        ClusterAuthenticationConfig config = watcher.current();
        assertThat(config.clientCa().orElseThrow().certificates()).containsExactly(clientCa.certificate());
        RequestHeaderConfig proxy = config.requestHeader().orElseThrow();
        assertThat(proxy.ca().certificates()).containsExactly(proxyCa.certificate());
        assertThat(proxy.allowedNames()).containsExactly("front-proxy-client");
        assertThat(proxy.usernameHeaders()).containsExactly("x-remote-user");
        assertThat(proxy.groupHeaders()).containsExactly("x-remote-group");
        assertThat(proxy.extraHeaderPrefixes()).containsExactly("x-remote-extra-");
        assertThat(cluster.configMapReads).hasValue(1);
    }

    @Test
    void aVersionThatCannotBeUsedKeepsThePreviousConfiguration() {
        for (Map.Entry<String, String> breakage : List.of(
                Map.entry("requestheader-allowed-names", "not json"),
                Map.entry("requestheader-group-headers", "{\"an\":\"object\"}"),
                Map.entry("requestheader-username-headers", "[1, 2]"),
                Map.entry("requestheader-username-headers", "[\" \"]"),
                Map.entry(
                        "requestheader-client-ca-file",
                        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
                Map.entry("client-ca-file", "garbage"))) {
            Map<String, String> data = FakeKubeApiServer.configMapData(
                    Optional.of(clientCa), Optional.of(proxyCa), List.of("someone-else"));
            data.put(breakage.getKey(), breakage.getValue());
            String version = cluster.putConfigMap(data);
            Await.until(
                    "version " + version + " is seen",
                    () -> watcher.seenVersion().equals(version));
            assertThat(watcher.current().requestHeader().orElseThrow().allowedNames())
                    .as(breakage.toString())
                    .containsExactly("front-proxy-client");
        }
    }

    @Test
    void withoutARequestHeaderCaThereIsNoFrontProxy() {
        String version = cluster.putConfigMap(Map.of(
                "client-ca-file",
                clientCa.certificatePem(),
                "requestheader-allowed-names",
                "[\"front-proxy-client\"]"));
        Await.until(
                "version " + version + " applied",
                () -> watcher.appliedVersion().equals(version));
        assertThat(watcher.current().requestHeader()).isEmpty();
        assertThat(watcher.current().clientCa()).isPresent();
    }

    @Test
    void aForbiddenConfigMapIsAClearErrorAtStart() throws Exception {
        cluster.rotateCallerToken("other");
        assertThatThrownBy(() -> ClusterAuthenticationWatcher.start(
                        ClusterConnection.fromKubeconfig(
                                cluster.writeKubeconfig(dir.resolve("other"), SA_TOKEN), Duration.ofSeconds(5)),
                        Duration.ofMinutes(5),
                        false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("extension-apiserver-authentication-reader");
    }
}
