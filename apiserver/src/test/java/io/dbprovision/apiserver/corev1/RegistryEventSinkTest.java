package io.dbprovision.apiserver.corev1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.audit.SettableClock;
import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.ListQuery;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import io.dbprovision.proto.k8s.core.v1.Event;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseInstance;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recorder over {@link RegistryEventSink} on a real standalone registry: what `kubectl get events` then lists. */
class RegistryEventSinkTest {
    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

    @TempDir
    Path dir;

    private CachingStorage storage;
    private ResourceStore events;
    private RegistryEventSink sink;

    @BeforeEach
    void open() {
        storage = CachingStorage.open(new EmbeddedBackend(dir, false), StorageSettings.defaults());
        Registry registry = new Registry(
                List.of(
                        new Registry.Served(Schema.get(), ObjectRules.standard()),
                        new Registry.Served(Schema.core(), ObjectRules.core())),
                storage,
                Clock.systemUTC());
        events = registry.lookup("v1", "events").orElseThrow();
        sink = new RegistryEventSink(registry);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private List<Event> stored(String namespace) {
        return events.list(RequestContext.internal("test"), namespace, ListQuery.ALL).items().stream()
                .map(Event.class::cast)
                .toList();
    }

    @Test
    void repeatedEventsAreOneStoredEventWithACountAndClusterScopedOnesGoToDefault() {
        SettableClock clock = new SettableClock(T0);
        try (CorrelatingEventRecorder recorder = new CorrelatingEventRecorder(
                sink, "dbprovision-0", clock, CorrelatingEventRecorder.Settings.defaults())) {
            for (int i = 0; i < 3; i++) {
                recorder.warning(CorrelatingEventRecorderTest.database("team-a", "orders"), "ConnectFailed", "refused");
                clock.advance(Duration.ofMinutes(2));
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

        assertThat(stored("team-a")).singleElement().satisfies(event -> {
            assertThat(event.getCount()).isEqualTo(3);
            assertThat(event.getFirstTimestamp().getSeconds()).isEqualTo(T0.getEpochSecond());
            assertThat(event.getLastTimestamp().getSeconds())
                    .isEqualTo(T0.plus(Duration.ofMinutes(4)).getEpochSecond());
            assertThat(event.getInvolvedObject().getName()).isEqualTo("orders");
            assertThat(event.getReportingComponent()).isEqualTo("dbprovision-controller");
        });
        assertThat(stored("default")).singleElement().satisfies(event -> {
            assertThat(event.getInvolvedObject().getKind()).isEqualTo("ClusterDatabaseInstance");
            assertThat(event.getInvolvedObject().getNamespace()).isEmpty();
        });
    }

    @Test
    void anUpdateOfAnEventThatIsGoneIsNotFound() {
        Event event = Event.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setNamespace("team-a").setName("orders.0000000000000001"))
                .setCount(2)
                .build();

        assertThatThrownBy(() -> sink.update(event)).isInstanceOf(ApiException.NotFound.class);
        Event created = sink.create(event.toBuilder().setCount(1).build());
        assertThatThrownBy(() -> sink.create(event)).isInstanceOf(ApiException.AlreadyExists.class);
        Event counted = sink.update(event.toBuilder()
                .setMetadata(event.getMetadata().toBuilder().setResourceVersion("1")) // not a precondition
                .build());
        assertThat(counted.getCount()).isEqualTo(2);
        assertThat(counted.getMetadata().getUid())
                .isEqualTo(created.getMetadata().getUid());
    }
}
