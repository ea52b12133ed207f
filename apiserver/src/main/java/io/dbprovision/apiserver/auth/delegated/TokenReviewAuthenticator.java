package io.dbprovision.apiserver.auth.delegated;

import io.dbprovision.apiserver.auth.Authenticator;
import io.dbprovision.apiserver.auth.Credentials;
import io.dbprovision.apiserver.auth.UserInfo;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthenticationV1Api;
import io.kubernetes.client.openapi.models.V1TokenReview;
import io.kubernetes.client.openapi.models.V1TokenReviewSpec;
import io.kubernetes.client.openapi.models.V1TokenReviewStatus;
import io.kubernetes.client.openapi.models.V1UserInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer tokens checked by the kube-apiserver with an {@code authentication.k8s.io/v1} TokenReview, as
 * k8s.io/apiserver's delegating authenticator does. Answers, accepted or rejected, are cached for the TTL of
 * {@code --authentication-token-webhook-cache-ttl}; a failure to reach the kube-apiserver is not cached and
 * authenticates nobody (the request gets 401), so an outage never lets anyone in.
 *
 * <p>The cache is keyed by an HMAC of the token under a key made at start and never stored: the token itself is
 * held only while the review is sent (or waits to be sent again, when a busy token's answer is refreshed ahead of
 * its expiry: {@link ExpiringCache}), and neither the key of the cache nor any log line can give it back.
 */
public final class TokenReviewAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(TokenReviewAuthenticator.class);
    /** Tokens are short; anything longer than this is not a token the kube-apiserver issued. */
    static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private final AuthenticationV1Api api;
    private final List<String> audiences;
    private final Duration cacheTtl;
    private final ExpiringCache<TokenKey, Review> cache;
    /**
     * Keyed once with a random key of this process; each look-up works on a clone (a Mac is not thread-safe, and
     * cloning an initialised one is far cheaper than the provider look-up and key set-up of {@code getInstance}).
     */
    private final Mac keyedMac;

    /** A cache key: HMAC-SHA256 of the token, compared by value. */
    private record TokenKey(ByteBuffer digest) {}

    /** The answer of one review: a user, or none (rejected, or the kube-apiserver could not be asked). */
    private record Review(Optional<UserInfo> user, boolean failed) {}

    public TokenReviewAuthenticator(ApiClient client, List<String> audiences, Duration cacheTtl, int maxCacheEntries) {
        this(
                client,
                audiences,
                cacheTtl,
                maxCacheEntries,
                System::nanoTime,
                RefreshExecutor.bounded("token-review-refresh"));
    }

    /** @param refresher runs the cache's refreshes ahead of expiry; null turns them off */
    TokenReviewAuthenticator(
            ApiClient client,
            List<String> audiences,
            Duration cacheTtl,
            int maxCacheEntries,
            LongSupplier nanoTime,
            Executor refresher) {
        this.api = new AuthenticationV1Api(client);
        this.audiences = List.copyOf(audiences);
        this.cacheTtl = cacheTtl;
        this.cache = new ExpiringCache<>(
                maxCacheEntries, review -> review.failed() ? Duration.ZERO : this.cacheTtl, nanoTime, refresher);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try {
            this.keyedMac = Mac.getInstance("HmacSHA256");
            keyedMac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        Optional<String> bearer = credentials.bearerToken();
        if (bearer.isEmpty() || bearer.get().isEmpty() || bearer.get().length() > MAX_TOKEN_LENGTH) {
            return Optional.empty();
        }
        String token = bearer.get();
        return cache.get(key(token), ignored -> review(token)).user();
    }

    private Review review(String token) {
        V1TokenReviewSpec spec = new V1TokenReviewSpec().token(token);
        if (!audiences.isEmpty()) {
            spec.audiences(audiences);
        }
        V1TokenReview request = new V1TokenReview()
                .apiVersion("authentication.k8s.io/v1")
                .kind("TokenReview")
                .spec(spec);
        V1TokenReview answer;
        try {
            answer = KubeApiRetry.call(() -> api.createTokenReview(request).execute());
        } catch (ApiException e) {
            LOG.warn("TokenReview failed ({}): the request is not authenticated", KubeApiRetry.describe(e));
            return new Review(Optional.empty(), true);
        } catch (RuntimeException e) {
            // an answer client-java cannot parse: treat as a failure, never as a user
            LOG.warn(
                    "TokenReview failed ({}): the request is not authenticated",
                    e.getClass().getSimpleName());
            return new Review(Optional.empty(), true);
        }
        V1TokenReviewStatus status = answer == null ? null : answer.getStatus();
        if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
            if (status != null
                    && status.getError() != null
                    && !status.getError().isBlank()) {
                LOG.debug("TokenReview rejected a token: {}", status.getError());
            }
            return new Review(Optional.empty(), false);
        }
        if (!audiences.isEmpty()
                && (status.getAudiences() == null
                        || status.getAudiences().stream().noneMatch(audiences::contains))) {
            // as k8s.io/apiserver: a token reviewed for other audiences than ours is not for us
            LOG.debug(
                    "TokenReview accepted a token for audiences {}, none of ours {}", status.getAudiences(), audiences);
            return new Review(Optional.empty(), false);
        }
        V1UserInfo user = status.getUser();
        if (user == null || user.getUsername() == null || user.getUsername().isEmpty()) {
            LOG.warn("TokenReview accepted a token but named no user: the request is not authenticated");
            return new Review(Optional.empty(), false);
        }
        Map<String, List<String>> extra = new LinkedHashMap<>();
        if (user.getExtra() != null) {
            user.getExtra().forEach((k, v) -> {
                if (k != null) {
                    extra.put(
                            k,
                            v == null
                                    ? List.of()
                                    : v.stream().filter(Objects::nonNull).toList());
                }
            });
        }
        List<String> groups = user.getGroups() == null
                ? List.of()
                : user.getGroups().stream().filter(Objects::nonNull).toList();
        return new Review(
                Optional.of(
                        new UserInfo(user.getUsername(), user.getUid() == null ? "" : user.getUid(), groups, extra)),
                false);
    }

    private TokenKey key(String token) {
        try {
            Mac mac = (Mac) keyedMac.clone();
            return new TokenKey(ByteBuffer.wrap(mac.doFinal(token.getBytes(StandardCharsets.UTF_8))));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's HmacSHA256 can be cloned", e);
        }
    }
}
