package io.dbprovision.apiserver.request;

/**
 * What the audit record reads from the request itself, beside its {@link RequestContext}: the request URI and the
 * headers a proxy adds ({@code X-Forwarded-For}, {@code X-Real-Ip}). An HTTP call answers from its exchange; a portal
 * gRPC call answers with the URI of the equivalent REST request, so that both write the same line.
 */
public interface AuditedRequest {
    /** The path and, when there is one, {@code ?} and the query, as the client sent it. */
    String requestUri();

    /** The first value of a request header, or the empty string. */
    String header(String name);
}
