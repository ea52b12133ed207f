package io.dbprovision.apiserver.reconcile.user;

import io.dbprovision.apiserver.reconcile.Conditions;
import io.dbprovision.apiserver.reconcile.EngineCalls;
import io.dbprovision.apiserver.reconcile.Engines;
import io.dbprovision.apiserver.reconcile.Instances;
import io.dbprovision.apiserver.reconcile.ReconcileFailure;
import io.dbprovision.apiserver.reconcile.StatusDraft;
import io.dbprovision.proto.engine.v1alpha1.CheckInstanceRequest;
import io.dbprovision.proto.engine.v1alpha1.DropUserRequest;
import io.dbprovision.proto.engine.v1alpha1.EnsureRoleRequest;
import io.dbprovision.proto.engine.v1alpha1.EnsureUserRequest;
import io.dbprovision.proto.engine.v1alpha1.GeneratePasswordRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserRequest;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserResponse;
import io.dbprovision.proto.engine.v1alpha1.OwnedObject;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.DatabaseUserStatus;
import io.dbprovision.proto.v1alpha1.OldUserAction;
import io.dbprovision.proto.v1alpha1.PasswordRotationConfig;
import io.dbprovision.proto.v1alpha1.PendingDeletionState;
import io.dbprovision.proto.v1alpha1.RotationPendingDeletion;
import io.dbprovision.proto.v1alpha1.RotationStatus;
import io.dbprovision.proto.v1alpha1.RotationStrategy;
import io.dbprovision.proto.v1alpha1.UserOwnedObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled password rotation by role inheritance (§4.5), in an order that loses nothing when the process stops at
 * any step:
 *
 * <ol>
 *   <li>the first time rotation is on, only {@code status.rotation} is recorded (next slot of the schedule);
 *   <li>when due: the service role ({@code svc_<username>}, NOLOGIN INHERIT) is ensured; the next user's name and a
 *       new password are written to the Secret under {@code pending-username}/{@code pending-password} <em>first</em>;
 *   <li>the new user is ensured (LOGIN, member of the service role and of the base user) and must log in with the
 *       new credential (a CheckInstance as that user);
 *   <li>only then the Secret's {@code username} <em>and</em> {@code password} become the new ones (the seed wrote
 *       the new password beside the old username, §10.6), and the user that held them waits out
 *       {@code gracePeriodDays} in {@code status.rotation.pendingDeletion};
 *   <li>past its grace period, {@code oldUserPolicy} applies: delete (refused while it owns objects, with the
 *       REASSIGN OWNED statement that resolves it), disable (NOLOGIN) or retain.
 * </ol>
 *
 * A stop after step 2 resumes from the pending keys with the same name and password; a stop after step 4 but before
 * the status was written is recognised from the Secret (see {@link UserLogic}). The base user ({@code spec.username})
 * stays, as the spec says it should; when its grace period ends its password is replaced by one nobody holds (delete
 * and disable) — it keeps its grants, which rotated users inherit. Only the PostgreSQL family is rotated (MySQL has
 * no role inheritance here); {@code dual-password} is not supported. Both say so in the {@value #CONDITION}
 * condition rather than failing the user.
 */
final class Rotation {
    private static final Logger LOG = LoggerFactory.getLogger(Rotation.class);
    static final String CONDITION = "PasswordRotated";
    static final Duration MIN_REQUEUE = Duration.ofSeconds(10);
    static final Duration MAX_REQUEUE = Duration.ofHours(1);
    static final Duration RETRY_FAILED = Duration.ofMinutes(1);
    static final Duration RECHECK_BLOCKED = Duration.ofMinutes(5);
    static final int DEFAULT_GRACE_DAYS = 7;

    private final EngineCalls engine;
    private final CredentialsSecret secret;

    Rotation(EngineCalls engine, CredentialsSecret secret) {
        this.engine = engine;
        this.secret = secret;
    }

    /** {@code passwordRotation.serviceRole.name}, default {@code svc_<username>} cut to 63 characters. */
    static String serviceRole(DatabaseUser user) {
        String name = user.getSpec().getPasswordRotation().getServiceRole().getName();
        return name.isEmpty() ? RotatedUserNames.cut("svc_" + user.getSpec().getUsername()) : name;
    }

    /**
     * Rotates when due (or finishes a rotation the Secret shows under way), then applies the old-user policy to users
     * past their grace period. Returns when to look again. Failures become a {@code RotationFailed} event and the
     * condition; they never fail the user, whose current credential still works.
     */
    Optional<Duration> run(
            DatabaseUser user, Instances.Resolved instance, StatusDraft status, CredentialsSecret.Stored stored) {
        PasswordRotationConfig config = user.getSpec().getPasswordRotation();
        DatabaseUserStatus.Builder fields = status.fields(DatabaseUserStatus.Builder.class);
        Instant now = status.now();
        List<Duration> again = new ArrayList<>();
        if (stored.pending().isPresent() || config.getEnabled()) {
            if (config.getStrategy() == RotationStrategy.ROTATION_STRATEGY_DUAL_PASSWORD) {
                status.condition(
                        CONDITION,
                        false,
                        "UnsupportedRotationStrategy",
                        "rotation strategy dual-password is not supported; use role-inheritance");
                return cleanup(user, instance, status, again);
            }
            if (!Engines.postgresFamily(instance.engine())) {
                status.condition(
                        CONDITION,
                        false,
                        "UnsupportedEngine",
                        "role-inheritance rotation needs PostgreSQL or CockroachDB; users on " + instance.key()
                                + " are not rotated");
                return cleanup(user, instance, status, again);
            }
        }
        if (stored.pending().isPresent()) {
            // A rotation was under way when the last reconcile stopped: it is finished first, whatever the schedule.
            if (!rotate(user, instance, status, stored)) {
                again.add(RETRY_FAILED);
                return cleanup(user, instance, status, again);
            }
        }
        if (!config.getEnabled()) {
            if (fields.hasRotation() && fields.getRotation().getEnabled()) {
                fields.getRotationBuilder().setEnabled(false).clearNextRotationAt();
                status.condition(CONDITION, false, "RotationDisabled", "password rotation is off");
            }
            return cleanup(user, instance, status, again);
        }
        CronSchedule schedule;
        try {
            schedule = CronSchedule.parse(config.getSchedule());
        } catch (IllegalArgumentException invalid) {
            String message = "passwordRotation.schedule \"" + CredentialsSecret.bounded(config.getSchedule()) + "\" is"
                    + " not a valid cron schedule: " + invalid.getMessage() + "; the password is not rotated";
            status.warningEvent("InvalidRotationSchedule", message);
            status.condition(CONDITION, false, "InvalidRotationSchedule", message);
            return cleanup(user, instance, status, again);
        }
        RotationStatus.Builder rotation = fields.getRotationBuilder();
        if (!rotation.getEnabled() || !rotation.hasLastRotatedAt()) {
            // First enablement: the first rotation is at the schedule's next slot, not now.
            Instant next = schedule.next(now).orElseThrow();
            rotation.setEnabled(true)
                    .setStrategy(RotationStrategy.ROTATION_STRATEGY_ROLE_INHERITANCE)
                    .setLastRotatedAt(Conditions.timestamp(now))
                    .setNextRotationAt(Conditions.timestamp(next))
                    .setActiveUser(activeUser(user, stored))
                    .setServiceRole(serviceRole(user));
            status.condition(CONDITION, true, "RotationScheduled", "the first rotation is due at " + next);
            again.add(between(now, next));
            return cleanup(user, instance, status, again);
        }
        Instant last = Instant.ofEpochSecond(rotation.getLastRotatedAt().getSeconds());
        Instant next = schedule.next(last).orElseThrow();
        rotation.setNextRotationAt(Conditions.timestamp(next)).setServiceRole(serviceRole(user));
        if (now.isBefore(next)) {
            again.add(between(now, next));
            return cleanup(user, instance, status, again);
        }
        if (rotate(user, instance, status, stored)) {
            Instant following = schedule.next(now).orElseThrow();
            fields.getRotationBuilder().setNextRotationAt(Conditions.timestamp(following));
            again.add(between(now, following));
        } else {
            again.add(RETRY_FAILED);
        }
        return cleanup(user, instance, status, again);
    }

    /** Steps 2 to 4; false (with the event and the condition) when it failed. */
    private boolean rotate(
            DatabaseUser user, Instances.Resolved instance, StatusDraft status, CredentialsSecret.Stored stored) {
        DatabaseUserStatus.Builder fields = status.fields(DatabaseUserStatus.Builder.class);
        Instant now = status.now();
        String serviceRole = serviceRole(user);
        String previous = activeUser(user, stored);
        try {
            if (autoCreate(user)) {
                ensureServiceRole(instance, serviceRole);
            }
            CredentialsSecret.Pending next;
            Set<String> taken = taken(user, fields, previous);
            if (stored.pending().isPresent()) {
                next = stored.pending().get();
                if (taken.contains(next.username())) {
                    throw new ReconcileFailure(
                            "RotationFailed",
                            "the pending user " + next.username() + " is a user this DatabaseUser already has",
                            false,
                            null);
                }
                refuseForeignUser(instance, next.username(), serviceRole);
            } else {
                String name = RotatedUserNames.next(
                                user.getSpec().getPasswordRotation().getUserNaming(),
                                user.getSpec().getUsername(),
                                now,
                                taken)
                        .orElseThrow(() -> new ReconcileFailure(
                                "RotationFailed", "no unused user name for this rotation; retrying later", true, null));
                refuseForeignUser(instance, name, serviceRole);
                next = new CredentialsSecret.Pending(name, generatePassword(user));
                // The new credential is stored before any server knows it.
                secret.write(user, instance, previous, stored.password(), Optional.of(next));
            }
            engine.call(
                    "create rotated user " + next.username(),
                    stub -> stub.ensureUser(EnsureUserRequest.newBuilder()
                            .setInstance(instance.connection())
                            .setUser(UserDefinitions.rotated(user, next.username(), next.password(), serviceRole))
                            .build()));
            verifyLogin(instance, next);
            secret.write(user, instance, next.username(), next.password(), Optional.empty());
            int graceDays = graceDays(user);
            Instant deleteAfter = now.plus(Duration.ofDays(graceDays));
            RotationStatus.Builder rotation = fields.getRotationBuilder()
                    .setEnabled(user.getSpec().getPasswordRotation().getEnabled())
                    .setStrategy(RotationStrategy.ROTATION_STRATEGY_ROLE_INHERITANCE)
                    .setLastRotatedAt(Conditions.timestamp(now))
                    .setActiveUser(next.username())
                    .setServiceRole(serviceRole);
            retire(rotation, previous, now, deleteAfter);
            fields.getSecretBuilder().setLastRotatedAt(Conditions.timestamp(now));
            status.normalEvent(
                    "PasswordRotated",
                    "the credential in " + CredentialsSecret.describe(user) + " is now user " + next.username()
                            + "; user " + previous + " retires after " + deleteAfter);
            status.condition(CONDITION, true, "Rotated", "rotated to user " + next.username() + " at " + now);
            return true;
        } catch (ReconcileFailure failure) {
            String message = "password rotation failed: " + failure.getMessage();
            LOG.warn(
                    "DatabaseUser({}/{}): {}",
                    user.getMetadata().getNamespace(),
                    user.getMetadata().getName(),
                    message);
            status.warningEvent("RotationFailed", message);
            status.condition(CONDITION, false, "RotationFailed", message);
            return false;
        }
    }

    /**
     * The user the rotation replaces goes to pendingDeletion (once); the active user never waits there (a Secret set
     * back to a retired user's credential makes it active again, and the policy must not then drop it).
     */
    static void retire(RotationStatus.Builder rotation, String previous, Instant now, Instant deleteAfter) {
        String active = rotation.getActiveUser();
        for (int i = rotation.getPendingDeletionCount() - 1; i >= 0; i--) {
            if (rotation.getPendingDeletion(i).getUser().equals(active)) {
                rotation.removePendingDeletion(i);
            }
        }
        if (previous.isEmpty()
                || previous.equals(rotation.getActiveUser())
                || rotation.getPendingDeletionList().stream()
                        .anyMatch(p -> p.getUser().equals(previous))) {
            return;
        }
        rotation.addPendingDeletion(RotationPendingDeletion.newBuilder()
                .setUser(previous)
                .setDeprecatedAt(Conditions.timestamp(now))
                .setDeleteAfter(Conditions.timestamp(deleteAfter))
                .setStatus(PendingDeletionState.PENDING_DELETION_STATE_PENDING));
    }

    /** The old-user policy for every retired user past its grace period; adds when to look again to {@code again}. */
    private Optional<Duration> cleanup(
            DatabaseUser user, Instances.Resolved instance, StatusDraft status, List<Duration> again) {
        DatabaseUserStatus.Builder fields = status.fields(DatabaseUserStatus.Builder.class);
        if (!fields.hasRotation() || fields.getRotation().getPendingDeletionCount() == 0) {
            return earliest(again);
        }
        Instant now = status.now();
        var policy = user.getSpec().getPasswordRotation().getOldUserPolicy();
        OldUserAction action = policy.getAction() == OldUserAction.OLD_USER_ACTION_UNSPECIFIED
                ? OldUserAction.OLD_USER_ACTION_DELETE
                : policy.getAction();
        boolean ownershipCheck = !policy.hasOwnershipCheck() || policy.getOwnershipCheck();
        String serviceRole = serviceRole(user);
        List<RotationPendingDeletion> kept = new ArrayList<>();
        String active = fields.getRotation().getActiveUser();
        for (RotationPendingDeletion entry : fields.getRotation().getPendingDeletionList()) {
            if (entry.getUser().equals(active)) {
                continue; // holds the credential again: not retired any more
            }
            Instant due = Instant.ofEpochSecond(entry.getDeleteAfter().getSeconds());
            if (now.isBefore(due)) {
                kept.add(entry);
                again.add(between(now, due));
                continue;
            }
            try {
                Optional<RotationPendingDeletion> blocked =
                        apply(user, instance, status, entry, action, ownershipCheck, serviceRole);
                blocked.ifPresent(kept::add);
                blocked.ifPresent(b -> again.add(RECHECK_BLOCKED));
            } catch (ReconcileFailure failure) {
                String message = "retiring user " + entry.getUser() + " failed: " + failure.getMessage();
                LOG.warn(
                        "DatabaseUser({}/{}): {}",
                        user.getMetadata().getNamespace(),
                        user.getMetadata().getName(),
                        message);
                status.warningEvent("OldUserCleanupFailed", message);
                kept.add(entry);
                again.add(RETRY_FAILED);
            }
        }
        fields.getRotationBuilder().clearPendingDeletion().addAllPendingDeletion(kept);
        return earliest(again);
    }

    /** Applies the policy to one retired user; the entry to keep (blocked) or empty when done. */
    private Optional<RotationPendingDeletion> apply(
            DatabaseUser user,
            Instances.Resolved instance,
            StatusDraft status,
            RotationPendingDeletion entry,
            OldUserAction action,
            boolean ownershipCheck,
            String serviceRole) {
        String name = entry.getUser();
        if (action == OldUserAction.OLD_USER_ACTION_RETAIN) {
            return Optional.empty();
        }
        if (name.equals(user.getSpec().getUsername())) {
            // The base user is the spec's: it stays, but the credential it had is no longer anybody's.
            String unknown = generatePassword(user);
            engine.call(
                    "retire the password of user " + name,
                    stub -> stub.ensureUser(EnsureUserRequest.newBuilder()
                            .setInstance(instance.connection())
                            .setUser(UserDefinitions.base(user, instance, unknown))
                            .build()));
            status.normalEvent("OldUserRetired", "the password user " + name + " had before rotation was retired");
            return Optional.empty();
        }
        if (action == OldUserAction.OLD_USER_ACTION_DISABLE) {
            engine.call(
                    "disable user " + name,
                    stub -> stub.ensureUser(EnsureUserRequest.newBuilder()
                            .setInstance(instance.connection())
                            .setUser(UserDefinitions.disabled(name))
                            .build()));
            status.normalEvent("OldUserRetired", "user " + name + " may no longer log in (oldUserPolicy disable)");
            return Optional.empty();
        }
        if (ownershipCheck) {
            ObserveUserResponse observed = engine.call(
                    "check what user " + name + " owns",
                    stub -> stub.observeUser(ObserveUserRequest.newBuilder()
                            .setInstance(instance.connection())
                            .setDesired(UserDefinitions.named(name))
                            .build()));
            if (observed.getOwnedObjectsCount() > 0) {
                return Optional.of(entry.toBuilder()
                        .setStatus(PendingDeletionState.PENDING_DELETION_STATE_BLOCKED)
                        .setBlockedReason("owns " + observed.getOwnedObjectsCount() + " objects")
                        .clearOwnedObjects()
                        .addAllOwnedObjects(owned(observed.getOwnedObjectsList()))
                        .setResolution(reassign(name, serviceRole))
                        .build());
            }
        }
        engine.call(
                "drop retired user " + name,
                stub -> stub.dropUser(DropUserRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setName(name)
                        .setReassignOwnedTo(serviceRole)
                        .build()));
        status.normalEvent("OldUserRetired", "user " + name + " dropped after its grace period");
        return Optional.empty();
    }

    /** The service role and the rotated user holding the credential, as {@link UserLogic#ensure} re-applies them. */
    void ensureActive(DatabaseUser user, Instances.Resolved instance, String name, String password) {
        String serviceRole = serviceRole(user);
        if (autoCreate(user)) {
            ensureServiceRole(instance, serviceRole);
        }
        engine.call(
                "ensure rotated user " + name,
                stub -> stub.ensureUser(EnsureUserRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setUser(UserDefinitions.rotated(user, name, password, serviceRole))
                        .build()));
    }

    /**
     * True when {@code name} is a user a rotation of this DatabaseUser made: it exists and is a member of the service
     * role. The Secret is writable by whoever may edit Secrets in the namespace, so a username found there is only
     * trusted if it is this; otherwise the controller could be made to set the password of any user, the admin's
     * included.
     */
    boolean isRotatedUser(DatabaseUser user, Instances.Resolved instance, String name) {
        if (!Engines.postgresFamily(instance.engine())) {
            return false;
        }
        ObserveUserResponse observed = observe(instance, name);
        return observed.getExists()
                && observed.getActual().getPostgres().getInRolesList().contains(serviceRole(user));
    }

    private void refuseForeignUser(Instances.Resolved instance, String name, String serviceRole) {
        ObserveUserResponse observed = observe(instance, name);
        if (observed.getExists()
                && !observed.getActual().getPostgres().getInRolesList().contains(serviceRole)) {
            throw new ReconcileFailure(
                    "RotationFailed",
                    "user " + name + " already exists and is not a member of " + serviceRole
                            + "; a rotation never takes over a user it did not create",
                    false,
                    null);
        }
    }

    private ObserveUserResponse observe(Instances.Resolved instance, String name) {
        return engine.call(
                "observe user " + name,
                stub -> stub.observeUser(ObserveUserRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setDesired(UserDefinitions.named(name))
                        .build()));
    }

    /** Logs in as the new user: CheckInstance connects with the credentials it is given. */
    private void verifyLogin(Instances.Resolved instance, CredentialsSecret.Pending next) {
        engine.call(
                "log in as the new user " + next.username(),
                stub -> stub.checkInstance(CheckInstanceRequest.newBuilder()
                        .setInstance(instance.connection().toBuilder()
                                .setUsername(next.username())
                                .setPassword(next.password()))
                        .build()));
    }

    private void ensureServiceRole(Instances.Resolved instance, String serviceRole) {
        engine.call(
                "ensure service role " + serviceRole,
                stub -> stub.ensureRole(EnsureRoleRequest.newBuilder()
                        .setInstance(instance.connection())
                        .setRole(UserDefinitions.serviceRole(serviceRole))
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

    /** Names a new rotated user must not have: every user this DatabaseUser has or retires. */
    private static Set<String> taken(DatabaseUser user, DatabaseUserStatus.Builder fields, String active) {
        Set<String> taken = new HashSet<>();
        taken.add(user.getSpec().getUsername());
        taken.add(active);
        taken.add(fields.getRotation().getActiveUser());
        fields.getRotation().getPendingDeletionList().forEach(p -> taken.add(p.getUser()));
        taken.remove("");
        return taken;
    }

    /** The user holding the credential: the Secret's, else the status', else the base user. */
    static String activeUser(DatabaseUser user, CredentialsSecret.Stored stored) {
        return stored.username().isEmpty() ? user.getSpec().getUsername() : stored.username();
    }

    private static boolean autoCreate(DatabaseUser user) {
        var role = user.getSpec().getPasswordRotation().getServiceRole();
        return !role.hasAutoCreate() || role.getAutoCreate();
    }

    private static int graceDays(DatabaseUser user) {
        var policy = user.getSpec().getPasswordRotation().getOldUserPolicy();
        return policy.hasGracePeriodDays() ? Math.max(0, policy.getGracePeriodDays()) : DEFAULT_GRACE_DAYS;
    }

    static String reassign(String user, String to) {
        return "REASSIGN OWNED BY " + quoteIdentifier(user) + " TO " + quoteIdentifier(to);
    }

    static String quoteIdentifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static List<UserOwnedObject> owned(List<OwnedObject> objects) {
        return objects.stream()
                .map(o -> UserOwnedObject.newBuilder()
                        .setSchema(o.getSchema().isEmpty() ? o.getDatabase() : o.getDatabase() + "." + o.getSchema())
                        .setName(o.getName())
                        .setType(o.getType())
                        .build())
                .toList();
    }

    /** clamp(until − now, 10 s, 1 h). */
    static Duration between(Instant now, Instant until) {
        Duration left = Duration.between(now, until);
        if (left.compareTo(MIN_REQUEUE) < 0) {
            return MIN_REQUEUE;
        }
        return left.compareTo(MAX_REQUEUE) > 0 ? MAX_REQUEUE : left;
    }

    private static Optional<Duration> earliest(List<Duration> durations) {
        return durations.stream().min(Duration::compareTo);
    }
}
