package io.dbprovision.apiserver.server;

import com.google.protobuf.Message;
import io.dbprovision.api.schema.ComputedSubresource;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.admission.CrossNamespaceReferences;
import io.dbprovision.apiserver.admission.DeletionProtection;
import io.dbprovision.apiserver.admission.NamespaceLifecycle;
import io.dbprovision.apiserver.auth.Authenticator;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.controller.namespace.NamespaceController;
import io.dbprovision.apiserver.endpoints.CreateOnlyResource;
import io.dbprovision.apiserver.endpoints.Router;
import io.dbprovision.apiserver.pipeline.AuditFilter;
import io.dbprovision.apiserver.pipeline.Authentication;
import io.dbprovision.apiserver.pipeline.Authorization;
import io.dbprovision.apiserver.pipeline.Filter;
import io.dbprovision.apiserver.pipeline.Impersonation;
import io.dbprovision.apiserver.pipeline.InFlightLimits;
import io.dbprovision.apiserver.pipeline.RequestAuditor;
import io.dbprovision.apiserver.pipeline.RequestPipeline;
import io.dbprovision.apiserver.portal.Plans;
import io.dbprovision.apiserver.portal.Portal;
import io.dbprovision.apiserver.portal.PortalServer;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ServedSubresource;
import io.dbprovision.apiserver.registry.SubresourceReader;
import io.dbprovision.apiserver.registry.admission.Admission;
import io.dbprovision.apiserver.registry.admission.AdmissionPlugin;
import io.dbprovision.apiserver.storage.Storage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The one place a server is put together, in standalone and in aggregated mode alike: the registry of the
 * group-versions served (which owns the codec), its admission plugins (NamespaceLifecycle where namespaces are
 * served here, CrossNamespaceReferences, DeletionProtection, then any added), the request pipeline — limits →
 * audit → authentication → impersonation → authorization → routing, audit in front as in k8s.io/apiserver so that
 * refused credentials and impersonations are audited too — and the HTTPS listener. The modes differ only
 * in what they hand in: which kinds, which authenticator and authorizer, which audit log.
 */
public final class ServerAssembly {
    /** Paths anyone may read, even unauthenticated, as the kube-apiserver's probes and version. */
    public static final Set<String> PUBLIC_PATHS = Set.of("/healthz", "/livez", "/readyz", "/version");

    private final Storage storage;
    private final SSLContext tls;
    private final List<Registry.Served> served = new ArrayList<>();
    private final List<Function<Registry, AdmissionPlugin>> admission = new ArrayList<>();
    private String host = "127.0.0.1";
    private int port;
    private Authenticator authenticator;
    private Authorizer authorizer;
    private boolean anonymous;
    private Supplier<List<String>> strippedHeaders = List::of;
    private RequestAuditor auditor = RequestAuditor.NONE;
    private InFlightLimits.Settings limits = InFlightLimits.Settings.DEFAULTS;
    private Clock clock = Clock.systemUTC();
    private final Map<String, CreateOnlyResource> createOnly = new HashMap<>();
    private final List<ServedSubresource> subresources = new ArrayList<>();
    private Registry registry;
    private boolean started;
    private Optional<Portal.Listen> portal = Optional.empty();
    private Plans plans = Plans.NONE;

    public ServerAssembly(Storage storage, SSLContext tls) {
        this.storage = storage;
        this.tls = tls;
    }

    public ServerAssembly serve(Registry.Served groupVersion) {
        if (registry != null) {
            throw new IllegalStateException("the registry is built: serve every group-version before asking for it");
        }
        served.add(groupVersion);
        return this;
    }

    public ServerAssembly listen(String host, int port) {
        this.host = host;
        this.port = port;
        return this;
    }

    /**
     * Also serve the portal gRPC API on {@code listen}, over this server's registry, authenticator, authorizer and
     * audit, with the same TLS context as the HTTPS listener.
     */
    public ServerAssembly portal(Portal.Listen listen) {
        this.portal = Optional.of(listen);
        return this;
    }

