package io.dbprovision.apiserver.corev1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.dbprovision.apiserver.audit.SettableClock;
import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.proto.k8s.core.v1.Event;
import io.dbprovision.proto.k8s.core.v1.Namespace;
import io.dbprovision.proto.k8s.rbac.v1.ClusterRole;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseInstance;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The recorder and its correlation against an in-memory sink: what an Event says, counting the same Event instead of
 * writing it again, the bounded queue, and that nothing a caller hands it (or a sink that fails) ever fails the caller.
 */
class CorrelatingEventRecorderTest {
    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00.123456789Z");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final CorrelatingEventRecorder.Settings FAST =
            CorrelatingEventRecorder.Settings.defaults().withRetries(3, Duration.ofMillis(1));

    private final SettableClock clock = new SettableClock(T0);
    private final RecordingEventSink sink = new RecordingEventSink();
    private final List<CorrelatingEventRecorder> recorders = new ArrayList<>();

    private CorrelatingEventRecorder recorder(CorrelatingEventRecorder.Settings settings) {
        CorrelatingEventRecorder recorder = new CorrelatingEventRecorder(sink, "dbprovision-0", clock, settings);
        recorders.add(recorder);
        return recorder;
    }

    private CorrelatingEventRecorder recorder() {
        return recorder(FAST);
    }

    @AfterEach
    void close() {
        sink.release();
        recorders.forEach(CorrelatingEventRecorder::close);
    }

    static Database database(String namespace, String name) {
        return Database.newBuilder()
                .setApiVersion("dbops.dbprovision.io/v1alpha1")
                .setKind("Database")
                .setMetadata(ObjectMeta.newBuilder()
                        .setNamespace(namespace)
                        .setName(name)
                        .setUid("uid-" + name)
                        .setResourceVersion("42"))
                .build();
    }

    private void awaitWritten(CorrelatingEventRecorder recorder, long writes) {
        Await.until(writes + " writes", () -> recorder.written() + recorder.failed() >= writes);
    }

