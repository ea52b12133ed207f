package io.dbprovision.apiserver.corev1;

import io.dbprovision.proto.k8s.core.v1.ConfigMap;
import java.util.Optional;

/**
 * Where the reconcilers read core v1 ConfigMaps (the statements a Database's {@code initSQL.configMapRef} names): this
 * server's own in standalone mode ({@link RegistryConfigMaps}), the kube-apiserver's in a cluster ({@link
 * ClusterConfigMaps}). Failures are the registry's {@link io.dbprovision.apiserver.registry.ApiException}s in both.
 */
public interface ConfigMaps {
    /** The ConfigMap, or empty when there is none. */
    Optional<ConfigMap> get(String namespace, String name);
}
