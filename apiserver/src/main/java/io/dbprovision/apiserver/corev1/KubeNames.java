package io.dbprovision.apiserver.corev1;

import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.api.validation.ObjectMetaValidator;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Names checked before they go into a kube-apiserver URL. client-java escapes a path segment but leaves {@code .}
 * and {@code ..} alone, which the HTTP client then resolves: a Secret named {@code .} would read the whole list of its
 * namespace, one named {@code ..} the Namespace itself. So a name that cannot be a Secret's is never sent: a read of
 * it finds nothing, a write of it is Invalid, as the kube-apiserver itself would answer.
 */
final class KubeNames {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private KubeNames() {}

    /** Whether {@code name} can be the name of a Secret or an Event (a DNS subdomain). */
    static boolean isObjectName(String name) {
        return name != null
                && name.length() <= 253
                && DNS_SUBDOMAIN.matcher(name).matches();
    }

    /** Whether {@code namespace} can be a namespace's name (a DNS label). */
    static boolean isNamespace(String namespace) {
        return namespace != null
                && namespace.length() <= 63
                && DNS_LABEL.matcher(namespace).matches();
    }

    /** Whether a get or delete of {@code namespace/name} can find anything. */
    static boolean canExist(String namespace, String name) {
        return isNamespace(namespace) && isObjectName(name);
    }

    /** Refuses metadata the kube-apiserver would refuse, before it is sent: a namespaced object's, its namespace given. */
    static void checkForWrite(String kind, ObjectMeta meta) {
        List<FieldError> errors = new ArrayList<>();
        if (meta.getNamespace().isEmpty()) {
            errors.add(FieldError.required(FieldPath.of("metadata.namespace"), ""));
        }
        errors.addAll(ObjectMetaValidator.validate(meta, false));
        if (!errors.isEmpty()) {
            throw new ApiException.Invalid("", kind, meta.getName(), errors);
        }
    }
}
