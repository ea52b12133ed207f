package io.dbprovision.apiserver.reconcile.instance;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.reconcile.Conditions;
import io.dbprovision.apiserver.reconcile.DeletionGate;
import io.dbprovision.apiserver.reconcile.Dependants;
import io.dbprovision.apiserver.reconcile.EngineCalls;
import io.dbprovision.apiserver.reconcile.InstanceKey;
import io.dbprovision.apiserver.reconcile.Instances;
import io.dbprovision.apiserver.reconcile.KindLogic;
import io.dbprovision.apiserver.reconcile.ReconcileFailure;
import io.dbprovision.apiserver.reconcile.StatusDraft;
import io.dbprovision.apiserver.reconcile.Waiting;
import io.dbprovision.proto.engine.v1alpha1.CheckInstanceRequest;
import io.dbprovision.proto.engine.v1alpha1.CheckInstanceResponse;
import io.dbprovision.proto.v1alpha1.DatabaseInstanceSpec;
import io.dbprovision.proto.v1alpha1.DatabaseInstanceStatus;
import java.time.Duration;
import java.util.Optional;

/**
 * DatabaseInstance and ClusterDatabaseInstance (§4.2): a health check through the provisioner's CheckInstance at
 * {@code healthCheck.intervalSeconds} (60 s when the block is absent), its outcome in status — version,
 * lastCheckedAt, Connected, Healthy (false when the admin lacks privileges the other kinds need) and Ready — with
 * {@code Connected} / {@code ConnectionFailed} events on transitions only (the system we re-create sent one every
 * cycle). A failed check is not retried faster than the interval: a dead server is looked at on its schedule, and its
 * dependants wait. Deleting an instance never touches the server; it waits while databases, users, roles or grants
 * still live on it. The Secrets it connects with are kept as long as it or anything on it needs them
 * ({@link InstanceSecrets}).
 */
public final class InstanceLogic implements KindLogic {
    public static final String FINALIZER = "dbops.dbprovision.io/instance-protection";
    public static final String CLUSTER_FINALIZER = "dbops.dbprovision.io/clusterdatabaseinstance-finalizer";
    /** The dependants index: the instance's {@link InstanceKey#index()}. */
    public static final String INDEX = "instance";

    private final boolean cluster;
    private final Instances instances;
    private final EngineCalls engine;
    private final Dependants dependants;
    private final DeletionGate gate;
    private final InstanceSecrets secrets;

    public InstanceLogic(
            boolean cluster,
            Instances instances,
            EngineCalls engine,
            Dependants dependants,
            DeletionGate gate,
            InstanceSecrets secrets) {
        this.cluster = cluster;
        this.instances = instances;
        this.engine = engine;
        this.dependants = dependants;
        this.gate = gate;
        this.secrets = secrets;
    }

    @Override
    public String finalizer() {
        return cluster ? CLUSTER_FINALIZER : FINALIZER;
    }

    @Override
    public Optional<Duration> sync(Message object, StatusDraft status) {
        DatabaseInstanceSpec spec = Instances.specOf(object);
        Duration interval = interval(spec);
        String before = status.phase();
        InstanceKey key = keyOf(object);
        secrets.protect(object);
        CheckInstanceResponse check;
        try {
            var connection = instances.connection(key, object);
            Duration timeout =
                    Duration.ofSeconds(Math.max(1, spec.getHealthCheck().getTimeoutSeconds()));
            // The check's own timeout plus room for the call around it.
            check = engine.call(
                    "connect to " + spec.getConnection().getHost(),
                    timeout.plusSeconds(5),
                    stub -> stub.checkInstance(CheckInstanceRequest.newBuilder()
                            .setInstance(connection)
                            .build()));
        } catch (ReconcileFailure | Waiting failure) {
            if (failure instanceof ReconcileFailure f && f.busy()) {
                // The server answered the provisioner, whose connections to it are all in use: it is not down.
                // The last check's result stands; look again soon.
                return Optional.of(Duration.ofSeconds(5));
            }
            String reason = failure instanceof ReconcileFailure f ? f.reason() : ((Waiting) failure).reason();
            status.notReady("Failed", reason, failure.getMessage());
            status.condition(Conditions.CONNECTED, false, "ConnectionFailed", failure.getMessage());
            status.condition(Conditions.HEALTHY, false, "HealthCheckFailed", failure.getMessage());
            status.fields(DatabaseInstanceStatus.Builder.class).setLastCheckedAt(Conditions.timestamp(status.now()));
            if (!"Failed".equals(before)) {
                status.warningEvent("ConnectionFailed", failure.getMessage());
            }
            return Optional.of(interval);
        }
        DatabaseInstanceStatus.Builder fields = status.fields(DatabaseInstanceStatus.Builder.class);
        fields.setVersion(check.getVersion()).setLastCheckedAt(Conditions.timestamp(status.now()));
        String engineName = spec.getEngine().name().replace("ENGINE_TYPE_", "").toLowerCase(java.util.Locale.ROOT);
        String message = "Connected to " + engineName + " " + check.getVersionNumber();
        status.ready(message);
        status.condition(Conditions.CONNECTED, true, "ConnectionSuccess", message);
        if (check.getAdminPrivilegesSufficient()) {
            status.condition(Conditions.HEALTHY, true, "HealthCheckPassed", "admin privileges sufficient");
        } else {
            status.condition(
                    Conditions.HEALTHY,
                    false,
                    "InsufficientPrivileges",
                    "the admin lacks " + String.join(", ", check.getMissingPrivilegesList()));
        }
        if (!"Ready".equals(before)) {
            status.normalEvent("Connected", "Successfully connected to " + engineName + " " + check.getVersion());
        }
        return Optional.of(interval);
    }

    @Override
    public boolean finish(Message object, StatusDraft status) {
        if (!gate.clear(object, dependants.of(INDEX, keyOf(object).index()), status)) {
            return false;
        }
        // Nothing lives on it any more: its Secrets may go, unless another instance still needs them.
        secrets.release(object);
        return true;
    }

    private InstanceKey keyOf(Message object) {
        NamespacedName name = NamespacedName.of(object);
        return cluster ? InstanceKey.cluster(name.name()) : InstanceKey.namespaced(name.namespace(), name.name());
    }

    /** {@code healthCheck.intervalSeconds}; 60 s when the block is absent (§1.3). */
    static Duration interval(DatabaseInstanceSpec spec) {
        if (!spec.hasHealthCheck()) {
            return Duration.ofSeconds(60);
        }
        int seconds = spec.getHealthCheck().getIntervalSeconds();
        return Duration.ofSeconds(seconds < 5 ? 30 : seconds);
    }
}
