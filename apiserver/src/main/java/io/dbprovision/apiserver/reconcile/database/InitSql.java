package io.dbprovision.apiserver.reconcile.database;

import io.dbprovision.apiserver.corev1.ConfigMaps;
import io.dbprovision.apiserver.corev1.Secrets;
import io.dbprovision.apiserver.reconcile.Conditions;
import io.dbprovision.apiserver.reconcile.EngineCalls;
import io.dbprovision.apiserver.reconcile.Instances;
import io.dbprovision.apiserver.reconcile.ReconcileFailure;
import io.dbprovision.apiserver.reconcile.StatusDraft;
import io.dbprovision.apiserver.reconcile.Waiting;
import io.dbprovision.proto.engine.v1alpha1.RunInitSqlRequest;
import io.dbprovision.proto.engine.v1alpha1.RunInitSqlResponse;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseStatus;
import io.dbprovision.proto.v1alpha1.InitSQLConfig;
import io.dbprovision.proto.v1alpha1.InitSQLFailurePolicy;
import io.dbprovision.proto.v1alpha1.InitSQLStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A database's {@code spec.initSQL} (§2.2.4): the statements (inline, or a Secret's or ConfigMap's key split on
 * {@code ---}) run
 * once per distinct content, in the database, as its owner when it has one. Unlike the system we re-create, a run
 * that failed is not skipped because its hash was seen: under {@code Block} the database stays Failed and the
 * statements are tried again; under {@code Continue} it is Ready with Synced=False.
 */
final class InitSql {
    private final EngineCalls engine;
    private final Secrets secrets;
    private final ConfigMaps configMaps;

    InitSql(EngineCalls engine, Secrets secrets, ConfigMaps configMaps) {
        this.engine = engine;
        this.secrets = secrets;
        this.configMaps = configMaps;
    }

    void run(Database database, Instances.Resolved instance, StatusDraft status) {
        if (!database.getSpec().hasInitSql()) {
            return;
        }
        InitSQLConfig config = database.getSpec().getInitSql();
        List<String> statements = statements(database, config);
        String hash = hash(statements);
        DatabaseStatus.Builder fields = status.fields(DatabaseStatus.Builder.class);
        if (fields.getInitSql().getApplied() && fields.getInitSql().getHash().equals(hash)) {
            return;
        }
        RunInitSqlResponse response = engine.call(
                "run initSQL",
                stub -> stub.runInitSql(RunInitSqlRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setDatabase(database.getSpec().getName())
                        .setRunAsRole(database.getSpec().getOwner())
                        .addAllStatements(statements)
                        .build()));
        InitSQLStatus.Builder result = InitSQLStatus.newBuilder()
                .setHash(hash)
                .setStatementsExecuted(response.getStatementsExecuted())
                .setApplied(response.getError().isEmpty());
        if (response.getError().isEmpty()) {
            result.setAppliedAt(Conditions.timestamp(status.now()));
        } else {
            result.setError(response.getError());
        }
        fields.setInitSql(result);
        if (!response.getError().isEmpty()
                && config.getFailurePolicy() != InitSQLFailurePolicy.INIT_SQL_FAILURE_POLICY_CONTINUE) {
            status.condition(Conditions.SYNCED, false, "InitSQLFailed", response.getError());
            throw new ReconcileFailure(
                    "InitSQLFailed",
                    "initSQL statement " + (response.getStatementsExecuted() + 1) + " failed: " + response.getError(),
                    false,
                    null);
        }
    }

    /** Under Continue, a failed run leaves the database Ready but not Synced. */
    static void markUnsynced(DatabaseStatus.Builder fields, StatusDraft status) {
        if (!fields.getInitSql().getError().isEmpty()) {
            status.condition(
                    Conditions.SYNCED,
                    false,
                    "InitSQLFailed",
                    fields.getInitSql().getError());
        }
    }

    private List<String> statements(Database database, InitSQLConfig config) {
        if (config.getInlineCount() > 0) {
            return config.getInlineList();
        }
        if (config.hasSecretRef()) {
            var ref = config.getSecretRef();
            String namespace =
                    ref.getNamespace().isEmpty() ? database.getMetadata().getNamespace() : ref.getNamespace();
            var secret = secrets.get(namespace, ref.getName())
                    .orElseThrow(() -> Waiting.forUnwatched(
                            "SecretNotFound", "initSQL Secret " + namespace + "/" + ref.getName() + " does not exist"));
            var value = secret.getDataMap().get(ref.getKey());
            if (value == null) {
                throw new ReconcileFailure(
                        "InvalidSpec",
                        "initSQL Secret " + namespace + "/" + ref.getName() + " has no key " + ref.getKey(),
                        false,
                        null);
            }
            return split(value.toString(StandardCharsets.UTF_8));
        }
        var ref = config.getConfigMapRef();
        String namespace = ref.getNamespace().isEmpty() ? database.getMetadata().getNamespace() : ref.getNamespace();
        var configMap = configMaps
                .get(namespace, ref.getName())
                .orElseThrow(() -> Waiting.forUnwatched(
                        "ConfigMapNotFound",
                        "initSQL ConfigMap " + namespace + "/" + ref.getName() + " does not exist"));
        String text = configMap.getDataMap().get(ref.getKey());
        if (text == null && configMap.containsBinaryData(ref.getKey())) {
            text = configMap.getBinaryDataMap().get(ref.getKey()).toString(StandardCharsets.UTF_8);
        }
        if (text == null) {
            throw new ReconcileFailure(
                    "InvalidSpec",
                    "initSQL ConfigMap " + namespace + "/" + ref.getName() + " has no key " + ref.getKey(),
                    false,
                    null);
        }
        return split(text);
    }

    /** Splits on the literal {@code ---}, trims each part and drops the empty ones (§2.2.4). */
    static List<String> split(String text) {
        return Arrays.stream(text.split("---", -1))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** SHA-256 hex over the statements joined with {@code "\n---\n"}, as the provisioner and §2.2.4 compute it. */
    static String hash(List<String> statements) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(String.join("\n---\n", statements).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
