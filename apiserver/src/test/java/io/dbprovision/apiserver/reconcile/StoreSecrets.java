package io.dbprovision.apiserver.reconcile;

import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.corev1.Secrets;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.DeleteOptions;
import io.dbprovision.apiserver.registry.ObjectEvent;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WatchQuery;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.k8s.core.v1.Secret;
import java.util.Optional;
import java.util.function.Consumer;

/** The registry's own Secrets, for reconciler tests. */
final class StoreSecrets implements Secrets {
    private static final RequestContext CTX = RequestContext.internal("test-secrets");
    private final ResourceStore store;

    StoreSecrets(ResourceStore store) {
        this.store = store;
    }

    @Override
    public Optional<Secret> get(String namespace, String name) {
        try {
            return Optional.of((Secret) store.get(CTX, namespace, name));
        } catch (ApiException.NotFound e) {
            return Optional.empty();
        }
    }

    @Override
    public Secret create(Secret secret) {
        return (Secret) store.create(CTX, secret.getMetadata().getNamespace(), secret, WriteOptions.DEFAULT)
                .object();
    }

    @Override
    public Secret update(Secret secret) {
        return (Secret) store.update(
                        CTX,
                        secret.getMetadata().getNamespace(),
                        secret.getMetadata().getName(),
                        secret,
                        WriteOptions.DEFAULT,
                        false)
                .object();
    }

    @Override
    public void delete(String namespace, String name, String uid) {
        try {
            store.delete(CTX, namespace, name, new DeleteOptions(false, uid, "", ""));
        } catch (ApiException.NotFound e) {
            // gone
        }
    }

    /** The store's own watch, from now on, without resuming after an outage (tests have none). */
    @Override
    public AutoCloseable watch(String labelSelector, Consumer<NamespacedName> changed) {
        return store.watch(
                CTX,
                "",
                new WatchQuery(labelSelector, "", 0, false, false),
                event -> {
                    if (event.type() != ObjectEvent.Type.BOOKMARK) {
                        changed.accept(NamespacedName.of(event.object()));
                    }
                },
                ended -> {});
    }
}
