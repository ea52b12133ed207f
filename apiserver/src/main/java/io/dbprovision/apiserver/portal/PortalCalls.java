package io.dbprovision.apiserver.portal;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.portal.v1alpha1.Connection;
import io.dbprovision.proto.portal.v1alpha1.GetConnectionRequest;
import io.dbprovision.proto.portal.v1alpha1.PortalServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseProgress;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseRequest;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseInstance;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/**
 * PortalService: GetConnection ({@link Connections}) and RequestDatabase — the three objects of a {@link
 * DatabaseRequest} created as three REST creates would be (each authorized, admitted and audited as one), an object
 * that exists already reused when it asks for the same spec (read with the caller's {@code get}, as {@code kubectl
 * apply} would), then their convergence followed ({@link Convergence}) until the connection details can be
 * answered.
 */
final class PortalCalls extends PortalServiceGrpc.PortalServiceImplBase {
    private static final RequestContext INTERNAL = RequestContext.internal("system:dbprovision:portal");

    private final Registry registry;
    private final Operations operations;
    private final Connections connections;
    private final Plans plans;

    PortalCalls(Registry registry, Operations operations, Connections connections, Plans plans) {
        this.registry = registry;
        this.operations = operations;
        this.connections = connections;
        this.plans = plans;
    }

    @Override
    public void getConnection(GetConnectionRequest request, StreamObserver<Connection> observer) {
        Replies.unary(observer, () -> {
            ResourceNames.Name name = ResourceNames.parse(store("databaseusers").kind(), "name", request.getName());
            return connections.read(name.namespace(), name.name(), request.getIncludePassword());
        });
    }

    @Override
    public void requestDatabase(RequestDatabaseRequest request, StreamObserver<RequestDatabaseProgress> observer) {
        ServerCallStreamObserver<RequestDatabaseProgress> stream =
                (ServerCallStreamObserver<RequestDatabaseProgress>) observer;
        try {
            DatabaseRequest asked = DatabaseRequest.of(request);
            EngineType engine = engineOf(asked.instance());
            Database database = asked.databaseObject();
            DatabaseUser user = asked.userObject();
            DatabaseGrant grant = asked.grantObject(engine);
            boolean dryRun = request.getValidateOnly();
            Database storedDatabase = (Database) ensure("databases", asked.namespace(), database, dryRun);
            DatabaseUser storedUser = (DatabaseUser) ensure("databaseusers", asked.namespace(), user, dryRun);
            DatabaseGrant storedGrant = (DatabaseGrant) ensure("databasegrants", asked.namespace(), grant, dryRun);
            if (dryRun) {
                RequestDatabaseProgress.Builder answer = RequestDatabaseProgress.newBuilder()
                        .setDatabase(storedDatabase)
                        .setUser(storedUser)
                        .setGrant(storedGrant);
                StringBuilder message = new StringBuilder("validated: nothing was stored");
                for (Message object : java.util.List.<Message>of(storedDatabase, storedUser, storedGrant)) {
                    Plans.Plan plan = plans.plan(store(plural(object)).kind(), object);
                    answer.addAllPlan(plan.statements());
                    plan.warnings().forEach(warning -> message.append("; ").append(warning));
                }
                stream.onNext(answer.setMessage(message.toString()).build());
                stream.onCompleted();
                return;
            }
            new Convergence(registry, connections, asked, stream).follow();
        } catch (RuntimeException e) {
            stream.onError(Replies.status(e));
        }
    }

    /**
     * Creates {@code object} as the caller (a REST create); when its name is taken, reads the existing object (a
     * REST get) and reuses it if it asks for what this request asks for, else ALREADY_EXISTS.
     */
    private Message ensure(String plural, String namespace, Message object, boolean dryRun) {
        ResourceStore store = store(plural);
        String name = Objects.meta(object).getName();
        WriteOptions options = new WriteOptions(dryRun, Caller.current().fieldManager());
        try {
            return operations
                    .run(
                            RestRequest.of(
                                    "POST",
                                    store.kind(),
                                    namespace,
                                    "",
                                    "",
                                    dryRun ? RestRequest.query("dryRun", "All") : java.util.Map.of()),
                            201,
                            context -> store.create(context, namespace, object, options))
                    .object();
        } catch (ApiException.AlreadyExists exists) {
            Message current = operations.run(
                    RestRequest.of("GET", store.kind(), namespace, name),
                    200,
                    context -> store.get(context, namespace, name));
            Message wanted = store.create(INTERNAL, namespace, object, new WriteOptions(true, options.fieldManager()))
                    .object();
            if (!Objects.desiredState(wanted).equals(Objects.desiredState(current))) {
                throw Status.ALREADY_EXISTS
                        .withDescription(store.kind().qualifiedResource() + " \"" + name + "\" exists in namespace \""
                                + namespace + "\" and asks for something else; choose other names, or delete it")
                        .asRuntimeException();
            }
            return current;
        }
    }

    private EngineType engineOf(DatabaseRequest.Instance instance) {
        if (instance.cluster()) {
            return ((ClusterDatabaseInstance) store("clusterdatabaseinstances").get(INTERNAL, "", instance.name()))
                    .getSpec()
                    .getEngine();
        }
        EngineType engine = ((DatabaseInstance)
                        store("databaseinstances").get(INTERNAL, instance.namespace(), instance.name()))
                .getSpec()
                .getEngine();
        if (!AccessProfiles.supported(engine)) {
            throw Status.FAILED_PRECONDITION
                    .withDescription("RequestDatabase supports PostgreSQL, CockroachDB, MySQL and MariaDB instances,"
                            + " not " + Connections.engineName(engine))
                    .asRuntimeException();
        }
        return engine;
    }

    private static String plural(Message object) {
        return switch (object) {
            case Database d -> "databases";
            case DatabaseUser u -> "databaseusers";
            default -> "databasegrants";
        };
    }

    private ResourceStore store(String plural) {
        return registry.byPlural(plural).orElseThrow(() -> new IllegalStateException(plural + " are not served"));
    }
}
