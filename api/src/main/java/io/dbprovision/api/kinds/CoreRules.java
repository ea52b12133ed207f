package io.dbprovision.api.kinds;

import com.google.protobuf.ByteString;
import io.dbprovision.proto.k8s.core.v1.Event;
import io.dbprovision.proto.k8s.core.v1.Namespace;
import io.dbprovision.proto.k8s.core.v1.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The core v1 kinds of standalone mode; only what Kubernetes itself does on write. */
final class CoreRules {
    private CoreRules() {}

    /** A namespace is Active from creation; Terminating belongs to a namespace controller we do not run yet. */
    static KindRules<Namespace> namespaces() {
        return new KindRules<>() {
            @Override
            public Class<Namespace> type() {
                return Namespace.class;
            }

            @Override
            public Namespace defaults(Namespace namespace) {
                if (namespace.getStatus().getPhase().isEmpty()) {
                    return namespace.toBuilder()
                            .setStatus(namespace.getStatus().toBuilder().setPhase("Active"))
                            .build();
                }
                return namespace;
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
        };
    }
}
