package io.dbprovision.apiserver.reconcile.user;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.admission.DeletionProtection;
import io.dbprovision.apiserver.corev1.Secrets;
import io.dbprovision.apiserver.reconcile.Conditions;
import io.dbprovision.apiserver.reconcile.DeletionGate;
import io.dbprovision.apiserver.reconcile.Dependants;
import io.dbprovision.apiserver.reconcile.EngineCalls;
import io.dbprovision.apiserver.reconcile.EngineObjectLogic;
import io.dbprovision.apiserver.reconcile.Engines;
import io.dbprovision.apiserver.reconcile.GrantedRoles;
import io.dbprovision.apiserver.reconcile.Instances;
import io.dbprovision.apiserver.reconcile.ReconcileFailure;
import io.dbprovision.apiserver.reconcile.StatusDraft;
import io.dbprovision.apiserver.reconcile.Waiting;
import io.dbprovision.proto.engine.v1alpha1.ChangeResponse;
import io.dbprovision.proto.engine.v1alpha1.DropUserRequest;
import io.dbprovision.proto.engine.v1alpha1.EnsureUserRequest;
import io.dbprovision.proto.engine.v1alpha1.GeneratePasswordRequest;
import io.dbprovision.proto.engine.v1alpha1.GrantSet;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserResponse;
import io.dbprovision.proto.engine.v1alpha1.OwnedObject;
import io.dbprovision.proto.engine.v1alpha1.RevokeGrantsRequest;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.DatabaseUserInfo;
import io.dbprovision.proto.v1alpha1.DatabaseUserStatus;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.OwnershipBlockStatus;
import io.dbprovision.proto.v1alpha1.PostgresGrantConfig;
import io.dbprovision.proto.v1alpha1.RotationStatus;
import io.dbprovision.proto.v1alpha1.UserSecretInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * DatabaseUser (§4.4): a login user whose password lives in its credentials Secret.
 *
 * <p>The invariant: a generated password is in the Secret before any server is asked to set it. Each reconcile
 * first makes the Secret hold a credential — the stored one, or a new one from the provisioner's GeneratePassword
 * written before anything else — and only then ensures the user with it. A stop at any point loses nothing: the next
 * reconcile reads the password back and sets it again (EnsureUser is idempotent). A deleted Secret (the controller
 * watches them) gets a new password, written and then set ({@code SecretRegenerated}).
 *
 * <p>Drift: ObserveUser's differences, the password included (the stored credential no longer matches the Secret's);
 * {@code correct} sets it from the Secret again. Rotation: {@link Rotation}. Deletion: the grants naming the user
 * hold it ({@link DeletionGate}); then the annotation {@value #DELETION_POLICY} decides. Delete (the default) refuses
 * while the user owns objects ({@code status.ownershipBlock}, {@code OwnershipBlocks}) unless forced, drops it and
 * the users its rotations made, and deletes the Secret it owns (there is no garbage collector in standalone mode; in a
 * cluster Kubernetes' would too). Retain keeps the user <em>and</em> its Secret (the owner reference is dropped so no
 * garbage collector takes it): the seed let the Secret go, which left a retained user whose password nobody had.
 */
public final class UserLogic extends EngineObjectLogic {
    public static final String FINALIZER = "dbops.dbprovision.io/user-protection";
    public static final String DELETION_POLICY = "dbops.dbprovision.io/deletion-policy";
    /** The dependants index: {@code namespace/name} of the user a grant names (see DbopsControllers). */
    public static final String INDEX = "user";

    /** The drift field of memberships the spec does not list (the provisioner's name for it). */
    private static final String EXTRA_MEMBERSHIPS = "inRoles.extra";

    private static final java.security.SecureRandom PLAN_PASSWORDS = new java.security.SecureRandom();

    private final CredentialsSecret secret;
    private final Rotation rotation;
    private final Dependants dependants;
    private final DeletionGate gate;
    private final GrantedRoles grantedRoles;

    public UserLogic(
            Instances instances,
            EngineCalls engine,
            Secrets secrets,
            Dependants dependants,
            DeletionGate gate,
            CredentialsRenderer renderer,
            GrantedRoles grantedRoles) {
        super(instances, engine);
        this.grantedRoles = grantedRoles;
        this.secret = new CredentialsSecret(secrets, renderer);
        this.rotation = new Rotation(engine, secret);
        this.dependants = dependants;
        this.gate = gate;
    }

    @Override
    public String finalizer() {
        return FINALIZER;
    }

    @Override
    public Optional<Duration> sync(Message object, StatusDraft status) {
        DatabaseUser user = (DatabaseUser) object;
        Instances.Resolved instance = instanceOf(object);
        CredentialsSecret.Stored stored = credentials(user, instance, status);
        Optional<Duration> again = super.sync(object, status);
        Optional<Duration> rotationAgain = rotation.run(user, instance, status, stored);
        if (again.isEmpty()) {
            return rotationAgain;
        }
        return rotationAgain.filter(r -> r.compareTo(again.get()) < 0).or(() -> again);
    }

    /**
     * Makes the Secret hold the active credential: the stored password, or a generated one written before any server
     * sees it. A Ready user whose Secret lost its password gets the new one set at once.
     */
    private CredentialsSecret.Stored credentials(DatabaseUser user, Instances.Resolved instance, StatusDraft status) {
        DatabaseUserStatus.Builder fields = status.fields(DatabaseUserStatus.Builder.class);
        CredentialsSecret.Stored stored = secret.read(user);
        String previousSecret = fields.getSecret().getName();
        if (stored.secret().isEmpty()) {
            // passwordSecret.secretName changed: the credential moves to the new Secret (the old one goes below, once
            // the new one holds it).
            stored = secret.readPrevious(user, previousSecret).orElse(stored);
        }
        String base = user.getSpec().getUsername();
        String recorded = fields.getRotation().getActiveUser();
        String username = stored.username();
        if (username.isEmpty()) {
            username = recorded.isEmpty() ? base : recorded;
        } else if (!username.equals(base)
                && !username.equals(recorded)
                && !rotation.isRotatedUser(user, instance, username)) {
            throw new ReconcileFailure(
                    "SecretUserUnknown",
                    CredentialsSecret.describe(user) + " names user " + username + ", which is not this DatabaseUser's;"
                            + " set its username key back to " + (recorded.isEmpty() ? base : recorded)
                            + ", or delete the Secret to have a new credential generated",
                    false,
                    null);
        }
        if (!username.equals(recorded) && (!recorded.isEmpty() || !username.equals(base))) {
            // The Secret is the record of who holds the credential: a rotation that stopped after the switch but
            // before its status was written is recognised here, and the user it replaced retires.
            RotationStatus.Builder rotationStatus = fields.getRotationBuilder().setActiveUser(username);
            Rotation.retire(
                    rotationStatus,
                    recorded.isEmpty() ? base : recorded,
                    status.now(),
                    status.now().plus(Duration.ofDays(graceDays(user))));
            rotationStatus.setLastRotatedAt(Conditions.timestamp(status.now()));
        }
        String password = stored.password();
        boolean generated = password.isEmpty();
        if (generated) {
            password = generatePassword(user);
        }
        var written = secret.write(user, instance, username, password, stored.pending());
        secret.deletePrevious(user, previousSecret);
        UserSecretInfo.Builder info = fields.getSecretBuilder()
                .setName(CredentialsSecret.name(user))
                .setNamespace(user.getMetadata().getNamespace());
        if (generated) {
            info.setLastRotatedAt(Conditions.timestamp(status.now()));
        } else if (!info.hasLastRotatedAt()) {
            info.setLastRotatedAt(
                    written.getMetadata().hasCreationTimestamp()
                            ? written.getMetadata().getCreationTimestamp()
                            : Conditions.timestamp(status.now()));
        }
        if (generated && "Ready".equals(status.phase())) {
            // A resync or a drift check would not set it: the user exists and has a password nobody holds any more.
            ensureUsers(user, instance, username, password, false);
            status.normalEvent(
                    "SecretRegenerated",
                    CredentialsSecret.describe(user) + " had no password; a new one was generated and set for user "
                            + username);
        }
        return new CredentialsSecret.Stored(Optional.of(written), username, password, stored.pending());
    }

    @Override
    protected void ensure(Message object, Instances.Resolved instance, StatusDraft status, boolean destructive) {
        ensureUser((DatabaseUser) object, instance, status, destructive);
    }

    /**
     * EnsureUser; a base user the call created (and that holds the credential) comes with its state in the answer,
     * which stands for ObserveUser.
     */
    @Override
    protected List<DriftDiff> ensureAndObserve(
            Message object, Instances.Resolved instance, StatusDraft status, boolean destructive) {
        DatabaseUser user = (DatabaseUser) object;
        Optional<ObserveUserResponse> created = ensureUser(user, instance, status, destructive);
        if (created.isPresent()) {
            List<DriftDiff> diffs = new ArrayList<>();
            baseDiffs(user, instance, status, created.get(), diffs);
            return diffs;
        }
        if (destructive && driftCorrection(object, status)) {
            revokeExtraMemberships(user, instance, status);
        }
        return observe(object, instance, status);
    }

    /**
     * A correction the user allows to be destructive ({@code allow-destructive-drift}) takes back the memberships
     * nobody declared: neither its {@code inRoles} nor a grant gives them (the seed only re-granted, §10).
     */
    private void revokeExtraMemberships(DatabaseUser user, Instances.Resolved instance, StatusDraft status) {
        String name = user.getSpec().getUsername();
        if (!Engines.postgresFamily(instance.engine()) || !user.getSpec().hasPostgres()) {
            return;
        }
        ObserveUserResponse observed = observeUser(instance, UserDefinitions.named(name));
        Set<String> extra = extraMemberships(user, instance, observed);
        if (extra.isEmpty()) {
            return;
        }
        boolean changed = engine.call(
                        "revoke memberships from user " + name,
                        stub -> stub.revokeGrants(RevokeGrantsRequest.newBuilder()
                                .setInstance(instance.connection())
                                .setGrants(GrantSet.newBuilder()
                                        .setGrantee(name)
                                        .setPostgres(
                                                PostgresGrantConfig.newBuilder().addAllRoles(extra)))
                                .build()))
                .getChanged();
        if (changed) {
            status.normalEvent(
                    "Revoked",
                    "revoked from user " + name + " memberships nothing declares: " + String.join(", ", extra));
        }
    }

    /**
     * The memberships the user holds that neither its spec's {@code inRoles} nor a grant gives it; none when the spec
     * has no opinion on memberships (no {@code postgres} block) or the engine has none.
     */
    private Set<String> extraMemberships(DatabaseUser user, Instances.Resolved instance, ObserveUserResponse observed) {
        if (!observed.getExists()
                || !Engines.postgresFamily(instance.engine())
                || !user.getSpec().hasPostgres()) {
            return Set.of();
        }
        Set<String> extra = new TreeSet<>(observed.getActual().getPostgres().getInRolesList());
        extra.removeAll(user.getSpec().getPostgres().getInRolesList());
        extra.removeAll(grantedRoles.of(user.getSpec().getUsername(), instance.key()));
        return extra;
    }

    /** The ensure; answers the base user's state when EnsureUser created it with the credential's password. */
    private Optional<ObserveUserResponse> ensureUser(
            DatabaseUser user, Instances.Resolved instance, StatusDraft status, boolean destructive) {
        CredentialsSecret.Stored stored = secret.read(user);
        if (stored.password().isEmpty()) {
            throw new ReconcileFailure(
                    "SecretChanged",
                    CredentialsSecret.describe(user) + " lost its password during the reconcile; retrying",
                    true,
                    null);
        }
        if (status.phase().isEmpty() || "Pending".equals(status.phase())) {
            status.phase("Creating", "creating user " + user.getSpec().getUsername());
        }
        Optional<ObserveUserResponse> created =
                ensureUsers(user, instance, vettedActiveUser(user, stored, status), stored.password(), destructive);
        DatabaseUserStatus.Builder fields = status.fields(DatabaseUserStatus.Builder.class);
        if (fields.getUser().getUsername().isEmpty()) {
            status.normalEvent("Created", "user " + user.getSpec().getUsername() + " is on " + instance.key());
        }
        recordUser(user, fields, status.now());
        return created;
    }

    /**
     * The user the Secret says holds the credential, if that is the base user or the one {@link #credentials} vetted
     * and recorded in this reconcile; a Secret edited in between is not believed.
     */
    private static String vettedActiveUser(DatabaseUser user, CredentialsSecret.Stored stored, StatusDraft status) {
        String active = Rotation.activeUser(user, stored);
        String recorded =
                status.fields(DatabaseUserStatus.Builder.class).getRotation().getActiveUser();
        if (!active.equals(user.getSpec().getUsername()) && !active.equals(recorded)) {
            throw new ReconcileFailure(
                    "SecretChanged",
                    CredentialsSecret.describe(user) + " changed during the reconcile; retrying",
                    true,
                    null);
        }
        return active;
    }

    /**
     * The base user (with the password when it holds the credential) and the rotated user that does otherwise; the
     * base user's state when EnsureUser created it holding the credential (then no rotated user is involved).
     */
    private Optional<ObserveUserResponse> ensureUsers(
            DatabaseUser user, Instances.Resolved instance, String active, String password, boolean destructive) {
        String base = user.getSpec().getUsername();
        boolean baseActive = active.equals(base);
        ChangeResponse answer = engine.call(
                "ensure user " + base,
                stub -> stub.ensureUser(EnsureUserRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setUser(UserDefinitions.base(user, instance, baseActive ? password : ""))
                        .setRemoveUnlistedHosts(destructive)
                        .build()));
        if (!baseActive) {
            rotation.ensureActive(user, instance, active, password);
            return Optional.empty();
        }
        return answer.hasCreatedUser() ? Optional.of(answer.getCreatedUser()) : Optional.empty();
    }

    /**
     * EnsureUser's plan for the base user, with the password the reconcile would set: the one the credentials Secret
     * holds, or (no Secret yet) a throwaway standing in for the one it would generate, so that the plan shows the
     * password being set. The provisioner answers it redacted either way; it is never stored or logged.
     */
    @Override
    protected ChangeResponse plan(Message object, Instances.Resolved instance) {
        DatabaseUser user = (DatabaseUser) object;
        CredentialsSecret.Stored stored = secret.read(user);
        String password = stored.password().isEmpty() ? throwawayPassword() : stored.password();
        boolean baseActive =
                Rotation.activeUser(user, stored).equals(user.getSpec().getUsername());
        return engine.call(
                "plan user " + user.getSpec().getUsername(),
                stub -> stub.ensureUser(EnsureUserRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setValidateOnly(true)
                        .setUser(UserDefinitions.base(user, instance, baseActive ? password : ""))
                        .build()));
    }

    private static String throwawayPassword() {
        byte[] bytes = new byte[24];
        PLAN_PASSWORDS.nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    protected List<DriftDiff> observe(Message object, Instances.Resolved instance, StatusDraft status) {
        DatabaseUser user = (DatabaseUser) object;
        CredentialsSecret.Stored stored = secret.read(user);
        String base = user.getSpec().getUsername();
        String active = vettedActiveUser(user, stored, status);
        boolean baseActive = active.equals(base);
        List<DriftDiff> diffs = new ArrayList<>();
        ObserveUserResponse observed =
                observeUser(instance, UserDefinitions.base(user, instance, baseActive ? stored.password() : ""));
        baseDiffs(user, instance, status, observed, diffs);
        if (!baseActive && !stored.password().isEmpty()) {
            ObserveUserResponse rotated = observeUser(
                    instance,
                    UserDefinition.newBuilder()
                            .setName(active)
                            .setPassword(stored.password())
                            .build());
            if (!rotated.getExists()) {
                diffs.add(diff("rotation.activeUser", active, "<missing>"));
            } else if (rotated.getActual().hasPasswordMatches()
                    && !rotated.getActual().getPasswordMatches()) {
                diffs.add(diff("rotation.activeUser.password", "<redacted>", "<differs>"));
            }
        }
        return diffs;
    }

    /**
     * The base user's diffs from its observed state, recorded in status. The provisioner compares memberships with
     * the spec's {@code inRoles} alone; those a grant gives are not extra here (see {@link GrantedRoles}).
     */
    private void baseDiffs(
            DatabaseUser user,
            Instances.Resolved instance,
            StatusDraft status,
            ObserveUserResponse observed,
            List<DriftDiff> diffs) {
        if (!observed.getExists()) {
            diffs.add(diff("user", user.getSpec().getUsername(), "<missing>"));
            return;
        }
        for (DriftDiff d : observed.getDiffsList()) {
            if (!d.getField().equals(EXTRA_MEMBERSHIPS)) {
                diffs.add(d);
            }
        }
        Set<String> extra = extraMemberships(user, instance, observed);
        if (!extra.isEmpty()) {
            diffs.add(diff(
                            EXTRA_MEMBERSHIPS,
                            String.join(
                                    ",",
                                    new TreeSet<>(user.getSpec().getPostgres().getInRolesList())),
                            String.join(",", extra))
                    .toBuilder()
                    .setDestructive(true)
                    .build());
        }
        if (observed.getActual().hasPasswordMatches()
                && !observed.getActual().getPasswordMatches()
                && diffs.stream().noneMatch(d -> d.getField().equals("password"))) {
            diffs.add(diff("password", "<redacted>", "<differs>"));
        }
        recordUser(user, status.fields(DatabaseUserStatus.Builder.class), status.now());
    }

    @Override
    protected String readyMessage(Message object, Instances.Resolved instance) {
        DatabaseUser user = (DatabaseUser) object;
        return "user " + user.getSpec().getUsername() + " on " + instance.key();
    }

    @Override
    public boolean finish(Message object, StatusDraft status) {
        DatabaseUser user = (DatabaseUser) object;
        String base = user.getSpec().getUsername();
        if (!gate.clear(object, dependants.of(INDEX, Dependants.key(object)), status)) {
            return false;
        }
        String policy = user.getMetadata().getAnnotationsOrDefault(DELETION_POLICY, "");
        boolean retain = policy.equalsIgnoreCase("Retain");
        if (!retain && !policy.isEmpty() && !policy.equalsIgnoreCase("Delete")) {
            // A typo must not drop a user: what is not Delete keeps it.
            status.warningEvent(
                    "InvalidDeletionPolicy",
                    DELETION_POLICY + " is \"" + CredentialsSecret.bounded(policy) + "\", neither Delete nor Retain;"
                            + " user " + base + " is kept");
            retain = true;
        }
        if (retain) {
            secret.release(user);
            status.normalEvent(
                    "Retained",
                    "user " + base + " kept on the server with " + CredentialsSecret.describe(user)
                            + " (deletion-policy Retain)");
            return true;
        }
        Instances.Resolved instance;
        try {
            instance = instances.forCleanup(object);
        } catch (Waiting waiting) {
            if (forced(user)) {
                status.warningEvent(
                        "DeleteSkipped", "user " + base + " not dropped: " + waiting.getMessage() + " (force-delete)");
                secret.deleteIfOwned(user);
                return true;
            }
            throw waiting;
        }
        List<String> users = usersToDrop(user, instance, status);
        DatabaseUserStatus.Builder fields = status.fields(DatabaseUserStatus.Builder.class);
        if (!forced(user)) {
            Map<String, List<OwnedObject>> owned = new LinkedHashMap<>();
            for (String name : users) {
                ObserveUserResponse observed = observeUser(instance, UserDefinitions.named(name));
                if (observed.getOwnedObjectsCount() > 0) {
                    owned.put(name, observed.getOwnedObjectsList());
                }
            }
            if (!owned.isEmpty()) {
                block(user, instance, status, owned);
                return false;
            }
        }
        if (fields.hasOwnershipBlock()) {
            fields.clearOwnershipBlock();
        }
        status.phase("Deleting", "dropping user " + base);
        for (String name : users) {
            engine.call(
                    "drop user " + name,
                    stub -> stub.dropUser(DropUserRequest.newBuilder()
                            .setInstance(instance.connection())
                            .setName(name)
                            .build()));
        }
        secret.deleteIfOwned(user);
        status.normalEvent(
                "Deleted",
                users.size() == 1
                        ? "user " + base + " dropped"
                        : "user " + base + " dropped with the users its rotations made ("
                                + String.join(", ", users.subList(0, users.size() - 1)) + ")");
        return true;
    }

    /** Rotated users first (they are members of the base user), the base user last. */
    private List<String> usersToDrop(DatabaseUser user, Instances.Resolved instance, StatusDraft status) {
        String base = user.getSpec().getUsername();
        Set<String> users = new LinkedHashSet<>();
        DatabaseUserStatus.Builder fields = status.fields(DatabaseUserStatus.Builder.class);
        users.add(fields.getRotation().getActiveUser());
        fields.getRotation().getPendingDeletionList().forEach(p -> users.add(p.getUser()));
        // What the Secret names is only believed when a rotation of this user made it (see Rotation.isRotatedUser).
        CredentialsSecret.Stored stored;
        try {
            stored = secret.read(user);
        } catch (ReconcileFailure notOurs) {
            stored = new CredentialsSecret.Stored(Optional.empty(), "", "", Optional.empty());
        }
        for (String named : List.of(
                stored.username(),
                stored.pending().map(CredentialsSecret.Pending::username).orElse(""))) {
            if (!named.isEmpty() && !users.contains(named) && rotation.isRotatedUser(user, instance, named)) {
                users.add(named);
            }
        }
        users.remove("");
        users.remove(base);
        List<String> ordered = new ArrayList<>(users);
        ordered.add(base);
        return ordered;
    }

    private void block(
            DatabaseUser user, Instances.Resolved instance, StatusDraft status, Map<String, List<OwnedObject>> owned) {
        int count = owned.values().stream().mapToInt(List::size).sum();
        List<String> resolutions = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        owned.forEach((name, objects) -> {
            resolutions.add(resolution(user, instance, name));
            objects.stream().limit(5).forEach(o -> shown.add(o.getType() + " " + qualified(o) + " (" + name + ")"));
        });
        String message = "user " + String.join(", ", owned.keySet()) + " owns " + count + " objects ("
                + String.join(", ", shown) + (count > shown.size() ? ", …" : "") + "); "
                + String.join("; ", resolutions)
                + " in each database they are in, or annotate " + DeletionProtection.FORCE_DELETE + "=true to drop"
                + " anyway";
        OwnershipBlockStatus.Builder block = OwnershipBlockStatus.newBuilder()
                .setBlocked(true)
                .setLastCheckedAt(Conditions.timestamp(status.now()))
                .setResolution(String.join("; ", resolutions))
                .setMessage(CredentialsSecret.bounded(message));
        owned.values().forEach(objects -> block.addAllOwnedObjects(Rotation.owned(objects)));
        DatabaseUserStatus.Builder fields = status.fields(DatabaseUserStatus.Builder.class);
        OwnershipBlockStatus previous = fields.getOwnershipBlock();
        if (previous.getBlocked()
                && previous.getOwnedObjectsList().equals(block.getOwnedObjectsList())
                && previous.getResolution().equals(block.getResolution())) {
            // unchanged: keep the time it was first found, so that a recheck writes nothing
            block.setLastCheckedAt(previous.getLastCheckedAt());
        }
        fields.setOwnershipBlock(block);
        status.notReady("Failed", "OwnershipBlocks", message);
        status.warningEvent("DeletionBlocked", message);
    }

    private static String resolution(DatabaseUser user, Instances.Resolved instance, String name) {
        if (Engines.mysqlFamily(instance.engine())) {
            return "change the DEFINER of the views, routines, triggers and events of " + name + ", or drop them";
        }
        return Rotation.reassign(name, Rotation.serviceRole(user));
    }

    private static String qualified(OwnedObject object) {
        StringBuilder name = new StringBuilder(object.getDatabase());
        if (!object.getSchema().isEmpty()) {
            name.append('.').append(object.getSchema());
        }
        return name.append('.').append(object.getName()).toString();
    }

    private ObserveUserResponse observeUser(Instances.Resolved instance, UserDefinition desired) {
        return engine.call(
                "observe user " + desired.getName(),
                stub -> stub.observeUser(ObserveUserRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setDesired(desired)
                        .build()));
    }

    private String generatePassword(DatabaseUser user) {
        return engine.call(
                        "generate a password",
                        stub -> stub.generatePassword(GeneratePasswordRequest.newBuilder()
                                .setPolicy(user.getSpec().getPasswordSecret())
                                .build()))
                .getPassword();
    }

    private static void recordUser(DatabaseUser user, DatabaseUserStatus.Builder fields, Instant now) {
        DatabaseUserInfo current = fields.getUser();
        if (current.getUsername().equals(user.getSpec().getUsername()) && current.hasCreatedAt()) {
            return;
        }
        fields.setUser(DatabaseUserInfo.newBuilder()
                .setUsername(user.getSpec().getUsername())
                .setCreatedAt(Conditions.timestamp(now)));
    }

    private static int graceDays(DatabaseUser user) {
        var policy = user.getSpec().getPasswordRotation().getOldUserPolicy();
        return policy.hasGracePeriodDays() ? Math.max(0, policy.getGracePeriodDays()) : Rotation.DEFAULT_GRACE_DAYS;
    }

    private static DriftDiff diff(String field, String expected, String actual) {
        return DriftDiff.newBuilder()
                .setField(field)
                .setExpected(expected)
                .setActual(actual)
                .build();
    }

    private static boolean forced(DatabaseUser user) {
        return "true".equals(user.getMetadata().getAnnotationsOrDefault(DeletionProtection.FORCE_DELETE, ""));
    }
}
