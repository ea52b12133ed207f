package io.dbprovision.apiserver.auth.rbac;

import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.api.field.InvalidObjectException;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.proto.k8s.authorization.v1.NonResourceAttributes;
import io.dbprovision.proto.k8s.authorization.v1.NonResourceRule;
import io.dbprovision.proto.k8s.authorization.v1.ResourceAttributes;
import io.dbprovision.proto.k8s.authorization.v1.ResourceRule;
import io.dbprovision.proto.k8s.authorization.v1.SelfSubjectAccessReview;
import io.dbprovision.proto.k8s.authorization.v1.SelfSubjectAccessReviewSpec;
import io.dbprovision.proto.k8s.authorization.v1.SelfSubjectRulesReview;
import io.dbprovision.proto.k8s.authorization.v1.SubjectAccessReviewStatus;
import io.dbprovision.proto.k8s.authorization.v1.SubjectRulesReviewStatus;
import io.dbprovision.proto.k8s.rbac.v1.PolicyRule;
import java.util.List;

/**
 * The answers to {@code kubectl auth can-i}: a SelfSubjectAccessReview is evaluated by the server's whole authorizer
 * (the same chain every request goes through), a SelfSubjectRulesReview lists the user's RBAC rules in a namespace.
 * Each returns the review it was given with its status filled in; nothing is stored. The caller decodes the body
 * (the kinds are in {@code Schema.authorization()}), passes the authenticated user, and encodes the result with 201.
 */
public final class SelfReviews {
    private final Authorizer authorizer;
    private final RbacAuthorizer rbac;

    /**
     * @param authorizer the server's authorizer, which answers access reviews
     * @param rbac the RBAC authorizer, which lists rules
     */
    public SelfReviews(Authorizer authorizer, RbacAuthorizer rbac) {
        this.authorizer = authorizer;
        this.rbac = rbac;
    }

    /** A SelfSubjectRulesReview without a namespace, refused with 400 as Kubernetes refuses it. */
    public static final class NoNamespaceException extends RuntimeException {
        NoNamespaceException() {
            super("no namespace on request");
        }
    }

    /**
     * Whether {@code user} may do what the review's spec describes.
     *
     * @throws InvalidObjectException (422) unless exactly one of resourceAttributes and nonResourceAttributes is set
     */
    public SelfSubjectAccessReview accessReview(UserInfo user, SelfSubjectAccessReview review) {
        SelfSubjectAccessReviewSpec spec = review.getSpec();
        validate(spec);
        Authorizer.Decision decision = authorizer.authorize(requestOf(user, spec));
        SubjectAccessReviewStatus.Builder status = SubjectAccessReviewStatus.newBuilder()
                .setAllowed(decision.verdict() == Authorizer.Verdict.ALLOW)
                .setDenied(decision.verdict() == Authorizer.Verdict.DENY)
                .setReason(decision.reason());
        return review.toBuilder().setStatus(status).build();
    }

    /**
     * The rules {@code user} has in the review's namespace (cluster-wide ones included), as Kubernetes lists RBAC's:
     * resource rules and non-resource rules apart, never incomplete, unresolvable bindings in evaluationError.
     *
     * @throws NoNamespaceException (400) when the spec names no namespace
     */
    public SelfSubjectRulesReview rulesReview(UserInfo user, SelfSubjectRulesReview review) {
        String namespace = review.getSpec().getNamespace();
        if (namespace.isEmpty()) {
            throw new NoNamespaceException();
        }
        RbacAuthorizer.Rules rules = rbac.rulesFor(user, namespace);
        SubjectRulesReviewStatus.Builder status =
                SubjectRulesReviewStatus.newBuilder().setIncomplete(false);
        for (PolicyRule rule : rules.rules()) {
            if (rule.getResourcesCount() > 0) {
                status.addResourceRules(ResourceRule.newBuilder()
                        .addAllVerbs(rule.getVerbsList())
                        .addAllApiGroups(rule.getApiGroupsList())
                        .addAllResources(rule.getResourcesList())
                        .addAllResourceNames(rule.getResourceNamesList()));
            }
            if (rule.getNonResourceUrlsCount() > 0) {
                status.addNonResourceRules(NonResourceRule.newBuilder()
                        .addAllVerbs(rule.getVerbsList())
                        .addAllNonResourceUrls(rule.getNonResourceUrlsList()));
            }
        }
        if (!rules.errors().isEmpty()) {
            status.setEvaluationError(String.join(", ", rules.errors()));
        }
        return review.toBuilder().setStatus(status).build();
    }

    /** The request an access review's spec describes, as the authorizer sees a real one. */
    static Authorizer.Request requestOf(UserInfo user, SelfSubjectAccessReviewSpec spec) {
        if (spec.hasResourceAttributes()) {
            ResourceAttributes attributes = spec.getResourceAttributes();
            return new Authorizer.Request(
                    user,
                    true,
                    attributes.getVerb(),
                    attributes.getGroup(),
                    attributes.getVersion(),
                    attributes.getResource(),
                    attributes.getSubresource(),
                    attributes.getNamespace(),
                    attributes.getName(),
                    "");
        }
        NonResourceAttributes attributes = spec.getNonResourceAttributes();
        return Authorizer.Request.nonResource(user, attributes.getVerb(), attributes.getPath());
    }

    private static void validate(SelfSubjectAccessReviewSpec spec) {
        if (spec.hasResourceAttributes() && spec.hasNonResourceAttributes()) {
            throw invalid(FieldError.invalid(
                    FieldPath.of("spec.nonResourceAttributes"),
                    new Printed("&authorization.NonResourceAttributes{Path:\""
                            + spec.getNonResourceAttributes().getPath() + "\", Verb:\""
                            + spec.getNonResourceAttributes().getVerb() + "\"}"),
                    "cannot be specified in combination with resourceAttributes"));
        }
        if (!spec.hasResourceAttributes() && !spec.hasNonResourceAttributes()) {
            throw invalid(FieldError.required(
                    FieldPath.of("spec.resourceAttributes"),
                    "exactly one of nonResourceAttributes or resourceAttributes must be specified"));
        }
    }

    private static InvalidObjectException invalid(FieldError error) {
        return new InvalidObjectException("SelfSubjectAccessReview", "", List.of(error));
    }

    /** A value already printed as Go prints it in field errors. */
    private record Printed(String text) {
        @Override
        public String toString() {
            return text;
        }
    }
}