    /** How the portal's validate_only writes plan what the provisioner would run (none by default). */
    public ServerAssembly plans(Plans plans) {
        this.plans = plans;
        return this;
    }

    public ServerAssembly authenticator(Authenticator authenticator) {
        this.authenticator = authenticator;
        return this;
    }

    public ServerAssembly authorizer(Authorizer authorizer) {
        this.authorizer = authorizer;
        return this;
    }

    /** Let unauthenticated requests in as {@code system:anonymous} (off by default, as the issue of security asks). */
    public ServerAssembly anonymous(boolean anonymous) {
        this.anonymous = anonymous;
        return this;
    }

    /**
     * Headers removed from a request once it is authenticated (lower-case name prefixes, asked per request): in
     * delegated mode {@code Authorization} and the front proxy's {@code X-Remote-*}, as k8s.io/apiserver does.
     */
    public ServerAssembly strippedHeaders(Supplier<List<String>> prefixes) {
        this.strippedHeaders = prefixes;
        return this;
    }

    public ServerAssembly auditor(RequestAuditor auditor) {
        this.auditor = auditor;
        return this;
    }

    /** Audit every request to {@code audit}'s log, as its policy says (its owner closes it). */
    public ServerAssembly audit(io.dbprovision.apiserver.audit.Audit audit) {
        return auditor(audit.enabled() ? new AuditRecorder(audit) : RequestAuditor.NONE);
    }

    public ServerAssembly limits(InFlightLimits.Settings limits) {
        this.limits = limits;
        return this;
    }

    public ServerAssembly clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** An admission plugin after the built-in ones, made once the registry exists (plugins read its stores). */
    public ServerAssembly admission(Function<Registry, AdmissionPlugin> plugin) {
        admission.add(plugin);
        return this;
    }

    /** How a create-only kind ({@code apiVersion/plural}, e.g. a review) of the schemas served is answered. */
    public ServerAssembly createOnly(String apiVersionAndPlural, CreateOnlyResource answer) {
        createOnly.put(apiVersionAndPlural, answer);
        return this;
    }

