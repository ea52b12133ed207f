package io.dbprovision.apiserver.registry;

import com.google.protobuf.Message;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.util.Set;

/**
 * Namespace admission in standalone mode, as Kubernetes' NamespaceLifecycle admission plugin (and its
 * NamespaceAutoProvision) does it: a create in a namespace that does not exist creates the namespace (there is no
 * cluster administrator to create it beforehand), a create in a namespace being deleted is refused, and the system
 * namespaces cannot be deleted (nor namespaces as a collection). Inert where namespaces are not served here (an aggregated server leaves them to the
 * cluster).
 */
public final class NamespaceLifecycle {
    /** The namespaces Kubernetes never deletes. */
    public static final Set<String> IMMORTAL = Set.of("default", "kube-system", "kube-public");

    private final ResourceStore namespaces;

    NamespaceLifecycle(ResourceStore namespaces) {
        this.namespaces = namespaces;
    }

    /** Admits a request of {@code verb} on {@code store}, or throws the Forbidden that Kubernetes answers. */
    public void admit(String verb, ResourceStore store, String namespace, String name) {
        if (namespaces == null) {
            return;
        }
        if (verb.equals("create") && !store.kind().clusterScoped()) {
            ensureActive(namespace, store.kind().qualifiedResource());
        }
        if (verb.equals("deletecollection") && store == namespaces) {
            // As in Kubernetes: one request must not take every namespace, the system ones included, with it.
            throw new ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }
        if (verb.equals("delete") && store == namespaces && IMMORTAL.contains(name)) {
            throw new ApiException.Forbidden(
                    "namespaces \"" + name + "\" is forbidden: this namespace may not be deleted");
        }
    }

    /**
     * Makes sure {@code namespace} exists and is not being deleted, creating it if it does not exist.
     *
     * @param resource the resource about to be created in it, for the error message
     */
    public void ensureActive(String namespace, String resource) {
        if (namespaces == null || namespace.isEmpty()) {
            return;
        }
        try {
            Message current = namespaces.get("", namespace);
            if (Objects.meta(current).hasDeletionTimestamp()) {
                throw new ApiException.Forbidden(resource + " is forbidden: unable to create new content in namespace "
                        + namespace + " because it is being terminated");
            }
        } catch (ApiException.NotFound missing) {
            try {
                Message object = Objects.withMeta(
                        namespaces.kind().object(),
                        ObjectMeta.newBuilder().setName(namespace).build());
                namespaces.create("", object, WriteOptions.DEFAULT);
            } catch (ApiException.AlreadyExists raced) {
                // created meanwhile
            }
        }
    }
}
