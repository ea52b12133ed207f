package io.dbprovision.apiserver.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.dbprovision.proto.k8s.core.v1.Namespace;
import io.dbprovision.proto.k8s.core.v1.NamespaceSpec;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseStatus;
import io.dbprovision.proto.v1alpha1.ManagedFieldsEntry;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The rule that keeps controllers out of hot loops, change by change. */
class UpdatePredicateTest {
    private static final UpdatePredicate<Database> RULE = UpdatePredicate.generationOrMetadataChanged();
    private static final Database BEFORE = RegistryFixture.database("team-a", "orders", "pg").toBuilder()
            .setMetadata(ObjectMeta.newBuilder()
                    .setNamespace("team-a")
                    .setName("orders")
                    .setGeneration(3)
                    .setResourceVersion("10")
                    .putLabels("app", "shop")
                    .putAnnotations("note", "x")
                    .addFinalizers("dbops.dbprovision.io/finalizer"))
            .build();

    private static boolean reconciles(UnaryOperator<ObjectMeta.Builder> change) {
        Database after = BEFORE.toBuilder()
                .setMetadata(change.apply(BEFORE.getMetadata().toBuilder()))
                .build();
        return RULE.test(BEFORE, after);
    }

    @Test
    void aStatusWriteDoesNotReconcile() {
        Database after = BEFORE.toBuilder()
                .setStatus(DatabaseStatus.newBuilder().setObservedGeneration(3).setMessage("ready"))
                .setMetadata(BEFORE.getMetadata().toBuilder()
                        .setResourceVersion("11")
                        .addManagedFields(ManagedFieldsEntry.newBuilder().setManager("reconciler")))
                .build();
        assertThat(RULE.test(BEFORE, after)).isFalse();
    }

    @Test
    void aNewGenerationReconciles() {
        assertThat(reconciles(meta -> meta.setGeneration(4).setResourceVersion("11")))
                .isTrue();
    }

    @Test
    void metadataThatReconcilersActOnReconciles() {
        assertThat(reconciles(meta -> meta.putLabels("tier", "gold"))).isTrue();
        assertThat(reconciles(meta -> meta.putAnnotations("dbops.dbprovision.io/force-delete", "true")))
                .isTrue();
        assertThat(reconciles(ObjectMeta.Builder::clearFinalizers)).isTrue();
        assertThat(reconciles(
                        meta -> meta.setDeletionTimestamp(Timestamp.newBuilder().setSeconds(1))))
                .isTrue();
    }

    @Test
    void aNamespaceWhoseSpecFinalizerGoesReconciles() {
        Namespace terminating = Namespace.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setName("team-a").setGeneration(1))
                .setSpec(NamespaceSpec.newBuilder().addFinalizers("kubernetes"))
                .build();
        Namespace finished = terminating.toBuilder()
                .setSpec(NamespaceSpec.getDefaultInstance())
                .build();
        assertThat(UpdatePredicate.<Namespace>generationOrMetadataChanged().test(terminating, finished))
                .isTrue();
    }
}
