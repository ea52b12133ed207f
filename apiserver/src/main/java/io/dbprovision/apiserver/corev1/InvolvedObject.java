package io.dbprovision.apiserver.corev1;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.proto.k8s.core.v1.ObjectReference;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.util.List;
import java.util.Optional;

/**
 * The {@code involvedObject} of an Event about a stored object, as client-go's {@code reference.GetReference} makes
 * it: apiVersion, kind, namespace, name, uid and resourceVersion. An object without apiVersion or kind (one built in
 * code rather than read back) gets those of the kind its message is, when this server serves it.
 */
final class InvolvedObject {
    private static final List<Schema> SCHEMAS = List.of(Schema.get(), Schema.core(), Schema.rbac());

    private InvolvedObject() {}

    /** The reference, or empty when {@code object} has no metadata or no name (no Event can be about it). */
    static Optional<ObjectReference> of(Message object) {
        if (object == null) {
            return Optional.empty();
        }
        Descriptor type = object.getDescriptorForType();
        FieldDescriptor metadata = type.findFieldByName("metadata");
        if (metadata == null
                || !(object.getField(metadata) instanceof ObjectMeta meta)
                || meta.getName().isEmpty()) {
            return Optional.empty();
        }
        String apiVersion = text(object, "api_version");
        String kind = text(object, "kind");
        if (apiVersion.isEmpty() || kind.isEmpty()) {
            Optional<Kind> served = servedKind(type);
            if (served.isPresent()) {
                apiVersion = apiVersion.isEmpty() ? served.get().apiVersion() : apiVersion;
                kind = kind.isEmpty() ? served.get().kind() : kind;
            }
        }
        int max = EventText.MAX_REFERENCE;
        return Optional.of(ObjectReference.newBuilder()
                .setApiVersion(EventText.clip(apiVersion, max))
                .setKind(EventText.clip(kind, max))
                .setNamespace(EventText.clip(meta.getNamespace(), max))
                .setName(EventText.clip(meta.getName(), max))
                .setUid(EventText.clip(meta.getUid(), max))
                .setResourceVersion(EventText.clip(meta.getResourceVersion(), max))
                .build());
    }

    private static String text(Message object, String field) {
        FieldDescriptor descriptor = object.getDescriptorForType().findFieldByName(field);
        return descriptor != null && object.getField(descriptor) instanceof String value ? value : "";
    }

    private static Optional<Kind> servedKind(Descriptor type) {
        for (Schema schema : SCHEMAS) {
            for (Kind kind : schema.kinds()) {
                if (kind.descriptor().equals(type)) {
                    return Optional.of(kind);
                }
            }
        }
        return Optional.empty();
    }
}
