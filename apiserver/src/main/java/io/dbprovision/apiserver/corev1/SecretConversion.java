package io.dbprovision.apiserver.corev1;

import com.google.protobuf.ByteString;
import io.dbprovision.proto.k8s.core.v1.Secret;
import io.kubernetes.client.openapi.models.V1Secret;
import java.util.LinkedHashMap;
import java.util.Map;

/** Core v1 Secrets between our proto {@link Secret} and client-java's {@link V1Secret}. */
final class SecretConversion {
    private SecretConversion() {}

    static V1Secret toKube(Secret secret) {
        V1Secret kube =
                new V1Secret().apiVersion("v1").kind("Secret").metadata(MetaConversion.toKube(secret.getMetadata()));
        if (secret.getDataCount() > 0) {
            Map<String, byte[]> data = new LinkedHashMap<>();
            secret.getDataMap().forEach((key, value) -> data.put(key, value.toByteArray()));
            kube.setData(data);
        }
        if (secret.getStringDataCount() > 0) {
            // write-only: the kube-apiserver merges it into data, as our own registry does
            kube.setStringData(new LinkedHashMap<>(secret.getStringDataMap()));
        }
        if (secret.hasImmutable()) {
            kube.setImmutable(secret.getImmutable());
        }
        kube.setType(MetaConversion.emptyToNull(secret.getType()));
        return kube;
    }

    static Secret fromKube(V1Secret kube) {
        Secret.Builder secret = Secret.newBuilder()
                .setApiVersion("v1")
                .setKind("Secret")
                .setMetadata(MetaConversion.fromKube(kube.getMetadata()))
                .setType(MetaConversion.nullToEmpty(kube.getType()));
        if (kube.getData() != null) {
            kube.getData()
                    .forEach((key, value) ->
                            secret.putData(key, ByteString.copyFrom(value == null ? new byte[0] : value)));
        }
        if (kube.getImmutable() != null) {
            secret.setImmutable(kube.getImmutable());
        }
        return secret.build();
    }
}
