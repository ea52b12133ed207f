package io.dbprovision.apiserver.corev1;

import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.k8s.core.v1.ConfigMap;
import java.util.Optional;

/** The reconcilers' ConfigMaps in standalone mode: this server's own core v1 {@code configmaps}, read in-process. */
public final class RegistryConfigMaps implements ConfigMaps {
    private final ResourceStore store;

    /** Over the registry's {@code v1/configmaps} store; refused when the registry does not serve core v1. */
    public RegistryConfigMaps(Registry registry) {
        this.store = registry.lookup("v1", "configmaps")
                .orElseThrow(() -> new IllegalArgumentException("the registry serves no core v1 configmaps"));
    }

    @Override
    public Optional<ConfigMap> get(String namespace, String name) {
        if (!KubeNames.canExist(namespace, name)) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    (ConfigMap) store.get(RequestContext.internal(ControllerIdentity.USER), namespace, name));
        } catch (ApiException.NotFound e) {
            return Optional.empty();
        }
    }
}
