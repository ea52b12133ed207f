package io.dbprovision.apiserver.corev1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Timestamp;
import io.dbprovision.apiserver.audit.SettableClock;
import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.auth.delegated.ClusterConnection;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.proto.k8s.core.v1.Event;
import io.dbprovision.proto.k8s.core.v1.EventSource;
import io.dbprovision.proto.k8s.core.v1.ObjectReference;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseInstance;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClusterEventSink} against the fake kube-apiserver: the Event JSON it writes, the strategic merge patch that
 * counts an occurrence, its errors, and the recorder over it end to end.
 */
class ClusterEventSinkTest {
    private static final String SA_TOKEN = "service-account-token-of-dbprovision";
    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

    @TempDir
    Path dir;

    private FakeKubeApiServer cluster;
    private boolean clusterClosed;
    private ClusterEventSink sink;

    @BeforeEach
    void start() throws Exception {
        cluster = FakeKubeApiServer.start(SA_TOKEN);
        sink = new ClusterEventSink(
                ClusterConnection.fromKubeconfig(cluster.writeKubeconfig(dir, SA_TOKEN), Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() {
        if (!clusterClosed) {
            cluster.close();
        }
    }

    private static Event event(String namespace, String name, String involvedNamespace) {
        Timestamp time = Timestamp.newBuilder().setSeconds(T0.getEpochSecond()).build();
        return Event.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setNamespace(namespace).setName(name))
                .setInvolvedObject(ObjectReference.newBuilder()
                        .setApiVersion("dbops.dbprovision.io/v1alpha1")
                        .setKind("Database")
                        .setNamespace(involvedNamespace)
                        .setName("orders")
                        .setUid("uid-orders")
                        .setResourceVersion("42"))
                .setReason("ConnectFailed")
                .setMessage("pg-main: connection refused")
                .setType("Warning")
                .setSource(EventSource.newBuilder()
                        .setComponent("dbprovision-controller")
                        .setHost("dbprovision-0"))
                .setFirstTimestamp(time)
                .setLastTimestamp(time)
                .setCount(1)
                .setReportingComponent("dbprovision-controller")
                .setReportingInstance("dbprovision-0")
                .build();
    }

    @Test
    void aCreatedEventIsWrittenAsKubernetesJson() {
        Event created = sink.create(event("team-a", "orders.17c9a2b3d4e5f601", "team-a"));

        assertThat(created.getMetadata().getUid()).isNotEmpty();
        assertThat(created.getMetadata().getResourceVersion()).isNotEmpty();
        ObjectNode stored =
                cluster.events.object("team-a", "orders.17c9a2b3d4e5f601").orElseThrow();
        assertThat(stored.path("involvedObject").path("kind").asText()).isEqualTo("Database");
        assertThat(stored.path("involvedObject").path("uid").asText()).isEqualTo("uid-orders");
        assertThat(stored.path("source").path("component").asText()).isEqualTo("dbprovision-controller");
        assertThat(stored.path("reportingComponent").asText()).isEqualTo("dbprovision-controller");
        assertThat(stored.path("reportingInstance").asText()).isEqualTo("dbprovision-0");
        assertThat(stored.path("firstTimestamp").asText()).isEqualTo("2024-05-01T10:00:00Z");
        assertThat(stored.path("lastTimestamp").asText()).isEqualTo("2024-05-01T10:00:00Z");
        assertThat(stored.path("count").asInt()).isEqualTo(1);
        assertThat(stored.path("type").asText()).isEqualTo("Warning");
        assertThat(created.getInvolvedObject())
                .isEqualTo(event("team-a", "x", "team-a").getInvolvedObject());
        assertThat(created.getFirstTimestamp())
                .isEqualTo(event("team-a", "x", "team-a").getFirstTimestamp());
    }

    @Test
    void anotherOccurrenceIsAStrategicMergePatchOfCountTimeAndMessage() {
        Event created = sink.create(event("team-a", "orders.17c9a2b3d4e5f601", "team-a"));
        Timestamp later =
                Timestamp.newBuilder().setSeconds(T0.getEpochSecond() + 300).build();

        Event counted = sink.update(created.toBuilder()
                .setCount(2)
                .setLastTimestamp(later)
                .setMetadata(created.getMetadata().toBuilder().setResourceVersion("1")) // ignored: a patch has none
                .build());

        assertThat(counted.getCount()).isEqualTo(2);
        assertThat(counted.getLastTimestamp()).isEqualTo(later);
        assertThat(counted.getFirstTimestamp()).isEqualTo(created.getFirstTimestamp());
        assertThat(cluster.events.patches).hasValue(1);
        assertThat(cluster.events
                        .object("team-a", "orders.17c9a2b3d4e5f601")
                        .orElseThrow()
                        .path("lastTimestamp")
                        .asText())
                .isEqualTo("2024-05-01T10:05:00Z");
    }

    @Test
    void theKubeApiServersRefusalsAreTheRegistrysErrors() {
        sink.create(event("team-a", "orders.17c9a2b3d4e5f601", "team-a"));

        assertThatThrownBy(() -> sink.create(event("team-a", "orders.17c9a2b3d4e5f601", "team-a")))
                .isInstanceOf(ApiException.AlreadyExists.class);
        assertThatThrownBy(() -> sink.update(event("team-a", "orders.0000000000000000", "team-a")))
                .isInstanceOf(ApiException.NotFound.class);
        assertThatThrownBy(() -> sink.create(event("team-a", "orders.17c9a2b3d4e5f602", "team-b")))
                .isInstanceOf(ApiException.Invalid.class)
                .hasMessageContaining("involvedObject.namespace");
        int requests = cluster.events.requests.size();
        assertThatThrownBy(() -> sink.create(event("team-a", "..", "team-a"))).isInstanceOf(ApiException.Invalid.class);
        assertThatThrownBy(() -> sink.update(event("", "x", ""))).isInstanceOf(ApiException.Invalid.class);
        assertThat(cluster.events.requests).hasSize(requests);

        cluster.failWith(503);
        assertThatThrownBy(() -> sink.create(event("team-a", "orders.17c9a2b3d4e5f603", "team-a")))
                .isInstanceOf(ApiException.Unavailable.class);
        cluster.failWith(0);
        cluster.close();
        clusterClosed = true;
        assertThatThrownBy(() -> sink.create(event("team-a", "orders.17c9a2b3d4e5f603", "team-a")))
                .isInstanceOf(ApiException.Unavailable.class);
    }

    @Test
    void theRecorderCountsRepeatedEventsOnOneKubernetesEvent() {
        SettableClock clock = new SettableClock(T0);
        try (CorrelatingEventRecorder recorder = new CorrelatingEventRecorder(
                sink, "dbprovision-0", clock, CorrelatingEventRecorder.Settings.defaults())) {
            for (int i = 0; i < 3; i++) {
                recorder.warning(CorrelatingEventRecorderTest.database("team-a", "orders"), "ConnectFailed", "refused");
                clock.advance(Duration.ofMinutes(1));
            }
            recorder.normal(
                    ClusterDatabaseInstance.newBuilder()
                            .setMetadata(
                                    ObjectMeta.newBuilder().setName("pg-main").setUid("uid-pg"))
                            .build(),
                    "Connected",
                    "PostgreSQL 16.2");
            Await.until("written", () -> recorder.written() == 4);
        }

        assertThat(cluster.events.objects()).hasSize(2);
        ObjectNode counted = cluster.events.objects().stream()
                .filter(event -> event.path("reason").asText().equals("ConnectFailed"))
                .findFirst()
                .orElseThrow();
        assertThat(counted.path("count").asInt()).isEqualTo(3);
        assertThat(counted.path("lastTimestamp").asText()).isEqualTo("2024-05-01T10:02:00Z");
        assertThat(counted.path("metadata").path("namespace").asText()).isEqualTo("team-a");
        ObjectNode clusterScoped = cluster.events.objects().stream()
                .filter(event -> event.path("reason").asText().equals("Connected"))
                .findFirst()
                .orElseThrow();
        assertThat(clusterScoped.path("metadata").path("namespace").asText()).isEqualTo("default");
        assertThat(clusterScoped.path("involvedObject").has("namespace")).isFalse();
        assertThat(cluster.events.creates).hasValue(2);
        assertThat(cluster.events.patches).hasValue(2);
    }

    @Test
    void theRecorderOverAKubeApiServerThatIsDownNeverFailsItsCaller() {
        cluster.close();
        clusterClosed = true;
        try (CorrelatingEventRecorder recorder = new CorrelatingEventRecorder(
                sink,
                "dbprovision-0",
                new SettableClock(T0),
                CorrelatingEventRecorder.Settings.defaults().withRetries(2, Duration.ofMillis(1)))) {
            assertThatCode(() -> recorder.warning(
                            CorrelatingEventRecorderTest.database("team-a", "orders"), "ConnectFailed", "refused"))
                    .doesNotThrowAnyException();
            Await.until("the write gave up", () -> recorder.failed() == 1);
        }
    }
}
