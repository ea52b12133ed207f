package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.dbprovision.api.codec.EnumSpelling;
import io.dbprovision.apiserver.controller.Informer;
import io.dbprovision.apiserver.corev1.Secrets;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.engine.v1alpha1.Tls;
import io.dbprovision.proto.k8s.core.v1.Secret;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseInstance;
import io.dbprovision.proto.v1alpha1.CredentialSecretRef;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseInstanceSpec;
import io.dbprovision.proto.v1alpha1.DatabaseInstanceStatus;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.InstancePhase;
import io.dbprovision.proto.v1alpha1.SSLMode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Finds the instance an object lives on and turns it into what the provisioner needs: where the server is, the
 * admin credentials from the Secret the instance names, and TLS material from its TLS Secret. Dependants use
 * {@link #ready}: they wait (Pending, {@code InstanceNotFound} / {@code InstanceNotReady}) until their instance is
 * Ready, as the system we re-create does, and are queued again when it changes (their controllers watch instances).
 */
public final class Instances {
    private final Informer<DatabaseInstance> namespaced;
    private final Informer<ClusterDatabaseInstance> cluster;
    private final Secrets secrets;

    /**
     * A found instance: the stored object, its spec, and the connection for the provisioner. The connection's admin
     * credentials and TLS material are read from their Secrets only when {@link #connection()} (or {@link #tls()}) is
     * first asked for, that is when an engine call is about to be made: a resync of an object with nothing due reads
     * no Secret (in a cluster, one GET to the kube-apiserver per object and resync otherwise). A Secret that is missing
     * or unusable then fails that call, as {@link Waiting} ({@code SecretNotFound}) or {@link ReconcileFailure}.
     * What the spec alone says — where the server is, the TLS mode — needs no Secret ({@link #tlsMode()}).
     */
    public static final class Resolved {
        private final InstanceKey key;
        private final Message object;
        private final DatabaseInstanceSpec spec;
        private final Instances instances;
        private Tls tls;
        private Instance connection;

        Resolved(InstanceKey key, Message object, Instances instances) {
            this.key = key;
            this.object = object;
            this.spec = specOf(object);
            this.instances = instances;
        }

        public InstanceKey key() {
            return key;
        }

        public Message object() {
            return object;
        }

        public DatabaseInstanceSpec spec() {
            return spec;
        }

        public EngineType engine() {
            return spec.getEngine();
        }

        /** The TLS mode the server is connected with, from the spec alone (no Secret is read). */
        public SSLMode tlsMode() {
            return Instances.tlsMode(spec);
        }

        /** The mode and the TLS Secret's material (not the admin Secret's), read on first use for this reconcile. */
        public synchronized Tls tls() {
            if (tls == null) {
                tls = instances.tls(key, spec);
            }
            return tls;
        }

        /** The provisioner's connection with the admin credentials, read on first use and kept for this reconcile. */
        public synchronized Instance connection() {
            if (connection == null) {
                connection = instances.connection(key, spec, this::tls);
            }
            return connection;
        }
    }

    public Instances(
            Informer<DatabaseInstance> namespaced, Informer<ClusterDatabaseInstance> cluster, Secrets secrets) {
        this.namespaced = namespaced;
        this.cluster = cluster;
        this.secrets = secrets;
    }

    /** The instance {@code referrer} lives on, Ready; throws {@link Waiting} otherwise. */
    public Resolved ready(Message referrer) {
        InstanceKey key = InstanceKey.of(referrer)
                .orElseThrow(() -> new ReconcileFailure(
                        "InvalidSpec", "spec names no instance (instanceRef or clusterInstanceRef)", false, null));
        return ready(key);
    }

    public Resolved ready(InstanceKey key) {
        Message object = find(key).orElseThrow(() -> new Waiting("InstanceNotFound", key + " does not exist"));
        DatabaseInstanceStatus status = statusOf(object);
        if (Objects.meta(object).hasDeletionTimestamp()) {
            throw new Waiting("InstanceNotReady", key + " is being deleted");
        }
        if (status.getPhase() != InstancePhase.INSTANCE_PHASE_READY) {
            throw new Waiting("InstanceNotReady", key + " is not Ready yet");
        }
        return resolved(key, object);
    }

    /**
     * The instance {@code referrer} lives on, for dropping or revoking what the referrer made there: Ready, or being
     * deleted after its last health check connected. So deleting an instance together with what lives on it (one
     * {@code kubectl delete -f} of a directory) lets the dependants clean up on the server first, while the instance
     * waits for them; the instance's Secrets stay for that long ({@code instance/InstanceSecrets}). Throws
     * {@link Waiting} otherwise.
     */
    public Resolved forCleanup(Message referrer) {
        InstanceKey key = InstanceKey.of(referrer)
                .orElseThrow(() -> new ReconcileFailure(
                        "InvalidSpec", "spec names no instance (instanceRef or clusterInstanceRef)", false, null));
        return forCleanup(key);
    }

    /** As {@link #forCleanup(Message)}, by the instance's key. */
    public Resolved forCleanup(InstanceKey key) {
        Message object = find(key).orElseThrow(() -> new Waiting("InstanceNotFound", key + " does not exist"));
        if (Objects.meta(object).hasDeletionTimestamp() && lastCheckConnected(object)) {
            return resolved(key, object);
        }
        return ready(key);
    }

    private Resolved resolved(InstanceKey key, Message object) {
        return new Resolved(key, object, this);
    }

    private static boolean lastCheckConnected(Message instance) {
        return Conditions.isTrue(statusOf(instance).getConditionsList(), Conditions.CONNECTED);
    }

    /**
     * The work-queue partition of what lives on {@code key}: the database server it names ({@link ServerKey}), so
     * that several instance objects on one server share one limit; the instance itself while it is not known.
     */
    public String partition(InstanceKey key) {
        return find(key).map(instance -> ServerKey.of(specOf(instance))).orElse(key.index());
    }

    public Optional<Message> find(InstanceKey key) {
        return key.cluster()
                ? cluster.get(key.name()).map(Message.class::cast)
                : namespaced.get(key.name()).map(Message.class::cast);
    }

    /** The connection to {@code instance}'s server with its admin credentials (for its own health check too). */
    public Instance connection(InstanceKey key, Message instance) {
        DatabaseInstanceSpec spec = specOf(instance);
        return connection(key, spec, () -> tls(key, spec));
    }

    /** The admin Secret is read before the TLS one: a missing admin Secret is what status names first. */
    private Instance connection(InstanceKey key, DatabaseInstanceSpec spec, Supplier<Tls> tls) {
        CredentialSecretRef ref = adminRef(spec);
        String secretNamespace = secretNamespace(key, spec);
        Secret admin = secret(secretNamespace, ref.getName());
        String usernameKey = ref.getKeys().getUsername().isEmpty()
                ? "username"
                : ref.getKeys().getUsername();
        String passwordKey = ref.getKeys().getPassword().isEmpty()
                ? "password"
                : ref.getKeys().getPassword();
        Instance.Builder connection = Instance.newBuilder()
                .setEngine(spec.getEngine())
                .setHost(spec.getConnection().getHost())
                .setPort(spec.getConnection().getPort())
                .setDatabase(spec.getConnection().getDatabase())
                .setUsername(value(admin, usernameKey, secretNamespace, false))
                // An empty password is a password too (a server with trust authentication, MariaDB's root).
                .setPassword(value(admin, passwordKey, secretNamespace, true))
                .setTls(tls.get());
        if (spec.hasPostgres()) {
            connection.setPostgres(spec.getPostgres());
        }
        if (spec.hasMysql()) {
            connection.setMysql(spec.getMysql());
        }
        return connection.build();
    }

    private static CredentialSecretRef adminRef(DatabaseInstanceSpec spec) {
        CredentialSecretRef ref = spec.getConnection().hasSecretRef()
                ? spec.getConnection().getSecretRef()
                : spec.getConnection().getExistingSecret();
        if (ref.getName().isEmpty()) {
            throw new ReconcileFailure(
                    "InvalidSpec", "spec.connection.secretRef names no Secret with the admin credentials", false, null);
        }
        return ref;
    }

    /** Where the instance's Secrets are: the admin Secret's namespace, else the instance's own. */
    private static String secretNamespace(InstanceKey key, DatabaseInstanceSpec spec) {
        String namespace = adminRef(spec).getNamespace();
        if (!namespace.isEmpty()) {
            return namespace;
        }
        if (key.cluster()) {
            throw new ReconcileFailure(
                    "InvalidSpec",
                    "spec.connection.secretRef.namespace is required for cluster-scoped instances",
                    false,
                    null);
        }
        return key.name().namespace();
    }

    /**
     * TLS to the server: {@link #tlsMode}, and the material from {@code tls.secretRef} in the credentials' namespace,
     * as PEM text that never touches a file.
     */
    private Tls tls(InstanceKey key, DatabaseInstanceSpec spec) {
        SSLMode mode = tlsMode(spec);
        Tls.Builder tls = Tls.newBuilder().setMode(mode);
        if (!spec.getTls().hasSecretRef() || mode == SSLMode.SSL_MODE_DISABLE) {
            return tls.build();
        }
        var ref = spec.getTls().getSecretRef();
        Secret material = secret(secretNamespace(key, spec), ref.getName());
        String caKey =
                ref.getKeys().getCa().isEmpty() ? "ca.crt" : ref.getKeys().getCa();
        String certKey =
                ref.getKeys().getCert().isEmpty() ? "tls.crt" : ref.getKeys().getCert();
        String keyKey =
                ref.getKeys().getKey().isEmpty() ? "tls.key" : ref.getKeys().getKey();
        tls.setCaPem(optional(material, caKey));
        tls.setClientCertPem(optional(material, certKey));
        tls.setClientKeyPem(optional(material, keyKey));
        return tls.build();
    }

    /**
     * The TLS mode: {@code postgres.sslMode} (PostgreSQL and CockroachDB), then {@code connection.sslMode}, then
     * {@code tls.mode} when {@code tls.enabled}, else disable. {@code tls.enabled} means TLS: with {@code tls.mode} at
     * its default, disable, the connection is encrypted without verifying the server (require) — the security page's
     * MySQL example ({@code tls: {enabled: true, secretRef: …}}) would otherwise connect in plain text.
     */
    static SSLMode tlsMode(DatabaseInstanceSpec spec) {
        // The strictest mode any of the three asks for: the API defaults postgres.sslMode to prefer whenever a
        // postgres block is present, so a precedence order would quietly turn tls.mode verify-full into prefer.
        SSLMode mode = SSLMode.SSL_MODE_DISABLE;
        boolean postgresFamily = spec.getEngine() == EngineType.ENGINE_TYPE_POSTGRES
                || spec.getEngine() == EngineType.ENGINE_TYPE_COCKROACHDB;
        if (postgresFamily) {
            mode = stricter(mode, spec.getPostgres().getSslMode());
        }
        mode = stricter(mode, spec.getConnection().getSslMode());
        if (spec.getTls().getEnabled()) {
            mode = stricter(
                    mode,
                    EnumSpelling.of(spec.getTls().getMode().getValueDescriptor())
                            .flatMap(json -> EnumSpelling.parse(SSLMode.getDescriptor(), json))
                            .map(SSLMode::valueOf)
                            .filter(chosen -> chosen != SSLMode.SSL_MODE_DISABLE)
                            .orElse(SSLMode.SSL_MODE_REQUIRE));
        }
        return mode;
    }

    /** SSLMode's values are declared from the weakest (disable) to the strictest (verify-full). */
    private static SSLMode stricter(SSLMode current, SSLMode candidate) {
        if (candidate == SSLMode.SSL_MODE_UNSPECIFIED || candidate == SSLMode.UNRECOGNIZED) {
            return current;
        }
        return candidate.getNumber() > current.getNumber() ? candidate : current;
    }

    private Secret secret(String namespace, String name) {
        return secrets.get(namespace, name)
                .orElseThrow(
                        () -> new Waiting("SecretNotFound", "Secret " + namespace + "/" + name + " does not exist"));
    }

    private static String value(Secret secret, String key, String namespace, boolean mayBeEmpty) {
        ByteString value = secret.getDataMap().get(key);
        if (value == null || (value.isEmpty() && !mayBeEmpty)) {
            throw new ReconcileFailure(
                    "SecretInvalid",
                    "Secret " + namespace + "/" + secret.getMetadata().getName() + " has no key " + key,
                    false,
                    null);
        }
        return value.toString(StandardCharsets.UTF_8);
    }

    private static String optional(Secret secret, String key) {
        ByteString value = secret.getDataMap().get(key);
        return value == null ? "" : value.toString(StandardCharsets.UTF_8);
    }

    public static DatabaseInstanceSpec specOf(Message instance) {
        return instance instanceof DatabaseInstance namespaced
                ? namespaced.getSpec()
                : ((ClusterDatabaseInstance) instance).getSpec();
    }

    public static DatabaseInstanceStatus statusOf(Message instance) {
        return instance instanceof DatabaseInstance namespaced
                ? namespaced.getStatus()
                : ((ClusterDatabaseInstance) instance).getStatus();
    }
}
