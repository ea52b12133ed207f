package io.dbprovision.api.kinds;

import com.google.protobuf.ByteString;
import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.proto.k8s.core.v1.ConfigMap;
import io.dbprovision.proto.k8s.core.v1.Event;
import io.dbprovision.proto.k8s.core.v1.Namespace;
import io.dbprovision.proto.k8s.core.v1.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The core v1 kinds of standalone mode; only what Kubernetes itself does on write. */
final class CoreRules {
    private CoreRules() {}

    /**
     * As Kubernetes' namespace strategy: a live namespace carries the {@code kubernetes} finalizer in its spec and is
     * Active; once marked for deletion it is Terminating, and only then may the finalizer go (the namespace controller
     * removes it when the namespace is empty). A write that drops the finalizer from a live namespace gets it back.
     */
    static KindRules<Namespace> namespaces() {
        return new KindRules<>() {
            @Override
            public Class<Namespace> type() {
                return Namespace.class;
            }

            @Override
            public Namespace defaults(Namespace namespace) {
                Namespace.Builder builder = namespace.toBuilder();
                boolean terminating = namespace.getMetadata().hasDeletionTimestamp();
                if (!terminating
                        && !namespace.getSpec().getFinalizersList().contains(ObjectRules.NAMESPACE_FINALIZER)) {
                    builder.getSpecBuilder().addFinalizers(ObjectRules.NAMESPACE_FINALIZER);
                }
                String phase = terminating ? "Terminating" : "Active";
                if (!namespace.getStatus().getPhase().equals(phase)) {
                    builder.getStatusBuilder().setPhase(phase);
                }
                return builder.build();
            }
        };
    }

    static KindRules<Event> events() {
        return () -> Event.class;
    }

    /** {@code stringData} is write-only: merged into {@code data} on every write, as the kube-apiserver does. */
    static KindRules<Secret> secrets() {
        return new KindRules<>() {
            @Override
            public Class<Secret> type() {
                return Secret.class;
            }

            @Override
            public Secret defaults(Secret secret) {
                if (secret.getStringDataCount() == 0) {
                    return secret;
                }
                Secret.Builder builder = secret.toBuilder().clearStringData();
                for (Map.Entry<String, String> entry : secret.getStringDataMap().entrySet()) {
                    builder.putData(entry.getKey(), ByteString.copyFrom(entry.getValue(), StandardCharsets.UTF_8));
                }
                return builder.build();
            }

            /** As the kube-apiserver: keys are config-map keys, and keys and values together at most 1 MiB. */
            @Override
            public void validate(Secret secret, Findings findings) {
                long total = 0;
                for (Map.Entry<String, ByteString> entry : secret.getDataMap().entrySet()) {
                    String key = entry.getKey();
                    String problem = secretKeyProblem(key);
                    if (problem != null) {
                        findings.error(FieldError.invalid(
                                FieldPath.of("data").key(key), key.length() > 253 ? "(too long)" : key, problem));
                    }
                    total += key.getBytes(StandardCharsets.UTF_8).length
                            + entry.getValue().size();
                }
                if (total > MAX_SECRET_BYTES) {
                    findings.error(new FieldError(
                            FieldError.Type.TOO_LONG,
                            FieldPath.of("data"),
                            null,
                            "may not be more than " + MAX_SECRET_BYTES + " bytes"));
                }
            }
        };
    }

    /**
     * As the kube-apiserver: keys of {@code data} and {@code binaryData} are config-map keys, none in both, and all
     * keys and values together at most 1 MiB.
     */
    static KindRules<ConfigMap> configMaps() {
        return new KindRules<>() {
            @Override
            public Class<ConfigMap> type() {
                return ConfigMap.class;
            }

            @Override
            public void validate(ConfigMap configMap, Findings findings) {
                long total = 0;
                for (Map.Entry<String, String> entry : configMap.getDataMap().entrySet()) {
                    total += checkKey(FieldPath.of("data"), entry.getKey(), findings)
                            + entry.getValue().getBytes(StandardCharsets.UTF_8).length;
                }
                for (Map.Entry<String, ByteString> entry :
                        configMap.getBinaryDataMap().entrySet()) {
                    String key = entry.getKey();
                    total += checkKey(FieldPath.of("binaryData"), key, findings)
                            + entry.getValue().size();
                    if (configMap.containsData(key)) {
                        findings.error(FieldError.invalid(
                                FieldPath.of("binaryData").key(key), key, "duplicate of key present in data"));
                    }
                }
                if (total > MAX_SECRET_BYTES) {
                    findings.error(new FieldError(
                            FieldError.Type.TOO_LONG,
                            FieldPath.root(),
                            null,
                            "may not be more than " + MAX_SECRET_BYTES + " bytes"));
                }
            }
        };
    }

    /** Records a finding when {@code key} is not a config-map key; its size in bytes. */
    private static long checkKey(FieldPath map, String key, Findings findings) {
        String problem = secretKeyProblem(key);
        if (problem != null) {
            findings.error(FieldError.invalid(map.key(key), key.length() > 253 ? "(too long)" : key, problem));
        }
        return key.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Kubernetes' {@code corev1.MaxSecretSize}. */
    static final int MAX_SECRET_BYTES = 1024 * 1024;

    private static final java.util.regex.Pattern CONFIG_KEY = java.util.regex.Pattern.compile("[-._a-zA-Z0-9]+");

    /** Why {@code key} is not a valid Secret data key ({@code IsConfigMapKey}), or null. */
    private static String secretKeyProblem(String key) {
        if (key.length() > 253) {
            return "must be no more than 253 characters";
        }
        if (!CONFIG_KEY.matcher(key).matches()) {
            return "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
        }
        if (key.equals(".") || key.equals("..") || key.startsWith("..")) {
            return "must not be '.' or '..' and must not start with '..'";
        }
        return null;
    }
}
