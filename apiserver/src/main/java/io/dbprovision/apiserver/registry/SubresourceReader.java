package io.dbprovision.apiserver.registry;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.request.RequestContext;

/**
 * A read-only subresource computed at request time rather than stored, such as {@code databaseusers/{name}/credentials}
 * or {@code databases/{name}/drift}: what a CRD cannot have. The REST layer authorizes the request as that
 * subresource before calling it; the reader throws {@link ApiException}s (NotFound, Unavailable, ...) for
 * failures and returns the response object (apiVersion and kind set).
 */
@FunctionalInterface
public interface SubresourceReader {
    Message read(RequestContext context, String namespace, String name);
}
