package io.dbprovision.apiserver.endpoints;

import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.BuildInfo;
import io.dbprovision.apiserver.auth.Authenticator;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.Credentials;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.NamespaceLifecycle;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API's entry: moves each request off the I/O thread onto a virtual thread, limits requests in flight
 * (429), authenticates (401) and authorizes (403), then routes to health, version, discovery, OpenAPI or a
 * resource. Every error leaves as a Kubernetes {@code Status}.
 */
public final class ApiHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    public static final int MAX_BODY_BYTES = 3 * 1024 * 1024;

    private final Registry registry;
    private final Authenticator authenticator;
    private final Authorizer authorizer;
    private final BooleanSupplier ready;
    private final Semaphore inFlight;
    private final Semaphore watchesInFlight;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Discovery discovery = new Discovery(Schema.get());
    private final Optional<Discovery> coreDiscovery;
    private final OpenApiEndpoints openApi = new OpenApiEndpoints();
    private final ResourceEndpoints resources;
    private final WatchStreams watches;

    public ApiHandler(
            Registry registry,
            KubeCodec codec,
            Authenticator authenticator,
            Authorizer authorizer,
            BooleanSupplier ready,
            int maxInFlight,
            int maxWatches,
            Clock clock) {
        this.registry = registry;
        this.authenticator = authenticator;
        this.authorizer = authorizer;
        this.ready = ready;
        this.inFlight = new Semaphore(maxInFlight);
        this.watchesInFlight = new Semaphore(maxWatches);
        this.coreDiscovery = registry.schemas().contains(Schema.core())
                ? Optional.of(new Discovery(Schema.core()))
                : Optional.empty();
        Tables tables = new Tables(codec, clock);
        this.watches = new WatchStreams(codec, tables);
        this.resources = new ResourceEndpoints(codec, tables, watches, MAX_BODY_BYTES);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(executor, this);
            return;
        }
        exchange.startBlocking();
        Call call = new Call(exchange);
        String path = call.path();
        boolean watch = call.flag("watch");
        Semaphore limit = watch ? watchesInFlight : inFlight;
        if (!limit.tryAcquire()) {
            fail(call, new ApiException.TooManyRequests("too many requests, please try again later"));
            return;
        }
        try {
            if (servePublic(call, path)) {
                return;
            }
            UserInfo user = authenticate(exchange).orElseThrow(() -> new ApiException.Unauthorized("Unauthorized"));
            RequestInfo info = RequestInfo.parse(call.method(), path, watch);
            authorize(user, info);
            route(call, info);
        } catch (ApiException e) {
            fail(call, e);
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", call.method(), path, e);
            fail(call, new ApiException.Internal("an internal error occurred", e));
        } finally {
            limit.release();
        }
    }

    /** Health and version answer without credentials, as Kubernetes lets its probes do. */
    private boolean servePublic(Call call, String path) {
        switch (path) {
            case "/healthz", "/livez" -> call.respondText(200, "ok");
            case "/readyz" -> {
                if (ready.getAsBoolean()) {
                    call.respondText(200, "ok");
                } else {
                    call.respondText(503, "storage is not available");
                }
            }
            case "/version" -> call.respondJson(200, Json.write(version()));
            default -> {
                return false;
            }
        }
        return true;
    }

    private void route(Call call, RequestInfo info) {
        String path = info.path();
        if (path.startsWith("/openapi/")) {
            openApi.serve(call);
            return;
        }
        if (!info.resourceRequest()) {
            discovery(call, path);
            return;
        }
        String apiVersion = info.group().isEmpty() ? info.version() : info.group() + "/" + info.version();
        ResourceStore store = registry.lookup(apiVersion, info.resource())
                .orElseThrow(() -> new ApiException.NotFound(
                        new ApiException.Subject(info.group(), info.resource(), info.name())));
        boolean apply =
                info.verb().equals("patch") && call.contentType().essence().equals(ResourceEndpoints.APPLY_PATCH);
        registry.namespaceLifecycle()
                .admit(
                        apply ? NamespaceLifecycle.APPLY : info.verb(),
                        store,
                        info.namespace(),
                        info.name(),
                        ResourceEndpoints.dryRun(call));
        resources.serve(call, info, store);
    }

    private void discovery(Call call, String path) {
        String normalized = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        switch (normalized) {
            case "/apis" -> aggregatedOrLegacy(call, discovery);
            case "/apis/" + Schema.GROUP -> call.respondJson(200, discovery.group());
            case "/apis/" + Schema.API_VERSION -> call.respondJson(200, discovery.resourceList());
            case "/api" -> aggregatedOrLegacy(call, core(path));
            case "/api/v1" -> call.respondJson(200, core(path).resourceList());
            default -> throw new ApiException.NotFound(new ApiException.Subject("", "", path));
        }
    }

    /** The core group's discovery; without it {@code /api} is a 404, which clients accept from aggregated servers. */
    private Discovery core(String path) {
        return coreDiscovery.orElseThrow(() -> new ApiException.NotFound(new ApiException.Subject("", "", path)));
    }

    /** {@code /apis}: the aggregated form when the client lists it first (v2 or v2beta1), the legacy list otherwise. */
    private void aggregatedOrLegacy(Call call, Discovery discovery) {
        for (MediaType type : call.accept()) {
            boolean aggregated = type.essence().equals("application/json")
                    && type.parameter("g").equals("apidiscovery.k8s.io")
                    && type.parameter("as").equals("APIGroupDiscoveryList");
            if (aggregated
                    && (type.parameter("v").equals("v2") || type.parameter("v").equals("v2beta1"))) {
                boolean v2 = type.parameter("v").equals("v2");
                String etag = discovery.aggregatedEtag(v2);
                call.setHeader("ETag", etag);
                call.setHeader("Vary", "Accept");
                call.setHeader("Cache-Control", "public");
                if (etag.equals(call.header("If-None-Match"))) {
                    call.respond(
                            304,
                            "application/json;g=apidiscovery.k8s.io;v=" + (v2 ? "v2" : "v2beta1")
                                    + ";as=APIGroupDiscoveryList",
                            new byte[0]);
                    return;
                }
                call.respond(
                        200,
                        "application/json;g=apidiscovery.k8s.io;v=" + (v2 ? "v2" : "v2beta1")
                                + ";as=APIGroupDiscoveryList",
                        discovery.aggregated(v2));
                return;
            }
            if (type.isJsonLike() && type.parameter("as").isEmpty()) {
                call.respondJson(200, discovery.groupList());
                return;
            }
        }
        throw new ApiException.NotAcceptable("only application/json and aggregated discovery are served");
    }

    private Optional<UserInfo> authenticate(HttpServerExchange exchange) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            var session = exchange.getConnection().getSslSessionInfo();
            if (session != null) {
                for (Certificate certificate : session.getPeerCertificates()) {
                    if (certificate instanceof X509Certificate x509) {
                        chain.add(x509);
                    }
                }
            }
        } catch (Exception e) {
            // no client certificate: fine, try the token
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        Optional<String> token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? Optional.of(authorization.substring(7).trim())
                : Optional.empty();
        return authenticator.authenticate(new Credentials(chain, token));
    }

    private void authorize(UserInfo user, RequestInfo info) {
        Authorizer.Decision decision = authorizer.authorize(new Authorizer.Request(
                user,
                info.resourceRequest(),
                info.verb(),
                info.group(),
                info.version(),
                info.resource(),
                info.subresource(),
                info.namespace(),
                info.name(),
                info.path()));
        if (!decision.allowed()) {
            String what = info.resourceRequest()
                    ? info.resource()
                            + (info.group().isEmpty() ? "" : "." + info.group())
                            + (info.name().isEmpty() ? "" : " \"" + info.name() + "\"")
                    : "";
            String message = info.resourceRequest()
                    ? what + " is forbidden: User \"" + user.name() + "\" cannot " + info.verb() + " resource \""
                            + info.resource() + "\" in API group \"" + info.group() + "\""
                            + (info.namespace().isEmpty()
                                    ? " at the cluster scope"
                                    : " in the namespace \"" + info.namespace() + "\"")
                    : "forbidden: User \"" + user.name() + "\" cannot " + info.verb() + " path \"" + info.path() + "\"";
            throw new ApiException.Forbidden(message + (decision.reason().isEmpty() ? "" : ": " + decision.reason()));
        }
    }

    private static Map<String, Object> version() {
        Map<String, Object> version = new LinkedHashMap<>();
        // The Kubernetes API level this server implements; kubectl's version dispatcher picks its binary by it.
        version.put("major", "1");
        version.put("minor", "33");
        version.put("gitVersion", "v1.33.0+dbprovision-" + BuildInfo.version());
        version.put("gitCommit", "");
        version.put("gitTreeState", "clean");
        version.put("buildDate", "");
        version.put("goVersion", "java" + Runtime.version().feature());
        version.put("compiler", "javac");
        version.put("platform", System.getProperty("os.name").toLowerCase() + "/" + System.getProperty("os.arch"));
        return version;
    }

    private static void fail(Call call, ApiException error) {
        if (call.responseStarted()) {
            return;
        }
        call.respondJson(error.code(), Json.write(StatusDocuments.failure(error)));
    }
}
