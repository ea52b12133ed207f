package io.dbprovision.apiserver.corev1;

import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.proto.k8s.core.v1.Secret;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Kubernetes' limit on a Secret: its keys and values together at most 1 MiB ({@code corev1.MaxSecretSize}). The
 * kube-apiserver refuses a larger one, and so do the standalone registry's core rules; checked here before a Secret is
 * sent to the cluster, so the reconcilers get the same 422 in both modes without a round trip.
 */
final class SecretSize {
    static final int MAX_BYTES = 1024 * 1024;

    private SecretSize() {}

    static void check(Secret secret) {
        // counted as stored: stringData merged over data, as the kube-apiserver checks it
        long total = 0;
        for (var entry : secret.getDataMap().entrySet()) {
            if (!secret.containsStringData(entry.getKey())) {
                total += utf8Length(entry.getKey()) + entry.getValue().size();
            }
        }
        for (var entry : secret.getStringDataMap().entrySet()) {
            total += utf8Length(entry.getKey()) + utf8Length(entry.getValue());
        }
        if (total > MAX_BYTES) {
            throw new ApiException.Invalid(
                    "",
                    "Secret",
                    secret.getMetadata().getName(),
                    List.of(new FieldError(
                            FieldError.Type.TOO_LONG,
                            FieldPath.of("data"),
                            null,
                            "may not be more than " + MAX_BYTES + " bytes")));
        }
    }

    private static long utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
