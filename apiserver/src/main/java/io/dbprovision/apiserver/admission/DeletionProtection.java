package io.dbprovision.apiserver.admission;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.admission.AdmissionPlugin;
import io.dbprovision.apiserver.registry.admission.AdmissionRequest;
import io.dbprovision.apiserver.registry.admission.Operation;

/**
 * {@code spec.deletionProtection}, as the field's documentation promises: an object whose protection is on (the
 * default) cannot be deleted unless it is annotated {@code dbops.dbprovision.io/force-delete: "true"}. Refused at
 * the door with 403, rather than accepted and then left hanging on a finalizer as the system we re-create does.
 * The same holds for the deletion of a namespace's content: the namespace stays Terminating until the protected
 * objects are released.
 */
public final class DeletionProtection implements AdmissionPlugin {
    public static final String FORCE_DELETE = "dbops.dbprovision.io/force-delete";

    @Override
    public String name() {
        return "DeletionProtection";
    }

    @Override
    public void admit(AdmissionRequest request) {
        if (request.operation() != Operation.DELETE || request.oldObject().isEmpty()) {
            return;
        }
        Message object = request.oldObject().get();
        if (!isProtected(object) || "true".equals(Objects.meta(object).getAnnotationsOrDefault(FORCE_DELETE, ""))) {
            return;
        }
        throw new ApiException.Forbidden(request.kind().qualifiedResource() + " \"" + request.name()
                + "\" is forbidden: it is protected from deletion (spec.deletionProtection is true); set"
                + " spec.deletionProtection to false, or annotate it " + FORCE_DELETE + "=true, to delete it");
    }

    private static boolean isProtected(Message object) {
        FieldDescriptor specField = object.getDescriptorForType().findFieldByName("spec");
        if (specField == null || specField.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
            return false;
        }
        Message spec = (Message) object.getField(specField);
        FieldDescriptor protection = spec.getDescriptorForType().findFieldByName("deletion_protection");
        if (protection == null || protection.getJavaType() != FieldDescriptor.JavaType.BOOLEAN) {
            return false;
        }
        // Stored objects carry the default (true); an object without the field set is protected too.
        return !spec.hasField(protection) || (Boolean) spec.getField(protection);
    }
}
