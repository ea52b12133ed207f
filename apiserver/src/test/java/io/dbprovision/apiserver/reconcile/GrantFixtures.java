package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Message;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.DatabaseUserPhase;
import java.util.List;
import java.util.function.Predicate;

/**
 * What the role and grant tests share: instances on the machine's servers, DatabaseUsers that stand for users the
 * test created itself (skipped by any user reconciler, made Ready through the status subresource), and predicates
 * on the objects' statuses.
 */
final class GrantFixtures {
    static final String SKIP = "dbops.dbprovision.io/skip-reconcile";

    private GrantFixtures() {}

    static String mariadbInstance(String namespace) {
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: my-admin, namespace: %1$s}
                stringData: {username: root, password: ""}
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata: {name: maria, namespace: %1$s}
                spec:
                  engine: mariadb
                  connection: {host: 127.0.0.1, port: 3306, secretRef: {name: my-admin}}
                  healthCheck: {intervalSeconds: 5}
                """.formatted(namespace);
    }

    /** A ClusterDatabaseInstance on the local PostgreSQL, its admin Secret in {@code secretNamespace}. */
    static String clusterPostgresInstance(String name, String secretNamespace) {
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: pg-admin, namespace: %2$s}
                stringData: {username: postgres, password: unused-with-trust}
                ---
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: ClusterDatabaseInstance
                metadata: {name: %1$s}
                spec:
                  engine: postgres
                  connection:
                    host: 127.0.0.1
                    port: 5432
                    database: postgres
                    secretRef: {name: pg-admin, namespace: %2$s}
                  healthCheck: {intervalSeconds: 5}
                """.formatted(name, secretNamespace);
    }

    /**
     * A DatabaseUser for an engine user the test made itself; {@code instanceRef} is the YAML of its instance
     * reference ({@code instanceRef: {name: pg}} or {@code clusterInstanceRef: {name: shared}}).
     */
    static String user(String namespace, String name, String instanceRef, String username) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseUser
                metadata:
                  name: %2$s
                  namespace: %1$s
                  annotations: {%5$s: "true"}
                spec:
                  %3$s
                  username: %4$s
                """.formatted(namespace, name, instanceRef, username, SKIP);
    }

    /** Sets the DatabaseUser's phase to Ready, as its reconciler would once the user exists. */
    static void userReady(ReconcileHarness harness, String namespace, String name) {
        harness.patchStatus("databaseusers", namespace, name, object -> {
            DatabaseUser user = (DatabaseUser) object;
            return user.toBuilder()
                    .setStatus(user.getStatus().toBuilder().setPhase(DatabaseUserPhase.DATABASE_USER_PHASE_READY))
                    .build();
        });
    }

    /** Ready for the object's current generation. */
    static <T extends Message> Predicate<T> readyAtGeneration() {
        return object -> {
            Message status =
                    (Message) object.getField(object.getDescriptorForType().findFieldByName("status"));
            long observed =
                    (Long) status.getField(status.getDescriptorForType().findFieldByName("observed_generation"));
            return observed
                            == io.dbprovision.apiserver.registry.Objects.meta(object)
                                    .getGeneration()
                    && io.dbprovision.apiserver.reconcile.Conditions.isTrue(
                            ReconcileHarness.conditions(object), Conditions.READY);
        };
    }

    /** The Ready condition's reason is {@code reason}. */
    static <T extends Message> Predicate<T> readyReason(String reason) {
        return object -> ReconcileHarness.conditions(object).stream()
                .anyMatch(c ->
                        c.getType().equals(Conditions.READY) && c.getReason().equals(reason));
    }

    /**
     * Waits up to {@code limit} for {@code condition}: for what happens on a schedule (a drift check every 10 s, the
     * shortest interval honoured), where the harness's 10-second wait is too short. Not a timing assertion: only an
     * upper bound against hanging.
     */
    static void eventually(java.time.Duration limit, String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what);
            }
        }
    }

    static String readyMessage(Message object) {
        List<io.dbprovision.proto.v1alpha1.Condition> conditions = ReconcileHarness.conditions(object);
        return conditions.stream()
                .filter(c -> c.getType().equals(Conditions.READY))
                .map(io.dbprovision.proto.v1alpha1.Condition::getMessage)
                .findFirst()
                .orElse("");
    }
}
