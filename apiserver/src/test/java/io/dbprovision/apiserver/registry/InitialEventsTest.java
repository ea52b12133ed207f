package io.dbprovision.apiserver.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import io.dbprovision.proto.k8s.core.v1.Namespace;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A watch with its initial events marks their end with a bookmark, as Kubernetes' watch-list does. */
class InitialEventsTest {
    private static final io.dbprovision.apiserver.request.RequestContext CTX =
            io.dbprovision.apiserver.request.RequestContext.internal("test");

    @TempDir
    Path dir;

    @Test
    void theBookmarkAfterTheInitialObjectsMarksTheirEnd() throws Exception {
        try (CachingStorage storage =
                CachingStorage.open(new EmbeddedBackend(dir, false), StorageSettings.defaults())) {
            Registry registry = new Registry(Schema.core(), storage, ObjectRules.core(), Clock.systemUTC());
            ResourceStore namespaces = registry.lookup("v1", "namespaces").orElseThrow();
            for (String name : List.of("a", "b")) {
                namespaces.create(
                        CTX,
                        "",
                        Namespace.newBuilder()
                                .setMetadata(ObjectMeta.newBuilder().setName(name))
                                .build(),
                        WriteOptions.DEFAULT);
            }
            LinkedBlockingQueue<ObjectEvent> events = new LinkedBlockingQueue<>();
            try (AutoCloseable watch =
                    namespaces.watch(CTX, "", new WatchQuery("", "", 0, true, true), events::add, end -> {})) {
                for (int i = 0; i < 2; i++) {
                    assertThat(events.poll(5, TimeUnit.SECONDS))
                            .extracting(ObjectEvent::type)
                            .isEqualTo(ObjectEvent.Type.ADDED);
                }
                ObjectEvent end = events.poll(5, TimeUnit.SECONDS);
                assertThat(end.type()).isEqualTo(ObjectEvent.Type.BOOKMARK);
                assertThat(Objects.meta(end.object()).getAnnotationsMap())
                        .containsEntry("k8s.io/initial-events-end", "true");
            }
        }
    }
}
