package io.dbprovision.api.openapi;

import io.dbprovision.api.schema.Kind;
import java.util.List;
import java.util.Optional;

/**
 * One HTTP operation on one path.
 *
 * @param method lower-case HTTP method, as OpenAPI keys operations
 * @param action the {@code x-kubernetes-action}: get, list, post, put, patch, delete or deletecollection
 * @param kind the kind the operation serves
 * @param gvkKind the kind of its GVK tag: the kind's own, or the response kind of a computed subresource
 */
record Operation(
        String method,
        String action,
        String operationId,
        String description,
        Kind kind,
        String gvkKind,
        List<Parameter> parameters,
        Optional<Body> body,
        List<Response> responses) {}
