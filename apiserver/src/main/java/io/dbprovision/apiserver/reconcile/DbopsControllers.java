package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.controller.Controller;
import io.dbprovision.apiserver.controller.ControllerManager;
import io.dbprovision.apiserver.controller.Informer;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.controller.UpdatePredicate;
import io.dbprovision.apiserver.corev1.ConfigMaps;
import io.dbprovision.apiserver.corev1.EventRecorder;
import io.dbprovision.apiserver.corev1.Secrets;
import io.dbprovision.apiserver.provisioning.EngineChannel;
import io.dbprovision.apiserver.reconcile.database.DatabaseLogic;
import io.dbprovision.apiserver.reconcile.instance.InstanceLogic;
import io.dbprovision.apiserver.reconcile.instance.InstanceSecrets;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseGrant;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseInstance;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseRole;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseRole;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.provisioner.engine.jdbc.ConnectionPools;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The controllers of the dbops kinds, put on a {@link ControllerManager}: one informer per kind (shared), the
 * indexes that find dependants, and one controller per kind running {@link ObjectReconciler} around the kind's
 * {@link KindLogic}. Objects on one database server reconcile at most {@link Settings#perServer} at once per kind,
 * so a slow or dead server holds only that many workers, and send at most as many provisioner calls at once across
 * the kinds ({@link ServerGate}); a change to an instance's readiness queues what lives on it.
 */
public final class DbopsControllers {
    public static final String GROUP_VERSION = "dbops.dbprovision.io/v1alpha1";
    public static final String USER = "system:dbprovision:controllers";

    /**
     * @param workers reconciles at once per kind
     * @param perServer reconciles at once per kind on one database server (engine, host and port: several instance
     *     objects may name one), and provisioner calls at once to one server across every kind ({@link ServerGate});
     *     by default as many as the provisioner's pool for a server has connections, so calls never queue there
     * @param engineDeadline how long one provisioner call may take
     * @param resync how often every object is looked at again (drift checks are due on their own interval)
     */
    public record Settings(int workers, int perServer, Duration engineDeadline, Duration resync) {
        public static final Settings DEFAULTS =
                new Settings(16, ConnectionPools.MAXIMUM_POOL_SIZE, Duration.ofSeconds(60), Duration.ofMinutes(10));
    }

    /** What every kind's logic is built from. */
    public record Parts(
            Registry registry,
            Instances instances,
            EngineCalls engine,
            Secrets secrets,
            EventRecorder events,
            Dependants dependants,
            DeletionGate gate,
            RequestContext context,
            Clock clock) {}

    private final ControllerManager manager;
    private final Settings settings;
    private final Parts parts;
    private final Informers informers;
    private final Map<String, EngineObjectLogic> engineLogic = new ConcurrentHashMap<>();

    /** The informers of the dbops kinds, by kind. */
    public record Informers(
            Informer<DatabaseInstance> instances,
            Informer<ClusterDatabaseInstance> clusterInstances,
            Informer<Database> databases,
            Informer<DatabaseUser> users,
            Informer<DatabaseRole> roles,
            Informer<ClusterDatabaseRole> clusterRoles,
            Informer<DatabaseGrant> grants,
            Informer<ClusterDatabaseGrant> clusterGrants) {}

    private DbopsControllers(ControllerManager manager, Settings settings, Parts parts, Informers informers) {
        this.manager = manager;
        this.settings = settings;
        this.parts = parts;
        this.informers = informers;
    }

    /** Adds the controllers of every dbops kind {@code registry} serves to {@code manager}. */
    public static DbopsControllers register(
            ControllerManager manager,
            Registry registry,
            EngineChannel channel,
            Secrets secrets,
            ConfigMaps configMaps,
            EventRecorder events,
            Settings settings,
            Clock clock) {
        RequestContext context = RequestContext.internal(USER);
        Informers informers = new Informers(
                manager.informer(store(registry, "databaseinstances"), DatabaseInstance.class),
                manager.informer(store(registry, "clusterdatabaseinstances"), ClusterDatabaseInstance.class),
                manager.informer(store(registry, "databases"), Database.class),
                manager.informer(store(registry, "databaseusers"), DatabaseUser.class),
                manager.informer(store(registry, "databaseroles"), DatabaseRole.class),
                manager.informer(store(registry, "clusterdatabaseroles"), ClusterDatabaseRole.class),
                manager.informer(store(registry, "databasegrants"), DatabaseGrant.class),
                manager.informer(store(registry, "clusterdatabasegrants"), ClusterDatabaseGrant.class));
        Instances instances = new Instances(informers.instances(), informers.clusterInstances(), secrets);
        Dependants dependants = indexDependants(informers);
        Parts parts = new Parts(
                registry,
                instances,
                new EngineCalls(channel, settings.engineDeadline(), settings.perServer()),
                secrets,
                events,
                dependants,
                new DeletionGate(registry, context),
                context,
                clock);
        DbopsControllers controllers = new DbopsControllers(manager, settings, parts, informers);
        InstanceSecrets instanceSecrets =
                new InstanceSecrets(secrets, informers.instances(), informers.clusterInstances(), dependants);
        controllers.closeWith(instanceSecrets.start());
        controllers.addInstances(instanceSecrets);
        controllers.addOnInstance(
                "database-controller",
                informers.databases(),
                new DatabaseLogic(instances, parts.engine(), secrets, configMaps, dependants, parts.gate()));
        KindControllers.addUsersRolesAndGrants(controllers);
        return controllers;
    }

    /** The logic of a kind that is something on a server (databases, users, roles, grants), by plural. */
    public Optional<EngineObjectLogic> engineLogic(String plural) {
        return Optional.ofNullable(engineLogic.get(plural));
    }

    public Parts parts() {
        return parts;
    }

    public Informers informers() {
        return informers;
    }

    public Settings settings() {
        return settings;
    }

    /** Instances: their own health checks; no partition (each is its own server). */
    private void addInstances(InstanceSecrets instanceSecrets) {
        manager.add(Controller.builder(
                        "databaseinstance-controller",
                        informers.instances(),
                        reconciler(
                                informers.instances(),
                                new InstanceLogic(
                                        false,
                                        parts.instances(),
                                        parts.engine(),
                                        parts.dependants(),
                                        parts.gate(),
                                        instanceSecrets)))
                .workers(settings.workers())
                .resyncEvery(settings.resync())
                .build());
        manager.add(Controller.builder(
                        "clusterdatabaseinstance-controller",
                        informers.clusterInstances(),
                        reconciler(
                                informers.clusterInstances(),
                                new InstanceLogic(
                                        true,
                                        parts.instances(),
                                        parts.engine(),
                                        parts.dependants(),
                                        parts.gate(),
                                        instanceSecrets)))
                .workers(settings.workers())
                .resyncEvery(settings.resync())
                .build());
    }

    /**
     * A controller for a kind whose objects name their instance: partitioned by the server that instance names, and
     * queued again when the instance's readiness or spec changes (not on every health-check write).
     */
    public <T extends Message> Controller.Builder<T> onInstance(String name, Informer<T> informer, KindLogic logic) {
        remember(informer, logic);
        Controller.Builder<T> builder = Controller.builder(name, informer, reconciler(informer, logic))
                .workers(settings.workers())
                .resyncEvery(settings.resync())
                .partitionedBy(
                        key -> informer.get(key)
                                .flatMap(InstanceKey::of)
                                .map(parts.instances()::partition)
                                .orElse(""),
                        settings.perServer())
                .watches(informers.instances(), instance -> keysOn(informer, instance, false), INSTANCE_CHANGED)
                .watches(informers.clusterInstances(), instance -> keysOn(informer, instance, true), INSTANCE_CHANGED);
        return builder;
    }

    /** Keeps the logic of a kind that is something on a server, for {@link #engineLogic} (drift reads, plans). */
    private void remember(Informer<? extends Message> informer, KindLogic logic) {
        if (logic instanceof EngineObjectLogic engineObject) {
            engineLogic.put(informer.store().kind().plural(), engineObject);
        }
    }

    public <T extends Message> void addOnInstance(String name, Informer<T> informer, KindLogic logic) {
        manager.add(onInstance(name, informer, logic).build());
    }

    public <T extends Message> Controller.Builder<T> plain(String name, Informer<T> informer, KindLogic logic) {
        remember(informer, logic);
        return Controller.builder(name, informer, reconciler(informer, logic))
                .workers(settings.workers())
                .resyncEvery(settings.resync());
    }

    public void add(Controller<?> controller) {
        manager.add(controller);
    }

    /** Closes {@code resource} (a watch feeding a controller) when the manager closes; see {@link ControllerManager#closeWith}. */
    public void closeWith(AutoCloseable resource) {
        manager.closeWith(resource);
    }

    public ObjectReconciler reconciler(Informer<? extends Message> informer, KindLogic logic) {
        return new ObjectReconciler(informer, logic, parts.events(), parts.context(), parts.clock());
    }

    /** An instance's readiness, spec, metadata or deletion changed: what waits on it may go on (or must stop). */
    private static final UpdatePredicate<Message> INSTANCE_CHANGED =
            (before, after) -> UpdatePredicate.generationOrMetadataChanged().test(before, after)
                    || Instances.statusOf(before).getPhase()
                            != Instances.statusOf(after).getPhase();

    private static List<NamespacedName> keysOn(
            Informer<? extends Message> informer, Message instance, boolean cluster) {
        var name = NamespacedName.of(instance);
        InstanceKey key =
                cluster ? InstanceKey.cluster(name.name()) : InstanceKey.namespaced(name.namespace(), name.name());
        return informer.byIndex(InstanceLogic.INDEX, key.index()).stream()
                .map(NamespacedName::of)
                .toList();
    }

    private static Dependants indexDependants(Informers informers) {
        Function<Message, List<String>> instanceOf = object ->
                InstanceKey.of(object).map(key -> List.of(key.index())).orElse(List.of());
        Dependants dependants = new Dependants()
                .add(informers.databases(), InstanceLogic.INDEX, instanceOf::apply)
                .add(informers.users(), InstanceLogic.INDEX, instanceOf::apply)
                .add(informers.roles(), InstanceLogic.INDEX, instanceOf::apply)
                .add(informers.clusterRoles(), InstanceLogic.INDEX, instanceOf::apply)
                .add(informers.clusterGrants(), InstanceLogic.INDEX, instanceOf::apply);
        dependants.add(
                informers.grants(),
                DatabaseLogic.INDEX,
                grant -> grant.getSpec().hasDatabaseRef()
                        ? List.of(ref(
                                grant,
                                grant.getSpec().getDatabaseRef().getNamespace(),
                                grant.getSpec().getDatabaseRef().getName()))
                        : List.of());
        dependants.add(
                informers.grants(),
                "user",
                grant -> grant.getSpec().hasUserRef()
                        ? List.of(ref(
                                grant,
                                grant.getSpec().getUserRef().getNamespace(),
                                grant.getSpec().getUserRef().getName()))
                        : List.of());
        dependants.add(
                informers.grants(),
                "role",
                grant -> grant.getSpec().hasRoleRef()
                        ? List.of(ref(
                                grant,
                                grant.getSpec().getRoleRef().getNamespace(),
                                grant.getSpec().getRoleRef().getName()))
                        : List.of());
        dependants.add(
                informers.clusterGrants(),
                "user",
                grant -> grant.getSpec().hasUserRef()
                        ? List.of(grant.getSpec().getUserRef().getNamespace() + "/"
                                + grant.getSpec().getUserRef().getName())
                        : List.of());
        dependants.add(
                informers.clusterGrants(),
                "role",
                grant -> grant.getSpec().hasRoleRef()
                        ? List.of(grant.getSpec().getRoleRef().getNamespace() + "/"
                                + grant.getSpec().getRoleRef().getName())
                        : List.of());
        return dependants;
    }

    /** {@code namespace/name} of a reference whose namespace defaults to the referrer's. */
    private static String ref(Message referrer, String namespace, String name) {
        return (namespace.isEmpty() ? Objects.meta(referrer).getNamespace() : namespace) + "/" + name;
    }

    private static ResourceStore store(Registry registry, String plural) {
        return registry.lookup(GROUP_VERSION, plural)
                .orElseThrow(() -> new IllegalStateException("the registry does not serve " + plural));
    }
}
