package io.dbprovision.apiserver.managedfields;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.managedfields.FieldManager.AppliedConfig;
import io.dbprovision.apiserver.managedfields.FieldManager.ConflictException;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.ManagedFieldsEntry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class FieldManagerTest {
    private static final String HEAD = """
            apiVersion: dbops.dbprovision.io/v1alpha1
            kind: DatabaseInstance
            """;
    private final KubeCodec codec = KubeCodec.standard();
    private final Kind kind = Schema.get().byKind("DatabaseInstance").orElseThrow();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-02T03:04:05Z"));
    private final FieldManager fields = new FieldManager(kind, codec, clock);

    @Test
    void theAppliedSetNamesEveryFieldOfTheConfigurationZeroValuesAndEmptyObjectsIncluded() throws Exception {
        DatabaseInstance created = (DatabaseInstance) fields.apply(null, config(HEAD + """
                        metadata: {name: db1, namespace: ns, labels: {app: x}}
                        spec:
                          engine: postgres
                          connection: {host: h, database: "", bogus: 1}
                          tls: {}
                        status: {phase: Ready}
                        """), "alice", false, false);

        assertThat(created.getSpec().hasTls()).isTrue();
        assertThat(created.hasStatus()).isFalse();
        assertThat(created.getMetadata().getManagedFieldsList()).hasSize(1);
        ManagedFieldsEntry entry = created.getMetadata().getManagedFields(0);
        assertThat(entry.getManager()).isEqualTo("alice");
        assertThat(entry.getOperation()).isEqualTo("Apply");
        assertThat(entry.getApiVersion()).isEqualTo("dbops.dbprovision.io/v1alpha1");
        assertThat(entry.getFieldsType()).isEqualTo("FieldsV1");
        assertThat(entry.getTime().getSeconds()).isEqualTo(clock.instant().getEpochSecond());
        assertThat(entry.getSubresource()).isEmpty();
        assertThat(entry.getFieldsV1()).isEqualTo(FieldSetTest.struct("""
                        {"f:metadata":{"f:labels":{"f:app":{}}},
                         "f:spec":{"f:connection":{"f:database":{},"f:host":{}},"f:engine":{},"f:tls":{}}}"""));
    }

    @Test
    void updatesOwnWhatTheyAddOrChangeAndTakeItFromOthers() throws Exception {
        Message created = fields.update(null, object(HEAD + """
                metadata: {name: db1, labels: {app: x}}
                spec: {engine: postgres, connection: {host: h, port: 5432}}
                """), "kubectl-create", false);
        assertThat(entries(created))
                .containsExactly("Update kubectl-create  "
                        + set(
                                "metadata.labels",
                                "metadata.labels.app",
                                "spec",
                                "spec.engine",
                                "spec.connection",
                                "spec.connection.host",
                                "spec.connection.port"));
        assertThat(meta(created).getManagedFields(0).getFieldsV1()).isEqualTo(FieldSetTest.struct("""
                        {"f:metadata":{"f:labels":{".":{},"f:app":{}}},
                         "f:spec":{".":{},"f:connection":{".":{},"f:host":{},"f:port":{}},"f:engine":{}}}"""));

        clock.advance(Duration.ofMinutes(1));
        Message edited = fields.update(
                created,
                ((DatabaseInstance) object(HEAD + """
                metadata: {name: db1, labels: {app: x}}
                spec: {engine: postgres, connection: {host: h2}}
                """))
                        .toBuilder().setMetadata(meta(created)).build(),
                "kubectl-edit",
                false);

        assertThat(entries(edited))
                .containsExactly(
                        "Update kubectl-create  "
                                + set(
                                        "metadata.labels",
                                        "metadata.labels.app",
                                        "spec",
                                        "spec.engine",
                                        "spec.connection"),
                        "Update kubectl-edit  " + set("spec.connection.host"));
        assertThat(meta(edited).getManagedFields(1).getTime().getSeconds())
                .isEqualTo(clock.instant().getEpochSecond());

        // A write that changes nothing changes no entry, not even a time.
        clock.advance(Duration.ofMinutes(1));
        assertThat(fields.update(edited, edited, "kubectl-edit", false)).isEqualTo(edited);
    }

    @Test
    void objectsWithoutManagedFieldsStayUntrackedUntilTheFirstApply() throws Exception {
        Message untracked = object(HEAD + """
                metadata: {name: db1}
                spec: {engine: postgres, connection: {host: h}}
                """);
        assertThat(fields.update(untracked, untracked, "x", false)).isEqualTo(untracked);

        // The fields it had belong to "before-first-apply": changing them conflicts, applying them shares them.
        AppliedConfig changing = config(HEAD + """
                metadata: {name: db1}
                spec: {connection: {host: h2}}
                """);
        assertThatThrownBy(() -> fields.apply(untracked, changing, "alice", false, false))
                .hasMessage("Apply failed with 1 conflict: conflict with \"before-first-apply\" using"
                        + " dbops.dbprovision.io/v1alpha1: .spec.connection.host");
        Message applied = fields.apply(untracked, config(HEAD + """
                metadata: {name: db1, labels: {a: "1"}}
                spec: {connection: {host: h}}
                """), "alice", false, false);

        assertThat(entries(applied))
                .containsExactly(
                        "Apply alice  " + set("metadata.labels.a", "spec.connection.host"),
                        "Update before-first-apply  "
                                + set("spec", "spec.engine", "spec.connection", "spec.connection.host"));
    }

    @Test
    void aFieldAnotherManagerOwnsConflictsUnlessTheValueIsTheSameOrTheApplyIsForced() throws Exception {
        Message live = fields.apply(null, config(HEAD + """
                metadata: {name: db1}
                spec: {engine: postgres, connection: {host: h, port: 5432}}
                """), "alice", false, false);

        assertThatThrownBy(() -> fields.apply(live, config(HEAD + """
                        metadata: {name: db1}
                        spec: {connection: {host: other}}
                        """), "bob", false, false))
                .isInstanceOf(ConflictException.class)
                .hasMessage("Apply failed with 1 conflict: conflict with \"alice\": .spec.connection.host")
                .satisfies(e -> assertThat(((ConflictException) e).conflicts())
                        .containsExactly(new ConflictException.Conflict("\"alice\"", ".spec.connection.host")));
        assertThatThrownBy(() -> fields.apply(live, config(HEAD + """
                        metadata: {name: db1}
                        spec: {engine: mysql, connection: {host: other}}
                        """), "bob", false, false))
                .hasMessage("Apply failed with 2 conflicts: conflicts with \"alice\":\n- .spec.engine\n"
                        + "- .spec.connection.host");

        // The same value: both own it.
        Message shared = fields.apply(live, config(HEAD + """
                metadata: {name: db1}
                spec: {connection: {port: 5432}}
                """), "bob", false, false);
        assertThat(entries(shared))
                .containsExactly(
                        "Apply alice  " + set("spec.engine", "spec.connection.host", "spec.connection.port"),
                        "Apply bob  " + set("spec.connection.port"));

        // Forced: the field moves to the new manager.
        Message forced = fields.apply(shared, config(HEAD + """
                metadata: {name: db1}
                spec: {connection: {host: other, port: 5432}}
                """), "bob", true, false);
        assertThat(((DatabaseInstance) forced).getSpec().getConnection().getHost())
                .isEqualTo("other");
        assertThat(entries(forced))
                .containsExactly(
                        "Apply alice  " + set("spec.engine", "spec.connection.port"),
                        "Apply bob  " + set("spec.connection.host", "spec.connection.port"));
    }

    @Test
    void fieldsAManagerStopsApplyingAreRemovedUnlessAnotherManagerOwnsThem() throws Exception {
        Message live = fields.apply(null, config(HEAD + """
                metadata: {name: db1, labels: {a: "1", b: "2"}}
                spec:
                  engine: postgres
                  connection: {host: h, port: 5432}
                  tls: {enabled: true, mode: require}
                """), "alice", false, false);
        live = fields.apply(live, config(HEAD + """
                metadata: {name: db1}
                spec: {connection: {port: 5432}}
                """), "bob", false, false);

        DatabaseInstance pruned = (DatabaseInstance) fields.apply(live, config(HEAD + """
                metadata: {name: db1, labels: {a: "1"}}
                spec: {engine: postgres, connection: {host: h}}
                """), "alice", false, false);

        assertThat(pruned.getMetadata().getLabelsMap()).containsExactly(Map.entry("a", "1"));
        assertThat(pruned.getSpec().hasTls()).isFalse();
        assertThat(pruned.getSpec().getConnection().getPort()).isEqualTo(5432); // bob still owns it
        assertThat(pruned.getMetadata().getName()).isEqualTo("db1");
        assertThat(entries(pruned))
                .containsExactly(
                        "Apply alice  " + set("metadata.labels.a", "spec.engine", "spec.connection.host"),
                        "Apply bob  " + set("spec.connection.port"));

        DatabaseInstance dropped = (DatabaseInstance) fields.apply(pruned, config(HEAD + """
                metadata: {name: db1}
                """), "bob", false, false);
        assertThat(dropped.getSpec().getConnection().hasPort()).isFalse();
        assertThat(entries(dropped))
                .containsExactly("Apply alice  " + set("metadata.labels.a", "spec.engine", "spec.connection.host"));
    }

    @Test
    void anUnchangedReapplyReturnsTheSameObject() throws Exception {
        AppliedConfig config = config(HEAD + """
                metadata: {name: db1}
                spec: {engine: postgres, connection: {host: h}}
                """);
        Message live = fields.apply(null, config, "alice", false, false);
        clock.advance(Duration.ofMinutes(5));

        assertThat(fields.apply(live, config, "alice", false, false)).isEqualTo(live);
    }

    @Test
    void aConflictWithAnUpdaterNamesTheVersionItWroteIn() throws Exception {
        Message live = fields.update(null, object(HEAD + """
                metadata: {name: db1}
                spec: {engine: postgres, connection: {host: h}}
                """), "kubectl-create", false);

        assertThatThrownBy(() -> fields.apply(live, config(HEAD + """
                        metadata: {name: db1}
                        spec: {connection: {host: other}}
                        """), "kubectl", false, false))
                .hasMessage("Apply failed with 1 conflict: conflict with \"kubectl-create\" using"
                        + " dbops.dbprovision.io/v1alpha1: .spec.connection.host");
    }

    @Test
    void applyThroughStatusOwnsOnlyTheStatus() throws Exception {
        Message live = fields.apply(null, config(HEAD + """
                metadata: {name: db1}
                spec: {engine: postgres, connection: {host: h}}
                """), "alice", false, false);

        DatabaseInstance withStatus =
                (DatabaseInstance) fields.apply(live, config(HEAD + """
                metadata: {name: db1, labels: {ignored: "yes"}}
                spec: {connection: {host: ignored}}
                status: {phase: Ready, version: "16.2"}
                """), "controller", false, true);

        assertThat(withStatus.getSpec().getConnection().getHost()).isEqualTo("h");
        assertThat(withStatus.getMetadata().getLabelsMap()).isEmpty();
        assertThat(withStatus.getStatus().getVersion()).isEqualTo("16.2");
        assertThat(entries(withStatus))
                .containsExactly(
                        "Apply alice  " + set("spec.engine", "spec.connection.host"),
                        "Apply controller status " + set("status.phase", "status.version"));

        DatabaseInstance less =
                (DatabaseInstance) fields.apply(withStatus, config(HEAD + """
                metadata: {name: db1}
                status: {phase: Ready}
                """), "controller", false, true);
        assertThat(less.getStatus().getVersion()).isEmpty();
    }

    @Test
    void kubectlTakesOverTheFieldsOfItsClientSideApplyAnnotation() throws Exception {
        String lastApplied = "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"DatabaseInstance\","
                + "\"metadata\":{\"annotations\":{},\"name\":\"db1\"},"
                + "\"spec\":{\"connection\":{\"host\":\"h\"},\"engine\":\"postgres\"}}\n";
        DatabaseInstance object = (DatabaseInstance) object(HEAD + """
                metadata: {name: db1}
                spec: {engine: postgres, connection: {host: h}}
                """);
        Message live = fields.update(
                null,
                object.toBuilder()
                        .setMetadata(
                                object.getMetadata().toBuilder().putAnnotations(FieldManager.LAST_APPLIED, lastApplied))
                        .build(),
                "kubectl-client-side-apply",
                false);
        AppliedConfig changed = config(HEAD + """
                metadata: {name: db1}
                spec: {engine: postgres, connection: {host: h2}}
                """);

        assertThatThrownBy(() -> fields.apply(live, changed, "someone", false, false))
                .isInstanceOf(ConflictException.class);
        DatabaseInstance applied = (DatabaseInstance) fields.apply(live, changed, "kubectl", false, false);

        assertThat(applied.getSpec().getConnection().getHost()).isEqualTo("h2");
        assertThat(applied.getMetadata().getAnnotationsMap())
                .containsEntry(
                        FieldManager.LAST_APPLIED,
                        "{\"apiVersion\":\"dbops.dbprovision.io/v1alpha1\",\"kind\":\"DatabaseInstance\","
                                + "\"metadata\":{\"name\":\"db1\"},"
                                + "\"spec\":{\"connection\":{\"host\":\"h2\"},\"engine\":\"postgres\"}}\n");
        assertThat(entries(applied).getFirst())
                .isEqualTo("Apply kubectl  " + set("spec.engine", "spec.connection.host"));
    }

    @Test
    void managedFieldsSentByAWriterAreTheStartingPointAndOneEmptyEntryResetsThem() throws Exception {
        Message live = fields.apply(null, config(HEAD + """
                metadata: {name: db1}
                spec: {engine: postgres, connection: {host: h}}
                """), "alice", false, false);
        DatabaseInstance.Builder migrated = ((DatabaseInstance) live).toBuilder();
        migrated.getMetadataBuilder().getManagedFieldsBuilder(0).setManager("bob");

        assertThat(entries(fields.update(live, migrated.build(), "kubectl", false)))
                .containsExactly("Apply bob  " + set("spec.engine", "spec.connection.host"));

        DatabaseInstance.Builder reset = ((DatabaseInstance) live).toBuilder();
        reset.getMetadataBuilder().clearManagedFields().addManagedFields(ManagedFieldsEntry.getDefaultInstance());
        assertThat(meta(fields.update(live, reset.build(), "kubectl", false)).getManagedFieldsList())
                .isEmpty();

        DatabaseInstance.Builder invalid = ((DatabaseInstance) live).toBuilder();
        invalid.getMetadataBuilder().getManagedFieldsBuilder(0).setOperation("Steal");
        assertThat(fields.update(live, invalid.build(), "kubectl", false)).isEqualTo(live);
    }

    @Test
    void theOldestUpdateEntriesBeyondTenMergeIntoAncientChanges() throws Exception {
        DatabaseInstance live = (DatabaseInstance) fields.update(null, object(HEAD + """
                metadata: {name: db1}
                spec: {engine: postgres, connection: {host: h}}
                """), "creator", false);
        for (int i = 1; i <= 10; i++) {
            clock.advance(Duration.ofSeconds(1));
            DatabaseInstance.Builder next = live.toBuilder();
            next.getMetadataBuilder().putLabels("l" + i, "v");
            live = (DatabaseInstance) fields.update(live, next.build(), "writer-" + i, false);
        }

        List<String> managers = live.getMetadata().getManagedFieldsList().stream()
                .map(ManagedFieldsEntry::getManager)
                .toList();
        assertThat(managers).hasSize(10).startsWith("ancient-changes").doesNotContain("creator", "writer-1");
        assertThat(entries(live).getFirst())
                .isEqualTo("Update ancient-changes  "
                        + set(
                                "metadata.labels",
                                "metadata.labels.l1",
                                "spec",
                                "spec.engine",
                                "spec.connection",
                                "spec.connection.host"));
    }

    @Test
    void anApplyThatOnlyLeavesOutDefaultsInsideAListChangesNothingAndConflictsWithNoOne() throws Exception {
        Kind grants = Schema.get().byKind("DatabaseGrant").orElseThrow();
        ObjectRules rules = ObjectRules.standard();
        FieldManager grantFields = new FieldManager(grants, codec, clock, rules::applyDefaults);
        String yaml = """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseGrant
                metadata: {name: g1, namespace: ns}
                spec:
                  userRef: {name: app}
                  postgres:
                    grants:
                      - {database: orders, privileges: [CONNECT]}
                """;
        Message decoded = codec.decodeYaml(yaml.getBytes(StandardCharsets.UTF_8), grants.object())
                .object();
        // kubectl apply (client-side) created it: the stored list items carry withGrantOption: false
        Message live = grantFields.update(null, rules.applyDefaults(decoded), "kubectl-client-side-apply", false);
        assertThat(((DatabaseGrant) live).getSpec().getPostgres().getGrants(0).hasWithGrantOption())
                .isTrue();
        @SuppressWarnings("unchecked")
        Map<String, Object> raw =
                (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml);

        Message applied = grantFields.apply(live, grantFields.config(raw, decoded), "ci", false, false);

        assertThat(rules.applyDefaults(applied).getField(specOf(applied))).isEqualTo(live.getField(specOf(live)));
        assertThat(((DatabaseGrant) applied).getMetadata().getManagedFieldsList())
                .extracting(ManagedFieldsEntry::getManager)
                .containsExactly("ci", "kubectl-client-side-apply");
        // a real change of the list still conflicts
        String changed = yaml.replace("CONNECT", "TEMPORARY");
        @SuppressWarnings("unchecked")
        Map<String, Object> changedRaw =
                (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(changed);
        Message changedDecoded = codec.decodeYaml(changed.getBytes(StandardCharsets.UTF_8), grants.object())
                .object();
        assertThatThrownBy(() ->
                        grantFields.apply(live, grantFields.config(changedRaw, changedDecoded), "ci", false, false))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining(".spec.postgres.grants");
    }

    private static com.google.protobuf.Descriptors.FieldDescriptor specOf(Message object) {
        return object.getDescriptorForType().findFieldByName("spec");
    }

    // ---- helpers

    private AppliedConfig config(String yaml) {
        @SuppressWarnings("unchecked")
        Map<String, Object> raw =
                (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml);
        return fields.config(raw, object(yaml));
    }

    private Message object(String yaml) {
        return codec.decodeYaml(yaml.getBytes(StandardCharsets.UTF_8), kind.object())
                .object();
    }

    private static io.dbprovision.proto.v1alpha1.ObjectMeta meta(Message object) {
        return ((DatabaseInstance) object).getMetadata();
    }

    /** Each entry as "operation manager subresource [paths]". */
    private static List<String> entries(Message object) {
        return meta(object).getManagedFieldsList().stream()
                .map(e -> e.getOperation() + " " + e.getManager() + " " + e.getSubresource() + " "
                        + FieldSet.fromFieldsV1(e.getFieldsV1()))
                .toList();
    }

    private static String set(String... dotted) {
        return FieldSet.ofFields(dotted).toString();
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