    /**
     * Serves a read-only subresource computed at request time: GET
     * {@code /apis/{group}/{version}/namespaces/{ns}/{plural}/{name}/{subresource}} (without the namespace for a
     * cluster-scoped kind) answers what {@code reader} returns, a {@code response}-typed message, authorized as verb
     * {@code get} on {@code plural/subresource}. Discovery lists it and the OpenAPI documents describe it. See
     * {@link ServedSubresource} for the reader's contract.
     *
     * @param apiVersion a group-version served ({@link #serve} it first), such as {@code dbops.dbprovision.io/v1alpha1}
     * @param plural a kind of it, such as {@code databaseusers}
     * @param subresource the path segment, such as {@code credentials}
     * @param response any instance of the message answered, such as
     *     {@code DatabaseUserCredentials.getDefaultInstance()}
     * @throws IllegalArgumentException if the group-version or kind is not served, the name cannot be a subresource's
     *     or the message is not shaped as an object (apiVersion, kind, ObjectMeta metadata)
     * @throws IllegalStateException if the server has started, or the subresource is registered already
     */
    public ServerAssembly subresource(
            String apiVersion, String plural, String subresource, Message response, SubresourceReader reader) {
        Schema schema = served.stream()
                .map(Registry.Served::schema)
                .filter(candidate -> candidate.apiVersion().equals(apiVersion))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        apiVersion + " is not served here: serve it before adding its subresources"));
        return subresource(
                new ServedSubresource(ComputedSubresource.of(schema, plural, subresource, response), reader));
    }

    /** Serves a computed subresource described already (see the other {@code subresource}). */
    public ServerAssembly subresource(ServedSubresource subresource) {
        if (started) {
            throw new IllegalStateException("the server has started: add subresources before start()");
        }
        boolean parentServed = served.stream()
                .anyMatch(entry -> entry.schema()
                        .kinds()
                        .contains(subresource.subresource().parent()));
        if (!parentServed) {
            throw new IllegalArgumentException(subresource.key() + ": its group-version is not served here");
        }
        if (subresources.stream().anyMatch(existing -> existing.key().equals(subresource.key()))) {
            throw new IllegalStateException(subresource.key() + " is registered already");
        }
        subresources.add(subresource);
        return this;
    }

    /**
     * Whether {@code apiVersion/plural/subresource} is registered already: a server registers the options' (tests'
     * stub readers) first and skips its own reader of a subresource one of them stands in for.
     */
    public boolean servesSubresource(String apiVersion, String plural, String subresource) {
        String key = ServedSubresource.key(apiVersion, plural, subresource);
        return subresources.stream().anyMatch(existing -> existing.key().equals(key));
    }

    /**
     * The registry of the group-versions served, built on first call: what needs its stores before the server
     * starts (local RBAC, bootstrap objects) asks for it here.
     */
    public Registry registry() {
        if (registry == null) {
            registry = new Registry(served, storage, clock);
        }
        return registry;
    }

    /** Builds everything and starts listening. */
    public RunningServer start() {
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(authorizer, "authorizer");
        started = true;
        Registry registry = registry();
        List<AdmissionPlugin> plugins = new ArrayList<>();
        Optional<NamespaceLifecycle> lifecycle =
                registry.lookup("v1", "namespaces").map(NamespaceLifecycle::new);
        lifecycle.ifPresent(plugins::add);
        plugins.add(new CrossNamespaceReferences(authorizer));
        plugins.add(new DeletionProtection());
        admission.forEach(plugin -> plugins.add(plugin.apply(registry)));
        registry.useAdmission(new Admission(plugins));
        Optional<NamespaceController> namespaceController = NamespaceController.start(registry);
        RequestPipeline pipeline = new RequestPipeline(
                List.<Filter>of(
                        new InFlightLimits(limits),
                        // Audit stands in front of authentication and impersonation, as k8s.io/apiserver's does, so
                        // that refused credentials (401) and refused impersonations (403) are recorded too; actingAs
                        // tells it who the request turned out to be at each step.
                        new AuditFilter(auditor, clock),
                        new Authentication(authenticator, anonymous, PUBLIC_PATHS, strippedHeaders),
                        AuditFilter.actingAs(),
                        new Impersonation(authorizer),
                        AuditFilter.actingAs(),
                        new Authorization(authorizer)),
                new Router(registry, createOnly, List.copyOf(subresources), storage::isHealthy, clock),
                clock);
        ApiServer server = new ApiServer(host, port, tls, pipeline, storage::close);
        server.start();
        Optional<PortalServer> portalServer;
        try {
            portalServer = portal.map(listen -> Portal.start(
                    listen,
                    tls,
                    new Portal.Parts(
                            registry,
                            authenticator,
                            authorizer,
                            anonymous,
                            auditor,
                            clock,
                            plans,
                            subresources.stream()
                                    .filter(served -> served.key()
                                            .equals(ServedSubresource.key(
                                                    io.dbprovision.api.schema.Schema.API_VERSION,
                                                    "databaseusers",
                                                    "credentials")))
                                    .map(ServedSubresource::reader)
                                    .findFirst())));
        } catch (RuntimeException e) {
            namespaceController.ifPresent(NamespaceController::close);
            server.close();
            throw e;
        }
        return new RunningServer(registry, lifecycle, namespaceController, server, portalServer);
    }

    /**
     * A started server. Closing it stops the controllers, the portal's listener (its watches end, calls in flight
     * finish) and then the HTTPS listener (which closes storage as it drains).
     */
    public record RunningServer(
            Registry registry,
            Optional<NamespaceLifecycle> namespaceLifecycle,
            Optional<NamespaceController> namespaceController,
            ApiServer server,
            Optional<PortalServer> portal)
            implements AutoCloseable {
        public int port() {
            return server.port();
        }

        /** The portal's port, when it is served. */
        public Optional<Integer> portalPort() {
            return portal.map(PortalServer::port);
        }

        @Override
        public void close() {
            namespaceController.ifPresent(NamespaceController::close);
            portal.ifPresent(PortalServer::close);
            server.close();
        }
    }
}
