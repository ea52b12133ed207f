package io.dbprovision.apiserver.endpoints;

import io.dbprovision.api.schema.ComputedSubresource;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.BuildInfo;
import io.dbprovision.apiserver.pipeline.Handler;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.ServedSubresource;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.request.RequestInfo;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The last step of the pipeline: sends an admitted request to health, version, discovery, OpenAPI, the resource
 * endpoints of the kind it names or a computed subresource of it. Discovery and OpenAPI cover every group-version the
 * registry serves and every computed subresource registered.
 */
public final class Router implements Handler {
    /** The largest request body read, as the kube-apiserver's 3 MiB. */
    public static final int MAX_BODY_BYTES = 3 * 1024 * 1024;

    private final Registry registry;
    private final BooleanSupplier ready;
    private final Discovery discovery;
    private final OpenApiEndpoints openApi;
    private final ResourceEndpoints resources;
    private final CreateOnlyEndpoints createOnlyEndpoints;
    private final SubresourceEndpoints subresourceEndpoints;
    /** The computed subresources answered here, by {@code apiVersion/plural/subresource}. */
    private final Map<String, ServedSubresource> computed = new HashMap<>();
    /** The create-only kinds answered here, by {@code apiVersion/plural}. */
    private final Map<String, Map.Entry<Kind, CreateOnlyResource>> createOnly = new HashMap<>();

    /**
     * @param createOnly how each create-only kind of the registry's schemas is answered, by {@code apiVersion/plural}
     *     (a kind without an answer here is not served)
     * @param subresources the computed subresources served, of kinds the registry serves
     */
    public Router(
            Registry registry,
            Map<String, CreateOnlyResource> createOnly,
            List<ServedSubresource> subresources,
            BooleanSupplier ready,
            Clock clock) {
        this.registry = registry;
        this.ready = ready;
        for (Schema schema : registry.schemas()) {
            for (Kind kind : schema.kinds()) {
                CreateOnlyResource answer = createOnly.get(kind.apiVersion() + "/" + kind.plural());
                if (kind.createOnly() && answer != null) {
                    this.createOnly.put(kind.apiVersion() + "/" + kind.plural(), Map.entry(kind, answer));
                }
            }
        }
        for (ServedSubresource subresource : subresources) {
            if (registry.lookup(
                            subresource.subresource().apiVersion(),
                            subresource.subresource().parent().plural())
                    .isEmpty()) {
                throw new IllegalArgumentException(
                        subresource.key() + " belongs to a resource this registry does not serve");
            }
            if (computed.putIfAbsent(subresource.key(), subresource) != null) {
                throw new IllegalArgumentException(subresource.key() + " is registered twice");
            }
        }
        List<ComputedSubresource> described =
                subresources.stream().map(ServedSubresource::subresource).toList();
        this.createOnlyEndpoints = new CreateOnlyEndpoints(registry.codec(), MAX_BODY_BYTES);
        this.subresourceEndpoints = new SubresourceEndpoints(registry.codec());
        this.discovery = new Discovery(registry.schemas(), described);
        this.openApi = new OpenApiEndpoints(registry.schemas(), described);
        Tables tables = new Tables(registry.codec(), clock);
        this.resources = new ResourceEndpoints(
                registry.codec(), tables, new WatchStreams(registry.codec(), tables), MAX_BODY_BYTES);
    }

    @Override
    public void handle(Call call, RequestContext context) {
        RequestInfo info = context.info();
        if (info.resourceRequest()) {
            resource(call, context, info);
            return;
        }
        String path = info.path();
        switch (path) {
            case "/healthz", "/livez" -> call.respondText(200, "ok");
            case "/readyz" -> {
                if (ready.getAsBoolean()) {
                    call.respondText(200, "ok");
                } else {
                    call.respondText(503, "storage is not available");
                }
            }
            case "/version" -> {
                requireRead(call, info);
                call.respondJson(200, Json.write(version()));
            }
            default -> {
                requireRead(call, info);
                if (path.startsWith("/openapi/")) {
                    openApi.serve(call);
                } else {
                    discovery(call, path);
                }
            }
        }
    }

    /** Version, discovery and OpenAPI are documents to read: any other method is 405, as Kubernetes routes them. */
    private static void requireRead(Call call, RequestInfo info) {
        if (!call.method().equals("GET") && !call.method().equals("HEAD")) {
            throw new ApiException.MethodNotAllowed("the server does not allow this method on the requested resource: "
                    + call.method() + " " + PublicMessages.printable(info.path()));
        }
    }

    private void resource(Call call, RequestContext context, RequestInfo info) {
        String apiVersion = info.group().isEmpty() ? info.version() : info.group() + "/" + info.version();
        Map.Entry<Kind, CreateOnlyResource> review = createOnly.get(apiVersion + "/" + info.resource());
        if (review != null) {
            createOnlyEndpoints.serve(call, context, review.getKey(), review.getValue());
            return;
        }
        ServedSubresource subresource = info.subresource().isEmpty()
                ? null
                : computed.get(ServedSubresource.key(apiVersion, info.resource(), info.subresource()));
        if (subresource != null) {
            subresourceEndpoints.serve(call, context, subresource);
            return;
        }
        ResourceStore store = registry.lookup(apiVersion, info.resource())
                .orElseThrow(() -> new ApiException.NotFound(
                        new ApiException.Subject(info.group(), info.resource(), info.name())));
        resources.serve(call, context, store);
    }

    private void discovery(Call call, String path) {
        String normalized = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        switch (normalized) {
            case "/apis" -> root(call, discovery.named());
            case "/api" -> root(call, discovery.core().orElseThrow(() -> notFound(path)));
            default -> call.respondJson(200, discovery.document(normalized).orElseThrow(() -> notFound(path)));
        }
    }

    private static ApiException notFound(String path) {
        return new ApiException.NotFound(new ApiException.Subject("", "", path));
    }

    /** {@code /api} and {@code /apis}: the aggregated form when the client lists it first (v2 or v2beta1), the legacy one otherwise. */
    private static void root(Call call, Discovery.Root root) {
        for (MediaType type : call.accept()) {
            boolean aggregated = type.essence().equals("application/json")
                    && type.parameter("g").equals("apidiscovery.k8s.io")
                    && type.parameter("as").equals("APIGroupDiscoveryList");
            if (aggregated
                    && (type.parameter("v").equals("v2") || type.parameter("v").equals("v2beta1"))) {
                boolean v2 = type.parameter("v").equals("v2");
                String contentType = "application/json;g=apidiscovery.k8s.io;v=" + (v2 ? "v2" : "v2beta1")
                        + ";as=APIGroupDiscoveryList";
                String etag = root.aggregatedEtag(v2);
                call.setHeader("ETag", etag);
                call.setHeader("Vary", "Accept");
                call.setHeader("Cache-Control", "public");
                if (etag.equals(call.header("If-None-Match"))) {
                    call.respond(304, contentType, new byte[0]);
                    return;
                }
                call.respond(200, contentType, root.aggregated(v2));
                return;
            }
            if (type.isJsonLike() && type.parameter("as").isEmpty()) {
                call.respondJson(200, root.legacy());
                return;
            }
        }
        throw new ApiException.NotAcceptable("only application/json and aggregated discovery are served");
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
}
