package io.dbprovision.apiserver.corev1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbprovision.apiserver.auth.delegated.ClusterConnection;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.proto.k8s.core.v1.ConfigMap;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ClusterConfigMaps} against the fake kube-apiserver: Kubernetes JSON read whole, absence, and errors. */
class ClusterConfigMapsTest {
    private static final String SA_TOKEN = "service-account-token-of-dbprovision";

    @TempDir
    Path dir;

    private FakeKubeApiServer cluster;
    private ClusterConfigMaps configMaps;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeKubeApiServer.start(SA_TOKEN);
        configMaps = new ClusterConfigMaps(
                ClusterConnection.fromKubeconfig(cluster.writeKubeconfig(dir, SA_TOKEN), Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void aConfigMapIsReadWithItsTextAndBinaryData() throws Exception {
        ObjectNode stored = (ObjectNode) new ObjectMapper().readTree("""
                {"metadata": {"namespace": "team-a", "name": "app-schema"},
                 "data": {"init.sql": "CREATE TABLE t (id int)\\n---\\nSELECT 1"},
                 "binaryData": {"blob": "AP9/gA=="},
                 "immutable": true}
                """);
        cluster.configMaps.put(stored);

        ConfigMap read = configMaps.get("team-a", "app-schema").orElseThrow();
        assertThat(read.getMetadata().getName()).isEqualTo("app-schema");
        assertThat(read.getMetadata().getUid()).isNotEmpty();
        assertThat(read.getDataMap()).containsEntry("init.sql", "CREATE TABLE t (id int)\n---\nSELECT 1");
        assertThat(read.getBinaryDataMap().get("blob").toByteArray()).containsExactly(0, 0xff, 0x7f, 0x80);
        assertThat(read.getImmutable()).isTrue();
    }

    @Test
    void aMissingConfigMapIsEmptyAndNamesNoConfigMapCanHaveAreNotLookedUp() {
        assertThat(configMaps.get("team-a", "absent")).isEmpty();
        assertThat(configMaps.get("team-a", "../secrets/x")).isEmpty();
        assertThat(cluster.configMaps.reads.get()).isEqualTo(1);
    }

    @Test
    void aRefusalIsTheRegistrysError() {
        cluster.failWith(403);
        assertThatThrownBy(() -> configMaps.get("team-a", "app-schema")).isInstanceOf(ApiException.class);
    }
}
