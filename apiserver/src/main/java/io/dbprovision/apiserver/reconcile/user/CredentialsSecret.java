package io.dbprovision.apiserver.reconcile.user;

import com.google.protobuf.ByteString;
import io.dbprovision.api.codec.EnumSpelling;
import io.dbprovision.api.kinds.CredentialsSecretNames;
import io.dbprovision.api.kinds.EnginePorts;
import io.dbprovision.apiserver.corev1.Secrets;
import io.dbprovision.apiserver.reconcile.DbopsControllers;
import io.dbprovision.apiserver.reconcile.Engines;
import io.dbprovision.apiserver.reconcile.Instances;
import io.dbprovision.apiserver.reconcile.ReconcileFailure;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.proto.engine.v1alpha1.Tls;
import io.dbprovision.proto.k8s.core.v1.Secret;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.dbprovision.proto.v1alpha1.OwnerReference;
import io.dbprovision.proto.v1alpha1.SSLMode;
import io.dbprovision.proto.v1alpha1.SecretTemplate;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A DatabaseUser's credentials Secret: {@code passwordSecret.secretName} (default {@code <username>-credentials},
 * lower-cased with {@code _} as {@code -}, as admission defaults it) in the user's namespace, labelled
 * {@value #MANAGED_BY}={@value #MANAGED_BY_VALUE} and {@value #USER_LABEL}=<object name>, and owned by the
 * DatabaseUser (controller reference).
 *
 * <p>It is where the password lives: the reconciler reads it back from here, so the Secret always holds the active
 * credential under {@code username} and {@code password} — with template data too. The seed kept the password of a
 * templated Secret in a plain-text annotation (§10.11); here a template that renders no {@code password} key gets
 * the raw one added under {@code password}, and one whose {@code password} (or {@code username}) key renders to
 * anything but the value itself is refused, since the password could not be read back from it. A rotation in
 * progress keeps the next credential under {@code pending-username} and {@code pending-password} until the new user
 * has logged in.
 *
 * <p>A Secret of that name that is not this user's (neither its labels nor an owner reference say so) is never
 * touched: a DatabaseUser must not be a way to overwrite, read into a database user, or delete some other Secret
 * of the namespace, such as an instance's admin credentials.
 */
final class CredentialsSecret {
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String MANAGED_BY_VALUE = "dbprovision";
    /** The seed's value, so that its Secrets are taken over rather than refused. */
    static final String SEED_MANAGED_BY_VALUE = "db-provision-operator";

    static final String USER_LABEL = "dbops.dbprovision.io/user";
    /** Where the seed kept a templated Secret's password in plain text; removed when such a Secret is taken over. */
    static final String SEED_PASSWORD_ANNOTATION = "dbops.dbprovision.io/managed-password";

    static final String LABEL_SELECTOR = MANAGED_BY + "=" + MANAGED_BY_VALUE;

    static final String USERNAME = "username";
    static final String PASSWORD = "password";
    static final String PENDING_USERNAME = "pending-username";
    static final String PENDING_PASSWORD = "pending-password";

    /** The credential a rotation is moving to, kept until the new user has logged in. */
    record Pending(String username, String password) {
        @Override
        public String toString() {
            return "Pending[username=" + username + ", password=<redacted>]";
        }
    }

    /** What the Secret holds now: the active credential (empty strings when missing) and a rotation's next one. */
    record Stored(Optional<Secret> secret, String username, String password, Optional<Pending> pending) {
        @Override
        public String toString() {
            return "Stored[secret=" + secret.map(s -> s.getMetadata().getName()).orElse("<none>") + ", username="
                    + username + ", password=<redacted>, pending=" + pending + "]";
        }
    }

    private final Secrets secrets;
    private final CredentialsRenderer renderer;

    CredentialsSecret(Secrets secrets, CredentialsRenderer renderer) {
        this.secrets = secrets;
        this.renderer = renderer;
    }

    /**
     * The Secret's name: {@code passwordSecret.secretName}, else derived from the username by the API's rule
     * ({@link CredentialsSecretNames}), the one admission defaults it with.
     */
    static String name(DatabaseUser user) {
        return CredentialsSecretNames.of(user.getSpec());
    }

    static String describe(DatabaseUser user) {
        return "Secret " + user.getMetadata().getNamespace() + "/" + name(user);
    }

    /** The Secret as stored, checked to be this user's; empty values when there is none. */
    Stored read(DatabaseUser user) {
        Optional<Secret> secret = get(user);
        if (secret.isEmpty()) {
            return new Stored(Optional.empty(), "", "", Optional.empty());
        }
        checkOwned(user, secret.get());
        return stored(secret.get());
    }

    /**
     * The credential in the Secret the user named before ({@code passwordSecret.secretName} changed), if that Secret
     * is this user's; empty otherwise. The credential moves to the new Secret, so a rename is not a new password.
     */
    Optional<Stored> readPrevious(DatabaseUser user, String previousName) {
        if (previousName.isEmpty() || previousName.equals(name(user))) {
            return Optional.empty();
        }
        Optional<Secret> secret = get(user, previousName);
        if (secret.isEmpty() || !owned(user, secret.get())) {
            return Optional.empty();
        }
        Stored stored = stored(secret.get());
        return stored.password().isEmpty() ? Optional.empty() : Optional.of(stored);
    }

    /** Deletes the Secret the user named before, if this user (its uid) owns it. */
    void deletePrevious(DatabaseUser user, String previousName) {
        if (previousName.isEmpty() || previousName.equals(name(user))) {
            return;
        }
        get(user, previousName)
                .filter(secret -> ownedBy(secret, user.getMetadata().getUid()))
                .ifPresent(secret -> secrets.delete(
                        user.getMetadata().getNamespace(),
                        previousName,
                        secret.getMetadata().getUid()));
    }

    private static Stored stored(Secret found) {
        String password = text(found, PASSWORD);
        String seedPassword = found.getMetadata().getAnnotationsOrDefault(SEED_PASSWORD_ANNOTATION, "");
        if (!seedPassword.isEmpty()) {
            password = seedPassword; // a templated Secret of the seed: its data need not hold the raw password
        }
        String pendingUsername = text(found, PENDING_USERNAME);
        String pendingPassword = text(found, PENDING_PASSWORD);
        Optional<Pending> pending = pendingUsername.isEmpty() || pendingPassword.isEmpty()
                ? Optional.empty()
                : Optional.of(new Pending(pendingUsername, pendingPassword));
        return new Stored(Optional.of(found), text(found, USERNAME), password, pending);
    }

    /**
     * Makes the Secret hold {@code username} and {@code password} (and {@code pending}, when a rotation is under way),
     * rendered by the template; writes only when something differs. Throws {@link ReconcileFailure}: {@code
     * SecretTemplateInvalid} (nothing written), {@code SecretConflict}, {@code SecretInvalid} or {@code
     * SecretWriteFailed}.
     */
    Secret write(
            DatabaseUser user,
            Instances.Resolved instance,
            String username,
            String password,
            Optional<Pending> pending) {
        Optional<Secret> existing = get(user);
        existing.ifPresent(secret -> checkOwned(user, secret));
        Secret desired = desired(user, instance, existing, username, password, pending);
        try {
            if (existing.isEmpty()) {
                return secrets.create(desired);
            }
            if (same(existing.get(), desired)) {
                return existing.get();
            }
            return secrets.update(desired);
        } catch (ApiException.Conflict | ApiException.AlreadyExists changed) {
            throw new ReconcileFailure(
                    "SecretConflict", describe(user) + " changed while it was written; retrying", true, null);
        } catch (ApiException.Invalid | ApiException.BadRequest | ApiException.Forbidden refused) {
            throw new ReconcileFailure(
                    "SecretInvalid", describe(user) + " was refused: " + bounded(refused.getMessage()), false, null);
        } catch (ApiException e) {
            throw new ReconcileFailure(
                    "SecretWriteFailed", describe(user) + " could not be written: " + bounded(e.getMessage()), true, e);
        }
    }

    /** Deletes the Secret if this user (its uid) owns it; a Secret someone else owns, or none, is left. */
    void deleteIfOwned(DatabaseUser user) {
        Optional<Secret> secret = get(user);
        if (secret.isPresent() && ownedBy(secret.get(), user.getMetadata().getUid())) {
            secrets.delete(
                    user.getMetadata().getNamespace(),
                    name(user),
                    secret.get().getMetadata().getUid());
        }
    }

    /**
     * Drops this user's owner reference, so the Secret outlives it (deletion policy Retain: a user kept on the server
     * keeps its credentials); the labels stay, so a DatabaseUser of the same name takes it over again.
     */
    void release(DatabaseUser user) {
        Optional<Secret> secret = get(user);
        if (secret.isEmpty() || !ownedBy(secret.get(), user.getMetadata().getUid())) {
            return;
        }
        ObjectMeta.Builder meta = secret.get().getMetadata().toBuilder().clearOwnerReferences();
        secret.get().getMetadata().getOwnerReferencesList().stream()
                .filter(ref -> !ref.getUid().equals(user.getMetadata().getUid()))
                .forEach(meta::addOwnerReferences);
        try {
            secrets.update(secret.get().toBuilder().setMetadata(meta).build());
        } catch (ApiException.NotFound gone) {
            // nothing to keep
        } catch (ApiException e) {
            throw new ReconcileFailure(
                    "SecretWriteFailed",
                    describe(user) + " could not be released: " + bounded(e.getMessage()),
                    true,
                    e);
        }
    }

    private Optional<Secret> get(DatabaseUser user) {
        return get(user, name(user));
    }

    private Optional<Secret> get(DatabaseUser user, String name) {
        try {
            return secrets.get(user.getMetadata().getNamespace(), name);
        } catch (ApiException e) {
            throw new ReconcileFailure(
                    "SecretReadFailed",
                    "Secret " + user.getMetadata().getNamespace() + "/" + name + " could not be read: "
                            + bounded(e.getMessage()),
                    true,
                    e);
        }
    }

    /** True when the Secret is this user's to manage: its labels or an owner reference say so. */
    private static boolean owned(DatabaseUser user, Secret secret) {
        Map<String, String> labels = secret.getMetadata().getLabelsMap();
        String managedBy = labels.getOrDefault(MANAGED_BY, "");
        boolean labelled = (managedBy.equals(MANAGED_BY_VALUE) || managedBy.equals(SEED_MANAGED_BY_VALUE))
                && labels.getOrDefault(USER_LABEL, "").equals(user.getMetadata().getName());
        return labelled || ownedBy(secret, user.getMetadata().getUid());
    }

    /** Refuses a Secret that is not this user's to manage. */
    private static void checkOwned(DatabaseUser user, Secret secret) {
        if (owned(user, secret)) {
            return;
        }
        throw new ReconcileFailure(
                "SecretConflict",
                describe(user) + " exists and is not this DatabaseUser's (it has neither the labels " + MANAGED_BY + "="
                        + MANAGED_BY_VALUE + " and " + USER_LABEL + "="
                        + user.getMetadata().getName()
                        + " nor an owner reference to it); set passwordSecret.secretName to another name, or label"
                        + " the Secret to hand it over",
                false,
                null);
    }

    private static boolean ownedBy(Secret secret, String uid) {
        return !uid.isEmpty()
                && secret.getMetadata().getOwnerReferencesList().stream()
                        .anyMatch(ref -> ref.getUid().equals(uid));
    }

    private Secret desired(
            DatabaseUser user,
            Instances.Resolved instance,
            Optional<Secret> existing,
            String username,
            String password,
            Optional<Pending> pending) {
        SecretTemplate template = user.getSpec().getPasswordSecret().getSecretTemplate();
        Map<String, String> rendered;
        try {
            // The default keys need no TLS material: only a template of its own may read the TLS Secret on a resync.
            Tls tls = template.getDataMap().isEmpty() ? modeOnly(instance) : instance.tls();
            rendered = renderer.render(template.getDataMap(), values(user, instance, username, password, tls));
        } catch (CredentialsRenderer.InvalidTemplate e) {
            throw new ReconcileFailure("SecretTemplateInvalid", bounded(e.getMessage()), false, null);
        }
        Map<String, String> data = new TreeMap<>(rendered);
        keepRaw(data, USERNAME, username);
        keepRaw(data, PASSWORD, password);
        pending.ifPresent(next -> {
            data.put(PENDING_USERNAME, next.username());
            data.put(PENDING_PASSWORD, next.password());
        });

        ObjectMeta.Builder meta = existing.map(s -> s.getMetadata().toBuilder())
                .orElseGet(() -> ObjectMeta.newBuilder()
                        .setName(name(user))
                        .setNamespace(user.getMetadata().getNamespace()));
        Map<String, String> labels = new TreeMap<>(meta.getLabelsMap());
        labels.putAll(template.getLabelsMap());
        // The system's labels win over the template's: the controller finds its Secrets by them.
        labels.put(MANAGED_BY, MANAGED_BY_VALUE);
        labels.put(USER_LABEL, user.getMetadata().getName());
        Map<String, String> annotations = new TreeMap<>(meta.getAnnotationsMap());
        annotations.putAll(template.getAnnotationsMap());
        annotations.remove(SEED_PASSWORD_ANNOTATION);
        meta.clearLabels().putAllLabels(labels).clearAnnotations().putAllAnnotations(annotations);

        OwnerReference owner = OwnerReference.newBuilder()
                .setApiVersion(DbopsControllers.GROUP_VERSION)
                .setKind("DatabaseUser")
                .setName(user.getMetadata().getName())
                .setUid(user.getMetadata().getUid())
                .setController(true)
                .setBlockOwnerDeletion(true)
                .build();
        var references = new java.util.ArrayList<OwnerReference>();
        for (OwnerReference ref : meta.getOwnerReferencesList()) {
            // one controller only: a previous DatabaseUser of this name (deleted with Retain) hands over to this one
            if (!ref.getController() && !ref.getUid().equals(owner.getUid())) {
                references.add(ref);
            }
        }
        references.add(owner);
        meta.clearOwnerReferences().addAllOwnerReferences(references);

        Secret.Builder secret = Secret.newBuilder()
                .setApiVersion("v1")
                .setKind("Secret")
                .setMetadata(meta)
                .setType(template.getType().isEmpty() ? "Opaque" : template.getType());
        data.forEach((key, value) -> secret.putData(key, ByteString.copyFromUtf8(value)));
        return secret.build();
    }

    /**
     * A key the password (or username) is read back from: added when the template renders none, refused when the
     * template renders something else under it.
     */
    private static void keepRaw(Map<String, String> data, String key, String value) {
        String rendered = data.putIfAbsent(key, value);
        if (rendered != null && !rendered.equals(value)) {
            throw new ReconcileFailure(
                    "SecretTemplateInvalid",
                    "secretTemplate.data[\"" + key + "\"] must render to the " + key + " itself (it is read back"
                            + " from the Secret); put a derived value under another key",
                    false,
                    null);
        }
    }

    private static boolean same(Secret existing, Secret desired) {
        return existing.getDataMap().equals(desired.getDataMap())
                && existing.getType().equals(desired.getType())
                && existing.getMetadata()
                        .getLabelsMap()
                        .equals(desired.getMetadata().getLabelsMap())
                && existing.getMetadata()
                        .getAnnotationsMap()
                        .equals(desired.getMetadata().getAnnotationsMap())
                && existing.getMetadata()
                        .getOwnerReferencesList()
                        .equals(desired.getMetadata().getOwnerReferencesList());
    }

    /**
     * The template variables of this user's credential on this instance, without the TLS material (empty): nothing
     * but the spec and the credential, so no Secret of the instance is read.
     */
    static CredentialValues values(DatabaseUser user, Instances.Resolved instance, String username, String password) {
        return values(user, instance, username, password, modeOnly(instance));
    }

    private static Tls modeOnly(Instances.Resolved instance) {
        return Tls.newBuilder().setMode(instance.tlsMode()).build();
    }

    /** The template variables, with {@code tls}'s mode and material. */
    private static CredentialValues values(
            DatabaseUser user, Instances.Resolved instance, String username, String password, Tls tls) {
        var connection = instance.spec().getConnection();
        int port = connection.getPort() != 0 ? connection.getPort() : defaultPort(instance.engine());
        String sslMode = tls.getMode() == SSLMode.SSL_MODE_DISABLE || tls.getMode() == SSLMode.SSL_MODE_UNSPECIFIED
                ? ""
                : EnumSpelling.of(tls.getMode().getValueDescriptor()).orElse("");
        String url = databaseUrl(
                instance.engine(), username, password, connection.getHost(), port, connection.getDatabase(), sslMode);
        return new CredentialValues(
                username,
                password,
                connection.getHost(),
                port,
                connection.getDatabase(),
                sslMode,
                user.getMetadata().getNamespace(),
                user.getMetadata().getName(),
                tls.getCaPem(),
                tls.getClientCertPem(),
                tls.getClientKeyPem(),
                url);
    }

    /**
     * {@code postgresql://user:pass@host:port/db?sslmode=…} or {@code mysql://user:pass@host:port/db}, user, password
     * and database percent-encoded, an IPv6 host in brackets.
     */
    static String databaseUrl(
            EngineType engine, String username, String password, String host, int port, String database, String ssl) {
        String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        String authority = encode(username) + ":" + encode(password) + "@" + hostPart + ":" + port;
        if (Engines.mysqlFamily(engine)) {
            return "mysql://" + authority + "/" + encode(database);
        }
        return "postgresql://" + authority + "/" + encode(database) + "?sslmode=" + (ssl.isEmpty() ? "disable" : ssl);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A port left out (0) is the engine's default, as the instance's defaulting and the provisioner have it. */
    private static int defaultPort(EngineType engine) {
        return EnginePorts.defaultPort(engine).orElse(5432);
    }

    private static String text(Secret secret, String key) {
        ByteString value = secret.getDataMap().get(key);
        return value == null ? "" : value.toStringUtf8();
    }

    static String bounded(String message) {
        if (message == null) {
            return "";
        }
        return message.length() <= 512 ? message : message.substring(0, 511) + "…";
    }
}
