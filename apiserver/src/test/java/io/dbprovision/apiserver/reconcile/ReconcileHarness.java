package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.Decoded;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.auth.delegated.Await;
import io.dbprovision.apiserver.controller.ControllerManager;
import io.dbprovision.apiserver.controller.LeaderElection;
import io.dbprovision.apiserver.corev1.EventRecorder;
import io.dbprovision.apiserver.provisioning.EngineChannel;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.DeleteOptions;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import io.dbprovision.proto.engine.v1alpha1.EngineServiceGrpc;
import io.dbprovision.provisioner.ProvisionerWiring;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The reconcilers on a real registry (embedded store in a temporary directory) calling the real engine service
 * in-process, against the machine's PostgreSQL and MariaDB. Objects go in as YAML, as users write them; events are
 * recorded in memory.
 */
final class ReconcileHarness implements AutoCloseable {
    static final RequestContext USER = RequestContext.internal("test-user");

    final CachingStorage storage;
    final Registry registry;
    final ProvisionerWiring provisioner;
    final Server server;
    final ManagedChannel channel;
    final ControllerManager manager;
    final DbopsControllers controllers;
    /** The reconcilers' Secrets, counting reads: the registry's own unless a test passed others. */
    final CountingSecrets secrets;

    final List<String> events = new CopyOnWriteArrayList<>();

    ReconcileHarness(Path dir) throws Exception {
        this(dir, DbopsControllers.Settings.DEFAULTS);
    }

    ReconcileHarness(Path dir, DbopsControllers.Settings settings) throws Exception {
        this(dir, settings, Clock.systemUTC());
    }

    /** With {@code clock} as the controllers' time (the registry keeps the real one for its timestamps). */
    ReconcileHarness(Path dir, DbopsControllers.Settings settings, Clock clock) throws Exception {
        this(dir, settings, clock, List.of());
    }

    /**
     * With {@code interceptors} on the reconcilers' calls to the provisioner (a test that watches what the
     * controllers send, and how many calls they have in flight).
     */
    ReconcileHarness(Path dir, DbopsControllers.Settings settings, Clock clock, List<ClientInterceptor> interceptors)
            throws Exception {
        this(dir, settings, clock, interceptors, null);
    }

