package io.dbprovision.apiserver.corev1;

import com.google.protobuf.Timestamp;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.dbprovision.proto.v1alpha1.OwnerReference;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Object metadata between our proto {@link ObjectMeta} and client-java's {@link V1ObjectMeta}: what a controller
 * reads and writes (name, namespace, uid, resourceVersion, generation, timestamps, labels, annotations, owner
 * references, finalizers). Managed fields are left out both ways: the kube-apiserver keeps them itself, and a
 * controller that sent back what it read would only make its PUTs larger.
 */
final class MetaConversion {
    private MetaConversion() {}

    static V1ObjectMeta toKube(ObjectMeta meta) {
        V1ObjectMeta kube = new V1ObjectMeta();
        kube.setName(emptyToNull(meta.getName()));
        kube.setGenerateName(emptyToNull(meta.getGenerateName()));
        kube.setNamespace(emptyToNull(meta.getNamespace()));
        kube.setUid(emptyToNull(meta.getUid()));
        kube.setResourceVersion(emptyToNull(meta.getResourceVersion()));
        if (meta.getLabelsCount() > 0) {
            kube.setLabels(new LinkedHashMap<>(meta.getLabelsMap()));
        }
        if (meta.getAnnotationsCount() > 0) {
            kube.setAnnotations(new LinkedHashMap<>(meta.getAnnotationsMap()));
        }
        if (meta.getFinalizersCount() > 0) {
            kube.setFinalizers(List.copyOf(meta.getFinalizersList()));
        }
        for (OwnerReference owner : meta.getOwnerReferencesList()) {
            V1OwnerReference reference = new V1OwnerReference()
                    .apiVersion(owner.getApiVersion())
                    .kind(owner.getKind())
                    .name(owner.getName())
                    .uid(owner.getUid());
            if (owner.hasController()) {
                reference.setController(owner.getController());
            }
            if (owner.hasBlockOwnerDeletion()) {
                reference.setBlockOwnerDeletion(owner.getBlockOwnerDeletion());
            }
            kube.addOwnerReferencesItem(reference);
        }
        // uid, generation, timestamps: read-only, set by the kube-apiserver; sending the uid back is harmless (it is a
        // precondition of an update there) and the rest is ignored, so only the uid goes.
        return kube;
    }

    static ObjectMeta fromKube(V1ObjectMeta kube) {
        ObjectMeta.Builder meta = ObjectMeta.newBuilder();
        if (kube == null) {
            return meta.build();
        }
        meta.setName(nullToEmpty(kube.getName()))
                .setGenerateName(nullToEmpty(kube.getGenerateName()))
                .setNamespace(nullToEmpty(kube.getNamespace()))
                .setUid(nullToEmpty(kube.getUid()))
                .setResourceVersion(nullToEmpty(kube.getResourceVersion()));
        if (kube.getGeneration() != null) {
            meta.setGeneration(kube.getGeneration());
        }
        if (kube.getCreationTimestamp() != null) {
            meta.setCreationTimestamp(timestamp(kube.getCreationTimestamp()));
        }
        if (kube.getDeletionTimestamp() != null) {
            meta.setDeletionTimestamp(timestamp(kube.getDeletionTimestamp()));
        }
        if (kube.getDeletionGracePeriodSeconds() != null) {
            meta.setDeletionGracePeriodSeconds(kube.getDeletionGracePeriodSeconds());
        }
        if (kube.getLabels() != null) {
            meta.putAllLabels(kube.getLabels());
        }
        if (kube.getAnnotations() != null) {
            meta.putAllAnnotations(kube.getAnnotations());
        }
        if (kube.getFinalizers() != null) {
            meta.addAllFinalizers(kube.getFinalizers());
        }
        if (kube.getOwnerReferences() != null) {
            for (V1OwnerReference owner : kube.getOwnerReferences()) {
                OwnerReference.Builder reference = OwnerReference.newBuilder()
                        .setApiVersion(nullToEmpty(owner.getApiVersion()))
                        .setKind(nullToEmpty(owner.getKind()))
                        .setName(nullToEmpty(owner.getName()))
                        .setUid(nullToEmpty(owner.getUid()));
                if (owner.getController() != null) {
                    reference.setController(owner.getController());
                }
                if (owner.getBlockOwnerDeletion() != null) {
                    reference.setBlockOwnerDeletion(owner.getBlockOwnerDeletion());
                }
                meta.addOwnerReferences(reference);
            }
        }
        return meta.build();
    }

    static Timestamp timestamp(OffsetDateTime time) {
        Instant instant = time.toInstant();
        return Timestamp.newBuilder()
                .setSeconds(instant.getEpochSecond())
                .setNanos(instant.getNano())
                .build();
    }

    /** A proto timestamp as client-java's time, or null when unset (the field is then left out of the JSON). */
    static OffsetDateTime offsetDateTime(boolean present, Timestamp timestamp) {
        if (!present) {
            return null;
        }
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos())
                .atOffset(ZoneOffset.UTC);
    }

    static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
