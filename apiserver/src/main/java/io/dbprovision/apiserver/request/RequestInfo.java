package io.dbprovision.apiserver.request;

import java.util.ArrayList;
import java.util.List;

/**
 * What a request path names, parsed as Kubernetes' {@code RequestInfoFactory} does:
 * {@code /apis/{group}/{version}[/namespaces/{namespace}]/{resource}[/{name}[/{subresource}]]}. Paths that are not
 * resource paths (discovery, OpenAPI, health) have {@code resourceRequest == false}.
 */
public record RequestInfo(
        boolean resourceRequest,
        String path,
        String verb,
        String group,
        String version,
        String namespace,
        String resource,
        String name,
        String subresource) {

    /** What follows a namespace's name when the path names the namespace itself, as Kubernetes' RequestInfoFactory. */
    private static final java.util.Set<String> NAMESPACE_SUBRESOURCES = java.util.Set.of("status", "finalize");

    public static RequestInfo parse(String method, String path, boolean watch) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        String httpVerb = method.toLowerCase(java.util.Locale.ROOT);
        boolean core = !parts.isEmpty() && parts.get(0).equals("api");
        boolean named = !parts.isEmpty() && parts.get(0).equals("apis");
        if (core && parts.size() < 3 || named && parts.size() < 4 || !core && !named) {
            return nonResource(path, httpVerb);
        }
        String group = core ? "" : parts.get(1);
        String version = core ? parts.get(1) : parts.get(2);
        List<String> rest = parts.subList(core ? 2 : 3, parts.size());
        if (rest.isEmpty()) {
            return nonResource(path, httpVerb);
        }
        String namespace = "";
        if (rest.get(0).equals("namespaces") && rest.size() == 3 && NAMESPACE_SUBRESOURCES.contains(rest.get(2))) {
            // /api/v1/namespaces/{name}/status and /finalize: subresources of the namespace, not a resource in it
            String name = rest.get(1);
            return new RequestInfo(
                    true, path, verb(method, name, watch), group, version, "", "namespaces", name, rest.get(2));
        }
        if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
            namespace = rest.get(1);
            rest = rest.subList(2, rest.size());
        } else if (rest.get(0).equals("namespaces") && rest.size() <= 2) {
            // /api/v1/namespaces and /api/v1/namespaces/{name}: the namespace resource itself
            String name = rest.size() == 2 ? rest.get(1) : "";
            return new RequestInfo(true, path, verb(method, name, watch), group, version, "", "namespaces", name, "");
        }
        String resource = rest.get(0);
        String name = rest.size() > 1 ? rest.get(1) : "";
        String subresource = rest.size() > 2 ? rest.get(2) : "";
        if (rest.size() > 3) {
            return nonResource(path, httpVerb);
        }
        return new RequestInfo(
                true, path, verb(method, name, watch), group, version, namespace, resource, name, subresource);
    }

    /** A request for a path that names no resource (discovery, OpenAPI, health, version). */
    public static RequestInfo nonResource(String path, String httpVerb) {
        return new RequestInfo(false, path, httpVerb, "", "", "", "", "", "");
    }

    /** The Kubernetes verb of a resource request, which authorization checks. */
    private static String verb(String method, String name, boolean watch) {
        return switch (method) {
            case "POST" -> "create";
            case "GET", "HEAD" -> name.isEmpty() ? (watch ? "watch" : "list") : (watch ? "watch" : "get");
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name.isEmpty() ? "deletecollection" : "delete";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    }
}
