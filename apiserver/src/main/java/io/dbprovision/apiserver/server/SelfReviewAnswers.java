package io.dbprovision.apiserver.server;

import com.google.protobuf.Message;
import io.dbprovision.api.field.InvalidObjectException;
import io.dbprovision.apiserver.auth.rbac.SelfReviews;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.proto.k8s.authorization.v1.SelfSubjectAccessReview;
import io.dbprovision.proto.k8s.authorization.v1.SelfSubjectRulesReview;

/** {@code kubectl auth can-i} (and {@code --list}) in standalone mode: the reviews answered for the asking user. */
final class SelfReviewAnswers {
    private SelfReviewAnswers() {}

    static Message access(SelfReviews reviews, RequestContext context, Message review) {
        try {
            return reviews.accessReview(context.user(), (SelfSubjectAccessReview) review);
        } catch (InvalidObjectException e) {
            throw new ApiException.Invalid("authorization.k8s.io", "SelfSubjectAccessReview", "", e.errors());
        }
    }

    static Message rules(SelfReviews reviews, RequestContext context, Message review) {
        try {
            return reviews.rulesReview(context.user(), (SelfSubjectRulesReview) review);
        } catch (SelfReviews.NoNamespaceException e) {
            throw new ApiException.BadRequest(e.getMessage());
        }
    }
}
