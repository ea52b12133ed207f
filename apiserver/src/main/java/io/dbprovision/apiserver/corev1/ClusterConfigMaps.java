package io.dbprovision.apiserver.corev1;

import com.google.protobuf.ByteString;
import io.dbprovision.apiserver.auth.delegated.ClusterConnection;
import io.dbprovision.proto.k8s.core.v1.ConfigMap;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import java.util.Optional;

/**
 * The reconcilers' ConfigMaps in a cluster: the kube-apiserver's, read with client-java and the server's own
 * credentials ({@link ClusterConnection}); its failures become the registry's exceptions ({@link KubeErrors}).
 */
public final class ClusterConfigMaps implements ConfigMaps {
    private static final KubeErrors.Resource CONFIG_MAPS = KubeErrors.Resource.CONFIG_MAPS;

    private final CoreV1Api api;

    public ClusterConfigMaps(ClusterConnection connection) {
        this.api = new CoreV1Api(connection.client());
    }

    @Override
    public Optional<ConfigMap> get(String namespace, String name) {
        if (!KubeNames.canExist(namespace, name)) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    fromKube(api.readNamespacedConfigMap(name, namespace).execute()));
        } catch (io.kubernetes.client.openapi.ApiException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw KubeErrors.translate(e, CONFIG_MAPS, name);
        } catch (RuntimeException e) {
            throw KubeErrors.unreadable(e, CONFIG_MAPS, name);
        }
    }

    static ConfigMap fromKube(V1ConfigMap kube) {
        ConfigMap.Builder configMap = ConfigMap.newBuilder()
                .setApiVersion("v1")
                .setKind("ConfigMap")
                .setMetadata(MetaConversion.fromKube(kube.getMetadata()));
        if (kube.getData() != null) {
            kube.getData().forEach((key, value) -> configMap.putData(key, value == null ? "" : value));
        }
        if (kube.getBinaryData() != null) {
            kube.getBinaryData()
                    .forEach((key, value) ->
                            configMap.putBinaryData(key, ByteString.copyFrom(value == null ? new byte[0] : value)));
        }
        if (kube.getImmutable() != null) {
            configMap.setImmutable(kube.getImmutable());
        }
        return configMap.build();
    }
}
