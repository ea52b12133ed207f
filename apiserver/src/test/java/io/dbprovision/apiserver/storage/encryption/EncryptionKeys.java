package io.dbprovision.apiserver.storage.encryption;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Random named keys and the EncryptionConfiguration documents that list them, for tests. */
final class EncryptionKeys {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<String, String> secrets = new LinkedHashMap<>();

    /** The base64 secret of key {@code name}, made on first use (32 random bytes). */
    String secret(String name) {
        return secrets.computeIfAbsent(name, n -> {
            byte[] bytes = new byte[32];
            RANDOM.nextBytes(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        });
    }

    /** Secrets encrypted with an aesgcm provider holding {@code keyNames} in order, then identity. */
    String aesgcmThenIdentity(String... keyNames) {
        return "apiVersion: apiserver.config.k8s.io/v1\n"
                + "kind: EncryptionConfiguration\n"
                + "resources:\n"
                + "  - resources: [secrets]\n"
                + "    providers:\n"
                + aesgcm(keyNames)
                + "      - identity: {}\n";
    }

    /** Identity first (new writes in the clear), then the aesgcm keys to read what they wrote. */
    String identityThenAesgcm(String... keyNames) {
        return "apiVersion: apiserver.config.k8s.io/v1\n"
                + "kind: EncryptionConfiguration\n"
                + "resources:\n"
                + "  - resources: [secrets]\n"
                + "    providers:\n"
                + "      - identity: {}\n"
                + aesgcm(keyNames);
    }

    /** Only the aesgcm keys: values in the clear are no longer readable. */
    String aesgcmOnly(String... keyNames) {
        return "apiVersion: apiserver.config.k8s.io/v1\n"
                + "kind: EncryptionConfiguration\n"
                + "resources:\n"
                + "  - resources: [secrets]\n"
                + "    providers:\n"
                + aesgcm(keyNames);
    }

    private String aesgcm(String... keyNames) {
        StringBuilder out = new StringBuilder("      - aesgcm:\n          keys:\n");
        for (String name : keyNames) {
            out.append("            - name: ")
                    .append(name)
                    .append("\n              secret: ")
                    .append(secret(name))
                    .append('\n');
        }
        return out.toString();
    }
}
