package io.dbprovision.apiserver.reconcile.database;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.admission.DeletionProtection;
import io.dbprovision.apiserver.corev1.ConfigMaps;
import io.dbprovision.apiserver.corev1.Secrets;
import io.dbprovision.apiserver.reconcile.Conditions;
import io.dbprovision.apiserver.reconcile.DeletionGate;
import io.dbprovision.apiserver.reconcile.Dependants;
import io.dbprovision.apiserver.reconcile.EngineCalls;
import io.dbprovision.apiserver.reconcile.EngineObjectLogic;
import io.dbprovision.apiserver.reconcile.Engines;
import io.dbprovision.apiserver.reconcile.Instances;
import io.dbprovision.apiserver.reconcile.StatusDraft;
import io.dbprovision.apiserver.reconcile.Waiting;
import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.DropDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.DropRoleRequest;
import io.dbprovision.proto.engine.v1alpha1.DropUserRequest;
import io.dbprovision.proto.engine.v1alpha1.EnsureDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveDatabaseRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveDatabaseResponse;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseDeletionPolicy;
import io.dbprovision.proto.v1alpha1.DatabaseInfo;
import io.dbprovision.proto.v1alpha1.DatabaseStatus;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.MySQLDatabaseStatus;
import io.dbprovision.proto.v1alpha1.PostgresDatabaseStatus;
import io.dbprovision.proto.v1alpha1.PostgresExtensionStatus;
import io.dbprovision.proto.v1alpha1.PostgresOwnershipPhase;
import io.dbprovision.proto.v1alpha1.PostgresOwnershipStatus;
import java.util.List;

/**
 * Database (§4.3): EnsureDatabase (create, then extensions, schemas, default privileges, character set), the init
 * SQL, and what the server reports (owner, size, encoding, installed extensions, schemas) in status. Deletion waits
 * for the grants on the database, then follows {@code deletionPolicy}: Delete (the default) terminates open
 * connections and drops it (with its auto-ownership role and app user when {@code ownership.dropOnDelete}); Retain
 * and Snapshot (which takes no backup yet) leave it.
 */
public final class DatabaseLogic extends EngineObjectLogic {
    public static final String FINALIZER = "dbops.dbprovision.io/database-protection";
    /** The dependants index: {@code namespace/name} of the database a grant names. */
    public static final String INDEX = "database";

    private final Dependants dependants;
    private final DeletionGate gate;
    private final InitSql initSql;

    public DatabaseLogic(
            Instances instances,
            EngineCalls engine,
            Secrets secrets,
            ConfigMaps configMaps,
            Dependants dependants,
            DeletionGate gate) {
        super(instances, engine);
        this.dependants = dependants;
        this.gate = gate;
        this.initSql = new InitSql(engine, secrets, configMaps);
    }

    @Override
    public String finalizer() {
        return FINALIZER;
    }

    @Override
    protected void ensure(Message object, Instances.Resolved instance, StatusDraft status, boolean destructive) {
        ensureDatabase((Database) object, instance, status);
    }

    /**
     * EnsureDatabase and the init SQL; a database the call created comes with its state in the answer, which stands
     * for ObserveDatabase unless init SQL ran after it (it may have changed what the answer describes).
     */
    @Override
    protected List<DriftDiff> ensureAndObserve(
            Message object, Instances.Resolved instance, StatusDraft status, boolean destructive) {
        Database database = (Database) object;
        ChangeResponse answer = ensureDatabase(database, instance, status);
        if (answer.hasCreatedDatabase() && !database.getSpec().hasInitSql()) {
            return record(database, instance, status, answer.getCreatedDatabase());
        }
        return observe(object, instance, status);
    }

    private ChangeResponse ensureDatabase(Database database, Instances.Resolved instance, StatusDraft status) {
        if (status.phase().isEmpty() || "Pending".equals(status.phase())) {
            status.phase("Creating", "creating database " + database.getSpec().getName());
        }
        ChangeResponse answer = engine.call(
                "ensure database " + database.getSpec().getName(),
                stub -> stub.ensureDatabase(EnsureDatabaseRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setDatabase(definition(database, instance))
                        .build()));
        initSql.run(database, instance, status);
        return answer;
    }

