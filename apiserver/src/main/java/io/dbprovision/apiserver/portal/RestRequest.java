package io.dbprovision.apiserver.portal;

import io.dbprovision.api.schema.Kind;
import io.dbprovision.apiserver.request.AuditedRequest;
import io.dbprovision.apiserver.request.RequestInfo;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Kubernetes request a registry operation of a gRPC call stands for: its method, path and query, parsed by the
 * same {@link RequestInfo#parse} the REST pipeline uses, so that the operation is authorized on the same attributes
 * (verb, group, resource, namespace, name) and audited with the same request URI as that request would be.
 */
public record RestRequest(RequestInfo info, String requestUri) implements AuditedRequest {

    /**
     * @param method GET, POST, PUT or DELETE
     * @param namespace empty for a cluster-scoped kind, or for every namespace
     * @param name empty for the collection
     * @param subresource empty, or a subresource such as {@code credentials}
     * @param query parameters of the equivalent request (a list's limit and selectors, {@code watch=true})
     */
    public static RestRequest of(
            String method, Kind kind, String namespace, String name, String subresource, Map<String, String> query) {
        StringBuilder path = new StringBuilder(kind.group().isEmpty() ? "/api/" : "/apis/" + kind.group() + "/")
                .append(kind.version());
        if (!namespace.isEmpty()) {
            path.append("/namespaces/").append(namespace);
        }
        path.append('/').append(kind.plural());
        if (!name.isEmpty()) {
            path.append('/').append(name);
        }
        if (!subresource.isEmpty()) {
            path.append('/').append(subresource);
        }
        boolean watch = "true".equals(query.get("watch"));
        RequestInfo info = RequestInfo.parse(method, path.toString(), watch);
        StringBuilder uri = new StringBuilder(path);
        char separator = '?';
        for (Map.Entry<String, String> parameter : query.entrySet()) {
            if (parameter.getValue().isEmpty()) {
                continue;
            }
            uri.append(separator)
                    .append(parameter.getKey())
                    .append('=')
                    .append(URLEncoder.encode(parameter.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        return new RestRequest(info, uri.toString());
    }

    public static RestRequest of(String method, Kind kind, String namespace, String name) {
        return of(method, kind, namespace, name, "", Map.of());
    }

    /** Query parameters in the order given. */
    public static Map<String, String> query(String... keysAndValues) {
        Map<String, String> query = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            query.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return query;
    }

    /** A gRPC call has no proxy headers of its own to report: the source address is the peer's. */
    @Override
    public String header(String name) {
        return "";
    }
}
