package io.dbprovision.apiserver.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.proto.k8s.core.v1.Secret;
import io.dbprovision.proto.v1alpha1.Condition;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import java.util.Collection;
import java.util.Map;
import java.util.function.UnaryOperator;

/** What the DatabaseUser tests of both engines share: reading and editing credentials Secrets, and leak checks. */
final class UserTestSupport {
    private UserTestSupport() {}

    static Secret secret(ReconcileHarness harness, String namespace, String name) {
        return (Secret) harness.get("secrets", namespace, name);
    }

    static String value(Secret secret, String key) {
        ByteString value = secret.getDataMap().get(key);
        return value == null ? null : value.toStringUtf8();
    }

    /** Replaces the Secret's data as someone with access to it would. */
    static void editSecret(ReconcileHarness harness, String namespace, String name, UnaryOperator<Secret> edit) {
        harness.store("secrets")
                .patch(
                        ReconcileHarness.USER,
                        namespace,
                        name,
                        current -> edit.apply((Secret) current),
                        new WriteOptions(false, "test"),
                        false);
    }

    static Secret withData(Secret secret, Map<String, String> data) {
        Secret.Builder next = secret.toBuilder().clearData();
        data.forEach((k, v) -> next.putData(k, ByteString.copyFromUtf8(v)));
        return next.build();
    }

    static String secretYaml(String namespace, String name, String user, Map<String, String> data) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: v1
                kind: Secret
                metadata:
                  name: %s
                  namespace: %s
                """.formatted(name, namespace));
        if (user != null) {
            yaml.append("""
                      labels: {app.kubernetes.io/managed-by: dbprovision, dbops.dbprovision.io/user: %s}
                    """.formatted(user));
        }
        yaml.append("stringData:\n");
        data.forEach((k, v) -> yaml.append("  ")
                .append(k)
                .append(": '")
                .append(v.replace("'", "''"))
                .append("'\n"));
        return yaml.toString();
    }

    /** The status was written for the current spec. */
    static boolean caughtUp(DatabaseUser user) {
        return user.getStatus().getObservedGeneration() == user.getMetadata().getGeneration();
    }

    static boolean condition(DatabaseUser user, String type, String reason) {
        return user.getStatus().getConditionsList().stream()
                .anyMatch(c -> c.getType().equals(type) && c.getReason().equals(reason));
    }

    static Condition conditionOf(DatabaseUser user, String type) {
        return user.getStatus().getConditionsList().stream()
                .filter(c -> c.getType().equals(type))
                .findFirst()
                .orElseThrow();
    }

    /** No password appears in any event, status or log line. */
    static void assertNoLeak(
            ReconcileHarness harness, LogCapture logs, Collection<String> passwords, Collection<DatabaseUser> users) {
        for (String password : passwords) {
            assertThat(password).isNotBlank();
            assertThat(harness.events).noneMatch(event -> event.contains(password));
            assertThat(logs.text()).doesNotContain(password);
            for (DatabaseUser user : users) {
                assertThat(user.getStatus().toString()).doesNotContain(password);
            }
        }
    }
}
