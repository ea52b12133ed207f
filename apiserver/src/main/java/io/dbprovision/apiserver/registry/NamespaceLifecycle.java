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

    /**
     * The verb admission sees for a server-side apply, a patch that may create; other patches never need the namespace
     * looked at (their object exists, so its namespace does).
     */
    public static final String APPLY = "apply";

    private final ResourceStore namespaces;

    NamespaceLifecycle(ResourceStore namespaces) {
        this.namespaces = namespaces;
    }

    /**
     * Admits a request of {@code verb} on {@code store}, or throws what Kubernetes answers. A dry run provisions
     * nothing: into a namespace that does not exist it is NotFound, as in Kubernetes.
     */
    public void admit(String verb, ResourceStore store, String namespace, String name, boolean dryRun) {
        if (namespaces == null || store.kind().clusterScoped() && store != namespaces) {
            return;
        }
        if (verb.equals("create") && !store.kind().clusterScoped()) {
            if (dryRun) {
                requireActive(namespace, store.kind().qualifiedResource());
            } else {
                ensureActive(namespace, store.kind().qualifiedResource());
            }
        }
        if (verb.equals(APPLY) && !store.kind().clusterScoped() && !dryRun) {
            // A server-side apply may create: provision the namespace, as for a create. Applies inside a terminating
            // namespace stay allowed, as other patches do (removing finalizers is how its deletion finishes).
            ensureExists(namespace);
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
            requireActive(namespace, resource);
        } catch (ApiException.NotFound missing) {
            ensureExists(namespace);
        }
    }

    /** Fails unless {@code namespace} exists and is not being deleted. */
    private void requireActive(String namespace, String resource) {
        if (namespace.isEmpty()) {
            return;
        }
        Message current = namespaces.get("", namespace);
        if (Objects.meta(current).hasDeletionTimestamp()) {
            throw new ApiException.Forbidden(resource + " is forbidden: unable to create new content in namespace "
                    + namespace + " because it is being terminated");
        }
    }

    /** Creates {@code namespace} unless it exists. */
    private void ensureExists(String namespace) {
        if (namespace.isEmpty()) {
            return;
        }
        try {
            namespaces.get("", namespace);
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
