package io.dbprovision.api.kinds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dbprovision.api.Golden;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.EngineType;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ObjectRulesTest {
    private final KubeCodec codec = KubeCodec.standard();
    private final ObjectRules rules = ObjectRules.standard();

    static Stream<String> plurals() {
        return Schema.get().kinds().stream().map(Kind::plural);
    }

    @ParameterizedTest
    @MethodSource("plurals")
    void everyFieldManifestIsValidAndDefaultingIsIdempotent(String plural) {
        Message object = rules.applyDefaults(decode(Golden.read("manifests/" + plural + ".yaml")));

        assertThat(rules.validateCreate(object).errors()).isEmpty();
        assertThat(rules.validateUpdate(object, object).errors()).isEmpty();
        assertThat(rules.applyDefaults(object)).isEqualTo(object);
    }

    @Test
    void reportsEveryErrorWithItsPathInKubernetesWording() {
        Message instance = rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata: {name: Bad_Name, namespace: team-a}
                spec:
                  engine: postgres
                  connection: {host: "", port: 70000}
                  healthCheck: {intervalSeconds: 1}
                  driftPolicy: {interval: soon}
                """));

        assertThat(messages(rules.validateCreate(instance).errors()))
                .containsExactlyInAnyOrder(
                        "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of"
                                + " lower case alphanumeric characters, '-' or '.', and must start and end with an"
                                + " alphanumeric character (at most 253 characters)",
                        "spec.connection.host: Required value",
                        "spec.connection.port: Invalid value: 70000: must be between 1 and 65535",
                        "spec.healthCheck.intervalSeconds: Invalid value: 1: must be between 5 and 86400",
                        "spec.driftPolicy.interval: Invalid value: \"soon\": must be a duration such as 90s, 30m or 8h",
                        "spec.connection.secretRef: Required value: the administrator's credentials Secret is required");
    }

    @Test
    void unsupportedEnumValuesAreFieldErrorsListingTheSupportedSpellings() {
        var decoded = codec.decodeYaml("""
                        apiVersion: dbops.dbprovision.io/v1alpha1
                        kind: DatabaseInstance
                        metadata: {name: db}
                        spec: {engine: oracle, connection: {host: h, secretRef: {name: s}}}
                        """).getFirst();

        assertThat(messages(decoded.invalidValues()))
                .containsExactly("spec.engine: Unsupported value: \"oracle\": supported values: \"postgres\","
                        + " \"mysql\", \"mariadb\", \"cockroachdb\", \"clickhouse\"");
    }

    @Test
    void exactlyOneInstanceReferenceIsRequired() {
        Message none = rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: app, namespace: team-a}
                spec: {}
                """));
        Message both = rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: app, namespace: team-a}
                spec: {instanceRef: {name: a}, clusterInstanceRef: {name: b}}
                """));

        assertThat(messages(rules.validateCreate(none).errors()))
                .containsExactly("spec: Required value: either instanceRef or clusterInstanceRef must be specified");
        assertThat(messages(rules.validateCreate(both).errors()))
                .containsExactly("spec.clusterInstanceRef: Forbidden: instanceRef and clusterInstanceRef are"
                        + " mutually exclusive; set only one");
    }

    @Test
    void immutableFieldsCannotChange() {
        DatabaseInstance instance = (DatabaseInstance) rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata: {name: db, namespace: team-a}
                spec: {engine: postgres, connection: {host: h, secretRef: {name: s}}}
                """));
        DatabaseInstance changed = instance.toBuilder()
                .setSpec(instance.getSpec().toBuilder().setEngine(EngineType.ENGINE_TYPE_MYSQL))
                .build();

        assertThat(messages(rules.validateUpdate(instance, changed).errors()))
                .containsExactly("spec.engine: Invalid value: \"mysql\": engine is immutable");
    }

    @Test
    void databaseNameDefaultsFromTheObjectNameAndIsImmutable() {
        Database database = (Database) rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata: {name: orders-db.v2, namespace: team-a}
                spec: {instanceRef: {name: pg}}
                """));
        Database renamed = database.toBuilder()
                .setSpec(database.getSpec().toBuilder().setName("orders"))
                .build();

        assertThat(database.getSpec().getName()).isEqualTo("orders_db_v2");
        assertThat(messages(rules.validateUpdate(database, renamed).errors()))
                .containsExactly("spec.name: Invalid value: \"orders\": database name is immutable");
    }

    @Test
    void instancePortAndAdminDatabaseDefaultPerEngine() {
        DatabaseInstance mariadb = (DatabaseInstance) rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata: {name: db}
                spec: {engine: mariadb, connection: {host: h, secretRef: {name: s}}}
                """));

        assertThat(mariadb.getSpec().getConnection().getPort()).isEqualTo(3306);
        assertThat(mariadb.getSpec().getConnection().getDatabase()).isEqualTo("mysql");
        assertThat(mariadb.getSpec().getDeletionProtection()).isTrue();
    }

    @Test
    void clusterInstanceNeedsTheCredentialsNamespace() {
        Message instance = rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: ClusterDatabaseInstance
                metadata: {name: shared}
                spec: {engine: postgres, connection: {host: h, secretRef: {name: s}}}
                """));

        assertThat(messages(rules.validateCreate(instance).errors()))
                .containsExactly("spec.connection.secretRef.namespace: Required value: secretRef.namespace is"
                        + " required for cluster-scoped instances");
    }

    @Test
    void identifiersAreCheckedAgainstTheEngineOnceItIsKnown() {
        String sixtyFour = "u".repeat(40);
        DatabaseUser user = (DatabaseUser) rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseUser
                metadata: {name: app, namespace: team-a}
                spec: {instanceRef: {name: db}, username: %s}
                """.formatted(sixtyFour)));

        assertThat(rules.validateCreate(user).errors()).isEmpty();
        assertThat(rules.validateForEngine(user, EngineType.ENGINE_TYPE_POSTGRES)
                        .errors())
                .isEmpty();
        assertThat(rules.validateForEngine(user, EngineType.ENGINE_TYPE_MARIADB).errors())
                .isEmpty();
        assertThat(messages(rules.validateForEngine(user, EngineType.ENGINE_TYPE_MYSQL)
                        .errors()))
                .containsExactly(
                        "spec.username: Invalid value: \"" + sixtyFour + "\": must be at most 32 characters on MySQL");
    }

    @Test
    void aUsernameThatIsNoSecretNameGetsAValidDefaultSecretName() {
        DatabaseUser user = (DatabaseUser) rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseUser
                metadata: {name: app, namespace: team-a}
                spec: {instanceRef: {name: db}, username: _App, passwordSecret: {length: 24}}
                """));

        assertThat(user.getSpec().getPasswordSecret().getSecretName()).isEqualTo("app.l5axa4a-credentials");
        assertThat(rules.validateCreate(user).errors()).isEmpty();
    }

    @Test
    void aSecretNameThatIsNoSecretNameIsRefused() {
        DatabaseUser user = (DatabaseUser) rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseUser
                metadata: {name: app, namespace: team-a}
                spec: {instanceRef: {name: db}, username: app, passwordSecret: {secretName: -App_creds}}
                """));

        assertThat(messages(rules.validateCreate(user).errors()))
                .containsExactly("spec.passwordSecret.secretName: Invalid value: \"-App_creds\": must be a Secret"
                        + " name: a lowercase RFC 1123 subdomain (lower case alphanumeric characters, '-' or '.',"
                        + " starting and ending with an alphanumeric character, at most 253 characters)");
    }

    @Test
    void postgresReservesThePgPrefixForRoles() {
        Message role = rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseRole
                metadata: {name: r, namespace: team-a}
                spec: {instanceRef: {name: db}, roleName: pg_monitor_copy}
                """));

        assertThat(messages(rules.validateForEngine(role, EngineType.ENGINE_TYPE_POSTGRES)
                        .errors()))
                .containsExactly("spec.roleName: Invalid value: \"pg_monitor_copy\": role names starting with pg_"
                        + " are reserved on PostgreSQL");
    }

    @Test
    void engineBlocksForAnotherEngineAreWarnedAbout() {
        Message instance = rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata: {name: db}
                spec:
                  engine: mysql
                  connection: {host: h, secretRef: {name: s}}
                  postgres: {sslMode: require}
                """));

        Findings findings = rules.validateCreate(instance);

        assertThat(findings.errors()).isEmpty();
        assertThat(findings.warnings()).containsExactly("spec.postgres is ignored for engine mysql");
    }

    @Test
    void crossFieldRulesOfBackupsRestoresGrantsAndUsers() {
        Message backup = rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseBackup
                metadata: {name: b, namespace: team-a}
                spec:
                  databaseRef: {name: app}
                  storage: {type: s3}
                  encryption: {enabled: true}
                  postgres: {dataOnly: true, schemaOnly: true, jobs: 4}
                """));
        Message restore = rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseRestore
                metadata: {name: r, namespace: team-a}
                spec:
                  backupRef: {name: b}
                  target: {inPlace: true, databaseRef: {name: app}}
                  confirmation: {acknowledgeDataLoss: "yes"}
                """));
        Message grant = rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseGrant
                metadata: {name: g, namespace: team-a}
                spec:
                  userRef: {name: u}
                  mysql:
                    grants:
                    - {level: table, database: app, privileges: [SELECT]}
                """));
        Message user = rules.applyDefaults(decode("""
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseUser
                metadata: {name: u, namespace: team-a}
                spec:
                  instanceRef: {name: db}
                  username: app
                  passwordRotation: {enabled: true}
                """));

        assertThat(messages(rules.validateCreate(backup).errors()))
                .containsExactlyInAnyOrder(
                        "spec.storage.s3: Required value: s3 configuration is required",
                        "spec.encryption.secretRef: Required value: the Secret key holding the 32-byte encryption"
                                + " key is required",
                        "spec.postgres.schemaOnly: Invalid value: true: dataOnly and schemaOnly cannot both be true",
                        "spec.postgres.jobs: Invalid value: 4: parallel jobs need format directory");
        assertThat(messages(rules.validateCreate(restore).errors()))
                .containsExactly("spec.confirmation.acknowledgeDataLoss: Invalid value: \"yes\": must be"
                        + " I-UNDERSTAND-DATA-LOSS to restore in place");
        assertThat(messages(rules.validateCreate(grant).errors()))
                .containsExactly("spec.mysql.grants[0].table: Required value: required at level table");
        assertThat(messages(rules.validateCreate(user).errors()))
                .containsExactly("spec.passwordRotation.schedule: Required value: a cron schedule is required when"
                        + " rotation is enabled");
    }

    private Message decode(String yaml) {
        var decoded = codec.decodeYaml(yaml);
        assertThat(decoded).hasSize(1);
        assertThat(decoded.getFirst().strictProblems()).isEmpty();
        return decoded.getFirst().object();
    }

    private static List<String> messages(List<FieldError> errors) {
        return errors.stream().map(FieldError::toString).toList();
    }
}