    @Test
    void anEventNamesItsObjectAndTheControllerThatReportsIt() {
        CorrelatingEventRecorder recorder = recorder();
        recorder.normal(database("team-a", "orders"), "Created", "database orders created on pg-main");
        awaitWritten(recorder, 1);

        Event event = sink.events().getFirst();
        assertThat(event.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(event.getMetadata().getName()).matches("orders\\.[0-9a-f]{16}");
        assertThat(event.getApiVersion()).isEqualTo("v1");
        assertThat(event.getKind()).isEqualTo("Event");
        assertThat(event.getInvolvedObject().getApiVersion()).isEqualTo("dbops.dbprovision.io/v1alpha1");
        assertThat(event.getInvolvedObject().getKind()).isEqualTo("Database");
        assertThat(event.getInvolvedObject().getNamespace()).isEqualTo("team-a");
        assertThat(event.getInvolvedObject().getName()).isEqualTo("orders");
        assertThat(event.getInvolvedObject().getUid()).isEqualTo("uid-orders");
        assertThat(event.getInvolvedObject().getResourceVersion()).isEqualTo("42");
        assertThat(event.getType()).isEqualTo("Normal");
        assertThat(event.getReason()).isEqualTo("Created");
        assertThat(event.getMessage()).isEqualTo("database orders created on pg-main");
        assertThat(event.getSource().getComponent()).isEqualTo("dbprovision-controller");
        assertThat(event.getSource().getHost()).isEqualTo("dbprovision-0");
        assertThat(event.getReportingComponent()).isEqualTo("dbprovision-controller");
        assertThat(event.getReportingInstance()).isEqualTo("dbprovision-0");
        assertThat(event.getCount()).isEqualTo(1);
        Timestamp second =
                Timestamp.newBuilder().setSeconds(T0.getEpochSecond()).build();
        assertThat(event.getFirstTimestamp()).isEqualTo(second);
        assertThat(event.getLastTimestamp()).isEqualTo(second);
    }

    @Test
    void anObjectWithoutApiVersionOrKindIsNamedByTheKindItsMessageIs() {
        CorrelatingEventRecorder recorder = recorder();
        recorder.warning(
                database("team-a", "orders").toBuilder()
                        .clearApiVersion()
                        .clearKind()
                        .build(),
                "Failed",
                "no");
        awaitWritten(recorder, 1);

        Event event = sink.events().getFirst();
        assertThat(event.getType()).isEqualTo("Warning");
        assertThat(event.getInvolvedObject().getApiVersion()).isEqualTo("dbops.dbprovision.io/v1alpha1");
        assertThat(event.getInvolvedObject().getKind()).isEqualTo("Database");
    }

    @Test
    void theSameEventWithinTenMinutesOfItsLastOccurrenceIsCountedOnTheEventWritten() {
        CorrelatingEventRecorder recorder = recorder();
        Database orders = database("team-a", "orders");
        recorder.warning(orders, "ConnectFailed", "pg-main: connection refused");
        awaitWritten(recorder, 1);
        clock.advance(Duration.ofMinutes(9));
        recorder.warning(orders, "ConnectFailed", "pg-main: connection refused");
        awaitWritten(recorder, 2);
        clock.advance(Duration.ofMinutes(10)); // ten minutes after the last occurrence: still the same Event
        // a newer version of the object is the same object
        recorder.warning(
                orders.toBuilder()
                        .setMetadata(orders.getMetadata().toBuilder().setResourceVersion("43"))
                        .build(),
                "ConnectFailed",
                "pg-main: connection refused");
        awaitWritten(recorder, 3);

        assertThat(sink.events()).singleElement().satisfies(event -> {
            assertThat(event.getCount()).isEqualTo(3);
            assertThat(event.getFirstTimestamp().getSeconds()).isEqualTo(T0.getEpochSecond());
            assertThat(event.getLastTimestamp().getSeconds())
                    .isEqualTo(T0.plus(Duration.ofMinutes(19)).getEpochSecond());
        });
        assertThat(sink.calls).hasSize(3);
        assertThat(sink.calls.get(0)).startsWith("create ");
        assertThat(sink.calls.subList(1, 3))
                .allMatch(call -> call.equals(sink.calls.get(0).replace("create", "update")));

        clock.advance(Duration.ofMinutes(10).plusSeconds(1)); // past the window: a new Event
        recorder.warning(orders, "ConnectFailed", "pg-main: connection refused");
        awaitWritten(recorder, 4);
        assertThat(sink.events())
                .hasSize(2)
                .anySatisfy(event -> assertThat(event.getCount()).isEqualTo(1));
    }

    @Test
    void anotherObjectTypeReasonOrMessageIsAnotherEvent() {
        CorrelatingEventRecorder recorder = recorder();
        recorder.normal(database("team-a", "orders"), "Created", "created");
        recorder.normal(database("team-a", "billing"), "Created", "created");
        recorder.normal(database("team-b", "orders"), "Created", "created");
        recorder.warning(database("team-a", "orders"), "Created", "created");
        recorder.normal(database("team-a", "orders"), "Updated", "created");
        recorder.normal(database("team-a", "orders"), "Created", "created again");
        Database recreated = database("team-a", "orders").toBuilder()
                .setMetadata(
                        database("team-a", "orders").getMetadata().toBuilder().setUid("uid-of-the-next-one"))
                .build();
        recorder.normal(recreated, "Created", "created");
        awaitWritten(recorder, 7);

        assertThat(sink.events())
                .hasSize(7)
                .allSatisfy(event -> assertThat(event.getCount()).isEqualTo(1));
        assertThat(sink.events().stream().map(event -> event.getMetadata().getName()))
                .doesNotHaveDuplicates();
    }

    @Test
    void eventsAboutClusterScopedObjectsGoToTheDefaultNamespace() {
        CorrelatingEventRecorder recorder = recorder();
        recorder.normal(
                ClusterDatabaseInstance.newBuilder()
                        .setMetadata(ObjectMeta.newBuilder().setName("pg-main").setUid("uid-pg"))
                        .build(),
                "Connected",
                "PostgreSQL 16.2");
        recorder.normal(
                Namespace.newBuilder()
                        .setMetadata(ObjectMeta.newBuilder().setName("team-a"))
                        .build(),
                "Provisioned",
                "namespace created for a Database");
        awaitWritten(recorder, 2);

        assertThat(sink.events()).hasSize(2).allSatisfy(event -> {
            assertThat(event.getMetadata().getNamespace()).isEqualTo("default");
            assertThat(event.getInvolvedObject().getNamespace()).isEmpty();
        });
        assertThat(sink.events())
                .anySatisfy(event -> {
                    assertThat(event.getInvolvedObject().getKind()).isEqualTo("ClusterDatabaseInstance");
                    assertThat(event.getInvolvedObject().getApiVersion()).isEqualTo("dbops.dbprovision.io/v1alpha1");
                })
                .anySatisfy(event -> {
                    assertThat(event.getInvolvedObject().getKind()).isEqualTo("Namespace");
                    assertThat(event.getInvolvedObject().getApiVersion()).isEqualTo("v1");
                });
    }

    @Test
    void messagesAreCutToOneKibibyteAtACharacterBoundaryAndReasonsTo128Characters() {
        CorrelatingEventRecorder recorder = recorder();
        String exactly = "m".repeat(1024);
        recorder.normal(database("team-a", "exact"), "Fits", exactly);
        recorder.normal(database("team-a", "ascii"), "Cut", "m".repeat(1025));
        recorder.normal(database("team-a", "accents"), "Cut", "é".repeat(100_000));
        recorder.normal(database("team-a", "emoji"), "Cut", "x" + "\uD83D\uDE00".repeat(1_000)); // 4 bytes each
        recorder.normal(database("team-a", "reason"), "R".repeat(100_000), "short");
        recorder.normal(database("team-a", "nulls"), null, null);
        awaitWritten(recorder, 6);

        for (Event event : sink.events()) {
            byte[] utf8 = event.getMessage().getBytes(StandardCharsets.UTF_8);
            assertThat(utf8.length).as(event.getInvolvedObject().getName()).isLessThanOrEqualTo(1024);
            assertThat(new String(utf8, StandardCharsets.UTF_8)).isEqualTo(event.getMessage()); // no half character
            assertThat(event.getReason().length()).isLessThanOrEqualTo(128);
        }
        assertThat(event("exact").getMessage()).isEqualTo(exactly);
        assertThat(event("ascii").getMessage()).endsWith(" ...").hasSize(1024);
        assertThat(event("accents").getMessage()).endsWith(" ...").startsWith("éé");
        assertThat(event("emoji").getMessage()).endsWith(" ...").startsWith("x\uD83D\uDE00");
        assertThat(event("reason").getReason()).hasSize(128);
        assertThat(event("nulls").getMessage()).isEmpty();
    }

    private Event event(String objectName) {
        return sink.events().stream()
                .filter(event -> event.getInvolvedObject().getName().equals(objectName))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void eventNamesAreValidAndShortEnoughWhateverTheObjectIsCalled() {
        CorrelatingEventRecorder recorder = recorder();
        List<Message> objects = List.of(
                database("team-a", "a".repeat(253)),
                database("team-a", "a".repeat(235) + "-b.c" + "d".repeat(14)), // a '-' or '.' where the name is cut
                database("team-a", "a".repeat(234) + ".-" + "e".repeat(17)),
                database("team-a", "x".repeat(100_000)), // no stored object is called so, but nothing is refused
                ClusterRole.newBuilder()
                        .setMetadata(ObjectMeta.newBuilder().setName("system:basic-user"))
                        .build(),
                ClusterRole.newBuilder()
                        .setMetadata(ObjectMeta.newBuilder().setName(":::"))
                        .build(),
                ClusterRole.newBuilder()
                        .setMetadata(ObjectMeta.newBuilder().setName("Ünïcödé..Name"))
                        .build());
        for (Message object : objects) {
            recorder.normal(object, "Checked", "names");
        }
        awaitWritten(recorder, objects.size());

        assertThat(sink.events()).hasSize(objects.size()).allSatisfy(event -> {
            String name = event.getMetadata().getName();
            assertThat(name.length()).as(name).isLessThanOrEqualTo(253);
            assertThat(name).as(name).matches(DNS_SUBDOMAIN);
            assertThat(name).matches(".*\\.[0-9a-f]{16}");
        });
        assertThat(sink.events())
                .anySatisfy(event -> assertThat(event.getMetadata().getName()).startsWith("system-basic-user."))
                .anySatisfy(event -> assertThat(event.getMetadata().getName()).startsWith("object."));
        assertThat(sink.events().stream()
                        .map(event -> event.getInvolvedObject().getName().length())
                        .max(Comparator.naturalOrder()))
                .contains(253);
    }

    @Test
    void whenTheQueueIsFullEventsAreDroppedAndCountedNeverWaitedFor() throws Exception {
        CorrelatingEventRecorder recorder = recorder(FAST.withQueueCapacity(2));
        sink.hold();
        recorder.normal(database("team-a", "db-0"), "Busy", "the writer takes this one and is held");
        sink.awaitEntered();

        for (int i = 1; i <= 10; i++) {
            recorder.normal(database("team-a", "db-" + i), "Busy", "queued or dropped");
        }

        assertThat(recorder.dropped()).isEqualTo(8);
        sink.release();
        awaitWritten(recorder, 3);
        assertThat(sink.events()).hasSize(3);
        assertThat(recorder.dropped()).isEqualTo(8);
    }

    @Test
    void aSinkThatFailsNeverFailsTheCallerAndIsTriedAgainWhileTheFailureMayPass() {
        CorrelatingEventRecorder recorder = recorder();
        sink.failure.set(new ApiException.Unavailable("storage is unavailable: down", null));

        assertThatCode(() -> recorder.warning(database("team-a", "orders"), "Failed", "down"))
                .doesNotThrowAnyException();
        Await.until("the write gave up", () -> recorder.failed() == 1);
        assertThat(sink.calls).hasSize(3); // three attempts

        sink.failure.set(new ApiException.Forbidden("unable to create new content in namespace team-a"));
        recorder.warning(database("team-a", "orders"), "Failed", "forbidden");
        Await.until("the write gave up", () -> recorder.failed() == 2);
        assertThat(sink.calls).hasSize(4); // a refusal is not tried again

        sink.failure.set(new IllegalStateException("a bug in the sink"));
        recorder.warning(database("team-a", "orders"), "Failed", "bug");
        Await.until("the write gave up", () -> recorder.failed() == 3);

        sink.failure.set(null);
        recorder.warning(database("team-a", "orders"), "Failed", "down"); // never written, so written now
        awaitWritten(recorder, 4);
        assertThat(sink.events())
                .singleElement()
                .satisfies(event -> assertThat(event.getCount()).isEqualTo(1));
    }

    @Test
    void whatACallerHandsItNeverFailsTheCaller() {
        CorrelatingEventRecorder recorder = recorder();
        List<Message> hostile = new ArrayList<>();
        hostile.add(null);
        hostile.add(Timestamp.getDefaultInstance()); // no metadata
        hostile.add(Database.getDefaultInstance()); // no name
        for (Message object : hostile) {
            assertThatCode(() -> recorder.normal(object, "Odd", "odd")).doesNotThrowAnyException();
            assertThatCode(() -> recorder.warning(object, null, null)).doesNotThrowAnyException();
        }
        recorder.normal(database("team-a", "after"), "Fine", "fine");
        awaitWritten(recorder, 1);
        assertThat(sink.events())
                .singleElement()
                .satisfies(
                        event -> assertThat(event.getInvolvedObject().getName()).isEqualTo("after"));
    }

    @Test
    void anEventGoneFromTheStoreIsWrittenAgainUnderItsNameWhenItOccursAgain() {
        CorrelatingEventRecorder recorder = recorder();
        recorder.normal(database("team-a", "orders"), "Synced", "in sync");
        awaitWritten(recorder, 1);
        String name = sink.events().getFirst().getMetadata().getName();
        sink.stored.clear(); // expired

        recorder.normal(database("team-a", "orders"), "Synced", "in sync");
        awaitWritten(recorder, 2);

        assertThat(sink.events()).singleElement().satisfies(event -> {
            assertThat(event.getMetadata().getName()).isEqualTo(name);
            assertThat(event.getCount()).isEqualTo(2);
        });
    }

    @Test
    void aNameAlreadyTakenIsReplacedOnce() {
        CorrelatingEventRecorder recorder = recorder();
        sink.refuseNextCreateAsTaken();
        recorder.normal(database("team-a", "orders"), "Created", "created");
        awaitWritten(recorder, 1);

        assertThat(sink.calls).hasSize(2);
        assertThat(sink.calls.get(0)).isNotEqualTo(sink.calls.get(1));
        assertThat(sink.events()).hasSize(1);
    }

    @Test
    void theOldestRecentEventsAreForgottenBeyondTheBound() {
        CorrelatingEventRecorder recorder = recorder(FAST.withRecentEvents(2));
        recorder.normal(database("team-a", "a"), "R", "m");
        recorder.normal(database("team-a", "b"), "R", "m");
        recorder.normal(database("team-a", "c"), "R", "m");
        recorder.normal(database("team-a", "a"), "R", "m"); // forgotten: written anew
        recorder.normal(database("team-a", "c"), "R", "m"); // remembered: counted
        awaitWritten(recorder, 5);

        assertThat(sink.events().stream()
                        .filter(event -> event.getInvolvedObject().getName().equals("a")))
                .hasSize(2);
        assertThat(event("c").getCount()).isEqualTo(2);
    }

    @Test
    void closingWritesWhatIsQueuedAndThenTakesNothingMore() {
        CorrelatingEventRecorder recorder = recorder();
        for (int i = 0; i < 5; i++) {
            recorder.normal(database("team-a", "db-" + i), "Created", "created");
        }
        recorder.close();

        assertThat(recorder.written()).isEqualTo(5);
        recorder.normal(database("team-a", "late"), "Created", "created");
        assertThat(recorder.dropped()).isEqualTo(1);
        assertThat(sink.events()).hasSize(5);
    }

    @Test
    void closingGivesUpOnAStuckSinkAfterTheDrainTimeout() throws Exception {
        CorrelatingEventRecorder recorder = recorder(FAST.withDrainTimeout(Duration.ofMillis(50)));
        sink.hold();
        recorder.normal(database("team-a", "stuck"), "Created", "held forever");
        sink.awaitEntered();
        recorder.normal(database("team-a", "queued"), "Created", "never written");

        recorder.close(); // returns although the sink never answers

        assertThat(recorder.dropped()).isEqualTo(1);
        assertThat(recorder.written()).isZero();
    }
}
