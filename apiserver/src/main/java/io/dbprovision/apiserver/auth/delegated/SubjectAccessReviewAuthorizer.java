package io.dbprovision.apiserver.auth.delegated;

import io.dbprovision.apiserver.auth.Authorizer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthorizationV1Api;
import io.kubernetes.client.openapi.models.V1NonResourceAttributes;
import io.kubernetes.client.openapi.models.V1ResourceAttributes;
import io.kubernetes.client.openapi.models.V1SubjectAccessReview;
import io.kubernetes.client.openapi.models.V1SubjectAccessReviewSpec;
import io.kubernetes.client.openapi.models.V1SubjectAccessReviewStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request authorized by the kube-apiserver with an {@code authorization.k8s.io/v1} SubjectAccessReview, as
 * k8s.io/apiserver's webhook authorizer does: resource attributes (verb, group, version, resource, subresource,
 * namespace, name) for resource requests, non-resource attributes (path, verb) for the rest, and the user's name,
 * uid, groups and extra. Allowed and denied answers are cached for their own TTLs
 * ({@code --authorization-webhook-cache-authorized-ttl}, {@code --authorization-webhook-cache-unauthorized-ttl}),
 * keyed by everything the review carries ({@link ReviewKey}), and refreshed ahead of their expiry while in use
 * ({@link ExpiringCache}): a busy user's requests do not all stop for a review once per TTL.
 *
 * <p>A review that neither allows nor denies is no opinion (the chain denies unless another authorizer allows). A
 * failure to reach the kube-apiserver denies, uncached, with a reason that names no internals: an outage of the
 * cluster's authorizer never lets a request through.
 */
public final class SubjectAccessReviewAuthorizer implements Authorizer {
    private static final Logger LOG = LoggerFactory.getLogger(SubjectAccessReviewAuthorizer.class);
    static final String UNAVAILABLE =
            "the cluster's authorizer could not be reached to review this request; try again later";

    private final AuthorizationV1Api api;
    private final ExpiringCache<ReviewKey, Answer> cache;

    /** A decision and whether it came from the cluster (cacheable) or from a failure to ask it (not). */
    private record Answer(Decision decision, boolean failed) {}

    public SubjectAccessReviewAuthorizer(
            ApiClient client, Duration allowedTtl, Duration deniedTtl, int maxCacheEntries) {
        this(
                client,
                allowedTtl,
                deniedTtl,
                maxCacheEntries,
                System::nanoTime,
                RefreshExecutor.bounded("subject-access-review-refresh"));
    }

    /** @param refresher runs the cache's refreshes ahead of expiry; null turns them off */
    SubjectAccessReviewAuthorizer(
            ApiClient client,
            Duration allowedTtl,
            Duration deniedTtl,
            int maxCacheEntries,
            LongSupplier nanoTime,
            Executor refresher) {
        this.api = new AuthorizationV1Api(client);
        this.cache = new ExpiringCache<>(
                maxCacheEntries,
                answer -> answer.failed() ? Duration.ZERO : answer.decision().allowed() ? allowedTtl : deniedTtl,
                nanoTime,
                refresher);
    }

    @Override
    public Decision authorize(Request request) {
        return cache.get(ReviewKey.of(request), this::review).decision();
    }

    private Answer review(ReviewKey request) {
        V1SubjectAccessReview review = new V1SubjectAccessReview()
                .apiVersion("authorization.k8s.io/v1")
                .kind("SubjectAccessReview")
                .spec(spec(request));
        V1SubjectAccessReview answer;
        try {
            answer = KubeApiRetry.call(
                    () -> api.createSubjectAccessReview(review).execute());
        } catch (ApiException e) {
            LOG.warn(
                    "SubjectAccessReview for user {} failed ({}): request denied",
                    request.user(),
                    KubeApiRetry.describe(e));
            return new Answer(Decision.deny(UNAVAILABLE), true);
        } catch (RuntimeException e) {
            LOG.warn(
                    "SubjectAccessReview for user {} failed ({}): request denied",
                    request.user(),
                    e.getClass().getSimpleName());
            return new Answer(Decision.deny(UNAVAILABLE), true);
        }
        V1SubjectAccessReviewStatus status = answer == null ? null : answer.getStatus();
        if (status == null) {
            LOG.warn("SubjectAccessReview for user {} came back without a status: request denied", request.user());
            return new Answer(Decision.deny(UNAVAILABLE), true);
        }
        String reason = status.getReason() == null ? "" : status.getReason();
        if (status.getEvaluationError() != null && !status.getEvaluationError().isBlank()) {
            LOG.debug(
                    "SubjectAccessReview for user {} reported an evaluation error: {}",
                    request.user(),
                    status.getEvaluationError());
        }
        if (Boolean.TRUE.equals(status.getAllowed()) && !Boolean.TRUE.equals(status.getDenied())) {
            return new Answer(Decision.allow(reason), false);
        }
        if (Boolean.TRUE.equals(status.getDenied())) {
            return new Answer(Decision.deny(reason), false);
        }
        return new Answer(Decision.noOpinion(reason), false);
    }

    static V1SubjectAccessReviewSpec spec(ReviewKey request) {
        Map<String, List<String>> extra = new LinkedHashMap<>(request.extra());
        V1SubjectAccessReviewSpec spec =
                new V1SubjectAccessReviewSpec().user(request.user()).groups(request.groups());
        if (!request.uid().isEmpty()) {
            spec.uid(request.uid());
        }
        if (!extra.isEmpty()) {
            spec.extra(extra);
        }
        if (request.resourceRequest()) {
            spec.resourceAttributes(new V1ResourceAttributes()
                    .verb(request.verb())
                    .group(request.group())
                    .version(request.version())
                    .resource(request.resource())
                    .subresource(request.subresource())
                    .namespace(request.namespace())
                    .name(request.objectName()));
        } else {
            spec.nonResourceAttributes(
                    new V1NonResourceAttributes().path(request.path()).verb(request.verb()));
        }
        return spec;
    }
}