    /** EnsureDatabase's plan (init SQL is not part of it: it may name Secrets and runs once, after the database). */
    @Override
    protected ChangeResponse plan(Message object, Instances.Resolved instance) {
        Database database = (Database) object;
        return engine.call(
                "plan database " + database.getSpec().getName(),
                stub -> stub.ensureDatabase(EnsureDatabaseRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setValidateOnly(true)
                        .setDatabase(definition(database, instance))
                        .build()));
    }

    @Override
    protected List<DriftDiff> observe(Message object, Instances.Resolved instance, StatusDraft status) {
        Database database = (Database) object;
        ObserveDatabaseResponse observed = engine.call(
                "observe database " + database.getSpec().getName(),
                stub -> stub.observeDatabase(ObserveDatabaseRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setDesired(definition(database, instance))
                        .build()));
        return record(database, instance, status, observed);
    }

    /** Fills the status from what the server reports and returns the diffs. */
    private static List<DriftDiff> record(
            Database database, Instances.Resolved instance, StatusDraft status, ObserveDatabaseResponse observed) {
        DatabaseStatus.Builder fields = status.fields(DatabaseStatus.Builder.class);
        if (!observed.getExists()) {
            return List.of(DriftDiff.newBuilder()
                    .setField("database")
                    .setExpected(database.getSpec().getName())
                    .setActual("<missing>")
                    .build());
        }
        var actual = observed.getActual();
        fields.setDatabase(DatabaseInfo.newBuilder()
                .setName(actual.getName())
                .setOwner(actual.getOwner())
                .setSizeBytes(actual.getSizeBytes())
                .setCreatedAt(
                        fields.getDatabase().hasCreatedAt()
                                ? fields.getDatabase().getCreatedAt()
                                : Conditions.timestamp(status.now())));
        if (Engines.postgresFamily(instance.engine())) {
            PostgresDatabaseStatus.Builder postgres = PostgresDatabaseStatus.newBuilder()
                    .setEncoding(actual.getPostgres().getEncoding())
                    .setCollation(actual.getPostgres().getLcCollate());
            // A database just created comes without its extensions and schemas (contents_not_read: what its
            // template held); they are listed from the first drift check on.
            actual.getPostgres()
                    .getExtensionsList()
                    .forEach(e -> postgres.addInstalledExtensions(PostgresExtensionStatus.newBuilder()
                            .setName(e.getName())
                            .setVersion(e.getVersion())));
            actual.getPostgres().getSchemasList().forEach(s -> postgres.addSchemas(s.getName()));
            var ownership = database.getSpec().getPostgres().getOwnership();
            if (ownership.getAutoOwnership()) {
                postgres.setOwnership(PostgresOwnershipStatus.newBuilder()
                        .setRoleName(ownerRole(database))
                        .setUserName(appUser(database))
                        .setPhase(
                                observed.getDiffsList().stream()
                                                .anyMatch(d -> d.getField().startsWith("ownership"))
                                        ? PostgresOwnershipPhase.POSTGRES_OWNERSHIP_PHASE_PENDING
                                        : PostgresOwnershipPhase.POSTGRES_OWNERSHIP_PHASE_READY));
            }
            fields.setPostgres(postgres);
        } else {
            fields.setMysql(MySQLDatabaseStatus.newBuilder()
                    .setCharset(actual.getMysql().getCharset())
                    .setCollation(actual.getMysql().getCollation()));
        }
        return observed.getDiffsList();
    }

    @Override
    protected String readyMessage(Message object, Instances.Resolved instance) {
        return "database " + ((Database) object).getSpec().getName() + " on " + instance.key();
    }

