package io.dbprovision.apiserver.controller.namespace;

import com.google.protobuf.Message;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.controller.Reconciler;
import io.dbprovision.apiserver.controller.Result;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.DeleteOptions;
import io.dbprovision.apiserver.registry.ListQuery;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles one namespace. A terminating one (deletionTimestamp set, held by the {@code kubernetes} finalizer in its
 * spec) has every namespaced object of every kind served deleted; objects with finalizers are marked and waited for
 * (another look after {@link #CONTENT_PENDING}); once nothing is left the finalizer is removed and the namespace goes.
 * A live namespace stored by an earlier build without the finalizer, or without apiVersion and kind, is written once
 * so that the namespace defaults and the type apply.
 *
 * <p>The namespace is read from the store, not the informer's cache, before content is deleted: a namespace deleted
 * and created again must never lose the new one's content to a stale copy. All it does goes through the stores, as
 * any client's requests do (admission included).
 */
final class NamespaceReconciler implements Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceReconciler.class);
    /** How soon a namespace whose content waits on finalizers is looked at again. */
    static final Duration CONTENT_PENDING = Duration.ofSeconds(2);

    private static final WriteOptions AS_CONTROLLER = new WriteOptions(false, "namespace-controller");

    private final ResourceStore namespaces;
    private final List<ResourceStore> namespaced;
    private final RequestContext context;

    NamespaceReconciler(ResourceStore namespaces, List<ResourceStore> namespaced, RequestContext context) {
        this.namespaces = namespaces;
        this.namespaced = namespaced;
        this.context = context;
    }

    @Override
    public Result reconcile(NamespacedName key) {
        Message namespace;
        try {
            namespace = namespaces.get(context, "", key.name());
        } catch (ApiException.NotFound gone) {
            return Result.done();
        }
        ObjectMeta meta = Objects.meta(namespace);
        if (!meta.hasDeletionTimestamp()) {
            adoptIfOld(namespace);
            return Result.done();
        }
        if (!deleteContent(key.name())) {
            return Result.requeueAfter(CONTENT_PENDING);
        }
        String uid = meta.getUid();
        try {
            namespaces.patch(
                    context,
                    "",
                    key.name(),
                    current -> Objects.meta(current).getUid().equals(uid)
                            ? Objects.withoutSpecFinalizer(current, ObjectRules.NAMESPACE_FINALIZER)
                            : current, // created again meanwhile: not ours to finish
                    AS_CONTROLLER,
                    false);
            LOG.info("Namespace({}) deleted", key);
        } catch (ApiException.NotFound gone) {
            // finished meanwhile
        }
        return Result.done();
    }

    /**
     * Mends a namespace an earlier build stored without the {@code kubernetes} finalizer or without apiVersion and
     * kind: a write applies the namespace defaults and the type, so that deleting it deletes its content too and
     * clients can read it.
     */
    private void adoptIfOld(Message namespace) {
        boolean old = !Objects.specFinalizers(namespace).contains(ObjectRules.NAMESPACE_FINALIZER)
                || Objects.withTypeMeta(
                                namespace,
                                namespaces.kind().apiVersion(),
                                namespaces.kind().kind())
                        != namespace;
        if (!old) {
            return;
        }
        try {
            namespaces.patch(context, "", Objects.meta(namespace).getName(), current -> current, AS_CONTROLLER, false);
        } catch (ApiException.NotFound gone) {
            // deleted meanwhile
        }
    }

    /**
     * Deletes every namespaced object in {@code namespace}; true when nothing is left. A kind whose deletion fails
     * does not keep the others from being deleted; the failure is thrown afterwards, so the key backs off.
     */
    private boolean deleteContent(String namespace) {
        boolean empty = true;
        ApiException failure = null;
        for (ResourceStore store : namespaced) {
            try {
                store.deleteCollection(context, namespace, ListQuery.ALL, DeleteOptions.DEFAULT);
                // What is left has finalizers pending: marked for deletion, waited for.
                empty &=
                        store.list(context, namespace, ListQuery.ALL).versions().isEmpty();
            } catch (ApiException e) {
                LOG.warn(
                        "Namespace({}): deleting {} failed: {}",
                        namespace,
                        store.kind().plural(),
                        e.getMessage());
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return empty;
    }
}