    /** With {@code clusterSecrets} as the reconcilers' Secrets (a cluster's, say); null: the registry's own. */
    ReconcileHarness(
            Path dir,
            DbopsControllers.Settings settings,
            Clock clock,
            List<ClientInterceptor> interceptors,
            io.dbprovision.apiserver.corev1.Secrets clusterSecrets)
            throws Exception {
        storage = CachingStorage.open(new EmbeddedBackend(dir, false), StorageSettings.defaults());
        registry = new Registry(
                List.of(
                        new Registry.Served(Schema.get(), ObjectRules.standard()),
                        new Registry.Served(Schema.core(), ObjectRules.core())),
                storage,
                Clock.systemUTC());
        provisioner = ProvisionerWiring.create(Duration.ofMinutes(1));
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name)
                .addService(provisioner.service())
                .build()
                .start();
        channel = InProcessChannelBuilder.forName(name).build();
        Channel intercepted = ClientInterceptors.intercept(channel, interceptors);
        EngineChannel engine = deadline -> EngineServiceGrpc.newBlockingStub(intercepted)
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
        EventRecorder recorder = new EventRecorder() {
            @Override
            public void normal(Message object, String reason, String message) {
                events.add(describe(object) + " Normal " + reason + " " + message);
            }

            @Override
            public void warning(Message object, String reason, String message) {
                events.add(describe(object) + " Warning " + reason + " " + message);
            }
        };
        manager = new ControllerManager(LeaderElection.always("test"), RequestContext.internal("test-controllers"));
        secrets = new CountingSecrets(
                clusterSecrets != null
                        ? clusterSecrets
                        : new StoreSecrets(registry.lookup("v1", "secrets").orElseThrow()));
        controllers = DbopsControllers.register(
                manager,
                registry,
                engine,
                secrets,
                new io.dbprovision.apiserver.corev1.RegistryConfigMaps(registry),
                recorder,
                settings,
                clock);
        manager.start();
    }

    private static String describe(Message object) {
        return Dependants.describe(object);
    }

    /** Creates or replaces every object of {@code yaml}, as kubectl apply would. */
    void apply(String yaml) {
        for (Decoded<Message> decoded : registry.codec().decodeYaml(yaml)) {
            Message object = decoded.object();
            ResourceStore store = storeOf(object);
            var meta = Objects.meta(object);
            try {
                Message current = store.get(USER, meta.getNamespace(), meta.getName());
                Message next = Objects.withMeta(
                        object,
                        meta.toBuilder()
                                .setResourceVersion(Objects.meta(current).getResourceVersion())
                                .build());
                store.update(USER, meta.getNamespace(), meta.getName(), next, new WriteOptions(false, "test"), false);
            } catch (ApiException.NotFound absent) {
                store.create(USER, meta.getNamespace(), object, new WriteOptions(false, "test"));
            }
        }
    }

    /**
     * Changes an annotation of the object, which queues it for a reconcile (as any metadata change does): how a test
     * that moved the clock has it looked at now rather than when its requeue is due in real time.
     */
    void nudge(String plural, String namespace, String name) {
        store(plural)
                .patch(
                        USER,
                        namespace,
                        name,
                        current -> {
                            var meta = Objects.meta(current);
                            String count = meta.getAnnotationsOrDefault("test/nudge", "0");
                            return Objects.withMeta(
                                    current,
                                    meta.toBuilder()
                                            .putAnnotations("test/nudge", Integer.toString(Integer.parseInt(count) + 1))
                                            .build());
                        },
                        new WriteOptions(false, "test"),
                        false);
    }

    /** Rewrites the object's status through the status subresource, as a controller would. */
    void patchStatus(String plural, String namespace, String name, java.util.function.UnaryOperator<Message> change) {
        store(plural).patch(USER, namespace, name, change, new WriteOptions(false, "test"), true);
    }

    /** Sets an annotation by a metadata patch, leaving the rest (finalizers included) as it is. */
    void annotate(String plural, String namespace, String name, String key, String value) {
        store(plural)
                .patch(
                        USER,
                        namespace,
                        name,
                        current -> Objects.withMeta(
                                current,
                                Objects.meta(current).toBuilder()
                                        .putAnnotations(key, value)
                                        .build()),
                        new WriteOptions(false, "test"),
                        false);
    }

    /**
     * The recorded events whose text contains every one of {@code parts}, once at least {@code count} are there (or
     * the wait ends): the reconciler sends its events after it wrote the status a test awaits.
     */
    List<String> awaitEvents(int count, String... parts) throws InterruptedException {
        Await.until(
                count + " events " + String.join(" ", parts),
                () -> events(parts).size() >= count);
        return events(parts);
    }

    /** The recorded events whose text contains every one of {@code parts}. */
    List<String> events(String... parts) {
        return events.stream()
                .filter(e -> java.util.Arrays.stream(parts).allMatch(e::contains))
                .toList();
    }

    void delete(String plural, String namespace, String name) {
        store(plural).delete(USER, namespace, name, DeleteOptions.DEFAULT);
    }

    Message get(String plural, String namespace, String name) {
        return store(plural).get(USER, namespace, name);
    }

    boolean exists(String plural, String namespace, String name) {
        try {
            get(plural, namespace, name);
            return true;
        } catch (ApiException.NotFound e) {
            return false;
        }
    }

    /** Waits until the object satisfies {@code condition}, and returns it. */
    @SuppressWarnings("unchecked")
    <T extends Message> T await(String plural, String namespace, String name, Predicate<T> condition) {
        Await.until(plural + " " + namespace + "/" + name, () -> {
            try {
                return condition.test((T) get(plural, namespace, name));
            } catch (ApiException.NotFound e) {
                return false;
            }
        });
        return (T) get(plural, namespace, name);
    }

    /** Waits until the object's Ready condition is True. */
    <T extends Message> T awaitReady(String plural, String namespace, String name) {
        return await(plural, namespace, name, object -> Conditions.isTrue(conditions(object), Conditions.READY));
    }

    @SuppressWarnings("unchecked")
    static List<io.dbprovision.proto.v1alpha1.Condition> conditions(Message object) {
        Message status = (Message) object.getField(object.getDescriptorForType().findFieldByName("status"));
        return (List<io.dbprovision.proto.v1alpha1.Condition>)
                status.getField(status.getDescriptorForType().findFieldByName("conditions"));
    }

    ResourceStore store(String plural) {
        return registry.stores().stream()
                .filter(s -> s.kind().plural().equals(plural))
                .findFirst()
                .orElseThrow();
    }

    private ResourceStore storeOf(Message object) {
        return registry.stores().stream()
                .filter(s -> s.kind().descriptor().equals(object.getDescriptorForType()))
                .findFirst()
                .orElseThrow();
    }

    @Override
    public void close() throws Exception {
        manager.close();
        channel.shutdownNow();
        server.shutdownNow();
        provisioner.close();
        storage.close();
    }
}