    @Override
    protected void afterReady(Message object, StatusDraft status) {
        InitSql.markUnsynced(status.fields(DatabaseStatus.Builder.class), status);
    }

    @Override
    public boolean finish(Message object, StatusDraft status) {
        Database database = (Database) object;
        if (!gate.clear(object, dependants.of(INDEX, Dependants.key(object)), status)) {
            return false;
        }
        DatabaseDeletionPolicy policy = database.getSpec().getDeletionPolicy();
        if (policy == DatabaseDeletionPolicy.DATABASE_DELETION_POLICY_RETAIN
                || policy == DatabaseDeletionPolicy.DATABASE_DELETION_POLICY_SNAPSHOT) {
            status.normalEvent(
                    "Retained",
                    "database " + database.getSpec().getName() + " kept on the server (deletionPolicy "
                            + (policy == DatabaseDeletionPolicy.DATABASE_DELETION_POLICY_RETAIN ? "Retain" : "Snapshot")
                            + ")");
            return true;
        }
        Instances.Resolved instance;
        try {
            instance = instances.forCleanup(object);
        } catch (Waiting waiting) {
            if (forced(object)) {
                status.warningEvent(
                        "DeleteSkipped",
                        "database " + database.getSpec().getName() + " not dropped: " + waiting.getMessage()
                                + " (force-delete)");
                return true;
            }
            throw waiting;
        }
        status.phase("Deleting", "dropping database " + database.getSpec().getName());
        // DropDatabase ends the database's sessions before it drops it.
        engine.call(
                "drop database " + database.getSpec().getName(),
                stub -> stub.dropDatabase(DropDatabaseRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setName(database.getSpec().getName())
                        .build()));
        var ownership = database.getSpec().getPostgres().getOwnership();
        if (Engines.postgresFamily(instance.engine()) && ownership.getAutoOwnership() && ownership.getDropOnDelete()) {
            engine.call(
                    "drop app user " + appUser(database),
                    stub -> stub.dropUser(DropUserRequest.newBuilder()
                            .setInstance(instance.connection())
                            .setName(appUser(database))
                            .build()));
            engine.call(
                    "drop owner role " + ownerRole(database),
                    stub -> stub.dropRole(DropRoleRequest.newBuilder()
                            .setInstance(instance.connection())
                            .setName(ownerRole(database))
                            .build()));
        }
        status.normalEvent("Deleted", "database " + database.getSpec().getName() + " dropped");
        return true;
    }

    static DatabaseDefinition definition(Database database, Instances.Resolved instance) {
        DatabaseDefinition.Builder definition = DatabaseDefinition.newBuilder()
                .setName(database.getSpec().getName())
                .setOwner(database.getSpec().getOwner());
        if (Engines.postgresFamily(instance.engine()) && database.getSpec().hasPostgres()) {
            definition.setPostgres(database.getSpec().getPostgres());
        }
        if (Engines.mysqlFamily(instance.engine()) && database.getSpec().hasMysql()) {
            definition.setMysql(database.getSpec().getMysql());
        }
        return definition.build();
    }

    /** {@code ownership.roleName}, default {@code db_<name>_owner} cut to 63 characters (§2.2.1). */
    static String ownerRole(Database database) {
        String name = database.getSpec().getPostgres().getOwnership().getRoleName();
        return name.isEmpty() ? cut("db_" + database.getSpec().getName() + "_owner") : name;
    }

    /** {@code ownership.userName}, default {@code db_<name>_app}. */
    static String appUser(Database database) {
        String name = database.getSpec().getPostgres().getOwnership().getUserName();
        return name.isEmpty() ? cut("db_" + database.getSpec().getName() + "_app") : name;
    }

    private static String cut(String name) {
        return name.length() <= 63 ? name : name.substring(0, 63);
    }

    private static boolean forced(Message object) {
        return "true"
                .equals(io.dbprovision.apiserver.registry.Objects.meta(object)
                        .getAnnotationsOrDefault(DeletionProtection.FORCE_DELETE, ""));
    }
}
