package io.dbprovision.apiserver.endpoints;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.request.RequestContext;

/**
 * A kind that is a question answered on create and never stored, as Kubernetes' reviews
 * ({@code SelfSubjectAccessReview}, {@code SelfSubjectRulesReview}): the request's object in, the answered object
 * out (201). Errors are {@link io.dbprovision.apiserver.registry.ApiException}s.
 */
@FunctionalInterface
public interface CreateOnlyResource {
    Message answer(RequestContext context, Message request);
}
