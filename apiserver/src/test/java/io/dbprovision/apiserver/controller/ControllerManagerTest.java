package io.dbprovision.apiserver.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.v1alpha1.Database;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With the embedded store a replica leads from start to close: it is the only one. */
class ControllerManagerTest {
    @TempDir
    Path dir;

    @Test
    void theEmbeddedStoresOnlyReplicaLeadsAndRunsItsControllersUntilClosed() {
        try (RegistryFixture fixture = new RegistryFixture(dir)) {
            LeaderElection election = LeaderElection.forStorage(
                    fixture.storage, "controllers", LeaderElection.defaultIdentity(), LeaderElection.Timing.DEFAULT);
            assertThat(fixture.storage.leases()).isEmpty();
            List<String> reconciled = new CopyOnWriteArrayList<>();
            ControllerManager manager = new ControllerManager(election, RequestContext.internal("test"));
            Informer<Database> informer = manager.informer(fixture.databases, Database.class);
            assertThat(manager.informer(fixture.databases, Database.class)).isSameAs(informer);
            Controller<Database> controller = Controller.builder("databases", informer, key -> {
                        reconciled.add(key.toString());
                        return Result.done();
                    })
                    .build();
            manager.add(controller);
            manager.start();
            assertThat(manager.isLeading()).isTrue();
            assertThat(controller.isRunning()).isTrue();
            fixture.create("team-a", "orders", "pg");
            Await.until("reconciled", () -> reconciled.contains("team-a/orders"));

            manager.close();
            assertThat(manager.isLeading()).isFalse();
            assertThat(controller.isRunning()).isFalse();
        }
    }
}
