package io.dbprovision.apiserver.admission;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.registry.admission.AdmissionPlugin;
import io.dbprovision.apiserver.registry.admission.AdmissionRequest;
import io.dbprovision.apiserver.registry.admission.Operation;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.util.Set;

/**
 * Namespace admission where this server serves namespaces itself (standalone mode), as Kubernetes'
 * NamespaceLifecycle admission plugin and its NamespaceAutoProvision do it: a create in a namespace that does not
 * exist creates the namespace (there is no cluster administrator to create it beforehand), a create in a namespace
 * being deleted is refused, and the system namespaces cannot be deleted. An aggregated server leaves namespaces to
 * the cluster and has no such plugin.
 */
public final class NamespaceLifecycle implements AdmissionPlugin {
    /** The namespaces Kubernetes never deletes. */
    public static final Set<String> IMMORTAL = Set.of("default", "kube-system", "kube-public");

    private static final RequestContext PROVISIONER = RequestContext.internal("system:dbprovision:namespace-lifecycle");

    private final ResourceStore namespaces;

    public NamespaceLifecycle(ResourceStore namespaces) {
        this.namespaces = namespaces;
    }

    @Override
    public String name() {
        return "NamespaceLifecycle";
    }

    /**
     * A dry run provisions nothing: into a namespace that does not exist it is NotFound, as in Kubernetes. A
     * server-side apply that creates arrives here as a create.
     */
    @Override
    public void admit(AdmissionRequest request) {
        boolean isNamespace =
                request.kind().qualifiedResource().equals(namespaces.kind().qualifiedResource());
        if (request.operation() == Operation.CREATE && !request.kind().clusterScoped()) {
            if (request.dryRun()) {
                requireActive(request.namespace(), request.kind().qualifiedResource());
            } else {
                ensureActive(request.namespace(), request.kind().qualifiedResource());
            }
        }
        if (request.operation() == Operation.DELETE && isNamespace && IMMORTAL.contains(request.name())) {
            throw new ApiException.Forbidden(
                    "namespaces \"" + request.name() + "\" is forbidden: this namespace may not be deleted");
        }
    }

    /**
     * Makes sure {@code namespace} exists and is not being deleted, creating it if it does not exist.
     *
     * @param resource the resource about to be created in it, for the error message
     */
    public void ensureActive(String namespace, String resource) {
        if (namespace.isEmpty()) {
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
        Message current = namespaces.get(PROVISIONER, "", namespace);
        if (Objects.meta(current).hasDeletionTimestamp()) {
            throw new ApiException.Forbidden(resource + " is forbidden: unable to create new content in namespace "
                    + namespace + " because it is being terminated");
        }
    }

    /** Creates {@code namespace} unless it exists. */
    private void ensureExists(String namespace) {
        try {
            namespaces.get(PROVISIONER, "", namespace);
        } catch (ApiException.NotFound missing) {
            try {
                Message object = Objects.withMeta(
                        namespaces.kind().object(),
                        ObjectMeta.newBuilder().setName(namespace).build());
                namespaces.create(PROVISIONER, "", object, WriteOptions.DEFAULT);
            } catch (ApiException.AlreadyExists raced) {
                // created meanwhile
            }
        }
    }
}
