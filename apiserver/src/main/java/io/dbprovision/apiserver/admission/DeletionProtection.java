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
 *
 * <p>The dbops kinds without that field (DatabaseUser, DatabaseRole, ClusterDatabaseRole) are protected by the
 * annotation {@value #PROTECTION_ANNOTATION}{@code : "true"} instead, as in the seed, and refused the same way.
 */
public final class DeletionProtection implements AdmissionPlugin {
    public static final String FORCE_DELETE = "dbops.dbprovision.io/force-delete";
    public static final String PROTECTION_ANNOTATION = "dbops.dbprovision.io/deletion-protection";
    private static final String DBOPS_PACKAGE = "dbops.v1alpha1";

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
        if ("true".equals(Objects.meta(object).getAnnotationsOrDefault(FORCE_DELETE, ""))) {
            return;
        }
        Protection protection = protection(object);
        if (protection == Protection.NONE) {
            return;
        }
        String how = protection == Protection.SPEC
                ? "spec.deletionProtection is true); set spec.deletionProtection to false"
                : "it is annotated " + PROTECTION_ANNOTATION + "=true); remove the annotation";
        throw new ApiException.Forbidden(request.kind().qualifiedResource() + " \"" + request.name()
                + "\" is forbidden: it is protected from deletion (" + how + ", or annotate it " + FORCE_DELETE
                + "=true, to delete it");
    }

    private enum Protection {
        NONE,
        SPEC,
        ANNOTATION
    }

    private static Protection protection(Message object) {
        FieldDescriptor specField = object.getDescriptorForType().findFieldByName("spec");
        if (specField == null || specField.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
            return Protection.NONE;
        }
        Message spec = (Message) object.getField(specField);
        FieldDescriptor protection = spec.getDescriptorForType().findFieldByName("deletion_protection");
        if (protection != null && protection.getJavaType() == FieldDescriptor.JavaType.BOOLEAN) {
            // Stored objects carry the default (true); an object without the field set is protected too.
            return !spec.hasField(protection) || (Boolean) spec.getField(protection)
                    ? Protection.SPEC
                    : Protection.NONE;
        }
        boolean dbops = object.getDescriptorForType().getFile().getPackage().equals(DBOPS_PACKAGE);
        return dbops && "true".equals(Objects.meta(object).getAnnotationsOrDefault(PROTECTION_ANNOTATION, ""))
                ? Protection.ANNOTATION
                : Protection.NONE;
    }
}
