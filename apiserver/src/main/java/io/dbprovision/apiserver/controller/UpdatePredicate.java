package io.dbprovision.apiserver.controller;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.proto.v1alpha1.ObjectMeta;

/**
 * Whether an update of an object is worth a reconcile. The default, {@link #generationOrMetadataChanged()}, is the
 * rule that keeps controllers out of hot loops: a write of the status (which leaves {@code metadata.generation} as
 * it is) or anything else that only moves {@code resourceVersion} or {@code managedFields} does not reconcile again.
 */
@FunctionalInterface
public interface UpdatePredicate<T> {
    boolean test(T oldObject, T newObject);

    /** Every update. */
    static <T> UpdatePredicate<T> always() {
        return (oldObject, newObject) -> true;
    }

    /**
     * An update that changed what a reconciler acts on: the generation (the spec), the finalizers (of the metadata or,
     * for a Namespace, its spec), the deletion timestamp, the annotations or the labels.
     */
    static <T extends Message> UpdatePredicate<T> generationOrMetadataChanged() {
        return (oldObject, newObject) -> {
            ObjectMeta before = Objects.meta(oldObject);
            ObjectMeta after = Objects.meta(newObject);
            return before.getGeneration() != after.getGeneration()
                    || !before.getFinalizersList().equals(after.getFinalizersList())
                    || !Objects.specFinalizers(oldObject).equals(Objects.specFinalizers(newObject))
                    || before.hasDeletionTimestamp() != after.hasDeletionTimestamp()
                    || !before.getDeletionTimestamp().equals(after.getDeletionTimestamp())
                    || !before.getAnnotationsMap().equals(after.getAnnotationsMap())
                    || !before.getLabelsMap().equals(after.getLabelsMap());
        };
    }
}
