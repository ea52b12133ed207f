package io.dbprovision.apiserver.auth.delegated;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The options of delegated authentication and authorization, named after k8s.io/apiserver's flags (the picocli
 * command maps {@code --flag-name} to the component of the same name) with the same defaults.
 *
 * @param authenticationKubeconfig {@code --authentication-kubeconfig}: how to reach the kube-apiserver for
 *     TokenReview and the ConfigMap; empty means in-cluster
 * @param authenticationTokenWebhookCacheTtl {@code --authentication-token-webhook-cache-ttl} (10s)
 * @param authenticationSkipLookup {@code --authentication-skip-lookup}: never read the
 *     {@code extension-apiserver-authentication} ConfigMap
 * @param authenticationTolerateLookupFailure {@code --authentication-tolerate-lookup-failure}: start even if that
 *     ConfigMap cannot be read at start
 * @param authenticationAudiences the audiences TokenReviews ask for (k8s.io/apiserver's {@code APIAudiences});
 *     empty asks for the kube-apiserver's own
 * @param clientCaFile {@code --client-ca-file}: the client CA, instead of the ConfigMap's {@code client-ca-file}
 * @param requestheaderClientCaFile {@code --requestheader-client-ca-file}: when given, the front proxy is
 *     configured by the {@code --requestheader-*} flags instead of the ConfigMap
 * @param requestheaderAllowedNames {@code --requestheader-allowed-names} (empty: any certificate from the CA)
 * @param requestheaderUsernameHeaders {@code --requestheader-username-headers} ({@code x-remote-user})
 * @param requestheaderUidHeaders {@code --requestheader-uid-headers} (none)
 * @param requestheaderGroupHeaders {@code --requestheader-group-headers} ({@code x-remote-group})
 * @param requestheaderExtraHeadersPrefix {@code --requestheader-extra-headers-prefix} ({@code x-remote-extra-})
 * @param authorizationKubeconfig {@code --authorization-kubeconfig}: for SubjectAccessReview; empty means in-cluster
 * @param authorizationWebhookCacheAuthorizedTtl {@code --authorization-webhook-cache-authorized-ttl} (10s)
 * @param authorizationWebhookCacheUnauthorizedTtl {@code --authorization-webhook-cache-unauthorized-ttl} (10s)
 * @param authorizationAlwaysAllowPaths {@code --authorization-always-allow-paths} ({@code /healthz,/readyz,/livez})
 * @param authorizationAlwaysAllowGroups groups allowed everything without a review ({@code system:masters})
 * @param webhookTimeout how long one TokenReview or SubjectAccessReview may take (k8s.io/apiserver: 10s)
 * @param cacheMaxEntries the bound of each review cache
 * @param inCluster where the in-cluster service account and kube-apiserver address are found
 */
public record DelegatedOptions(
        Optional<Path> authenticationKubeconfig,
        Duration authenticationTokenWebhookCacheTtl,
        boolean authenticationSkipLookup,
        boolean authenticationTolerateLookupFailure,
        List<String> authenticationAudiences,
        Optional<Path> clientCaFile,
        Optional<Path> requestheaderClientCaFile,
        List<String> requestheaderAllowedNames,
        List<String> requestheaderUsernameHeaders,
        List<String> requestheaderUidHeaders,
        List<String> requestheaderGroupHeaders,
        List<String> requestheaderExtraHeadersPrefix,
        Optional<Path> authorizationKubeconfig,
        Duration authorizationWebhookCacheAuthorizedTtl,
        Duration authorizationWebhookCacheUnauthorizedTtl,
        List<String> authorizationAlwaysAllowPaths,
        List<String> authorizationAlwaysAllowGroups,
        Duration webhookTimeout,
        int cacheMaxEntries,
        ClusterConnection.InCluster inCluster) {

    public DelegatedOptions {
        authenticationAudiences = List.copyOf(authenticationAudiences);
        requestheaderAllowedNames = List.copyOf(requestheaderAllowedNames);
        requestheaderUsernameHeaders = List.copyOf(requestheaderUsernameHeaders);
        requestheaderUidHeaders = List.copyOf(requestheaderUidHeaders);
        requestheaderGroupHeaders = List.copyOf(requestheaderGroupHeaders);
        requestheaderExtraHeadersPrefix = List.copyOf(requestheaderExtraHeadersPrefix);
        authorizationAlwaysAllowPaths = List.copyOf(authorizationAlwaysAllowPaths);
        authorizationAlwaysAllowGroups = List.copyOf(authorizationAlwaysAllowGroups);
        for (Duration ttl : List.of(
                authenticationTokenWebhookCacheTtl,
                authorizationWebhookCacheAuthorizedTtl,
                authorizationWebhookCacheUnauthorizedTtl)) {
            if (ttl.isNegative()) {
                throw new IllegalArgumentException("a cache TTL cannot be negative: " + ttl);
            }
        }
        if (webhookTimeout.isNegative() || webhookTimeout.isZero()) {
            throw new IllegalArgumentException("the webhook timeout must be positive: " + webhookTimeout);
        }
        if (cacheMaxEntries < 1) {
            throw new IllegalArgumentException("a review cache holds at least one entry");
        }
    }

    /** k8s.io/apiserver's defaults, in-cluster. */
    public static DelegatedOptions defaults() {
        return builder().build();
    }

    /** A builder starting from k8s.io/apiserver's defaults, in-cluster. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.authenticationKubeconfig = authenticationKubeconfig;
        b.authenticationTokenWebhookCacheTtl = authenticationTokenWebhookCacheTtl;
        b.authenticationSkipLookup = authenticationSkipLookup;
        b.authenticationTolerateLookupFailure = authenticationTolerateLookupFailure;
        b.authenticationAudiences = authenticationAudiences;
        b.clientCaFile = clientCaFile;
        b.requestheaderClientCaFile = requestheaderClientCaFile;
        b.requestheaderAllowedNames = requestheaderAllowedNames;
        b.requestheaderUsernameHeaders = requestheaderUsernameHeaders;
        b.requestheaderUidHeaders = requestheaderUidHeaders;
        b.requestheaderGroupHeaders = requestheaderGroupHeaders;
        b.requestheaderExtraHeadersPrefix = requestheaderExtraHeadersPrefix;
        b.authorizationKubeconfig = authorizationKubeconfig;
        b.authorizationWebhookCacheAuthorizedTtl = authorizationWebhookCacheAuthorizedTtl;
        b.authorizationWebhookCacheUnauthorizedTtl = authorizationWebhookCacheUnauthorizedTtl;
        b.authorizationAlwaysAllowPaths = authorizationAlwaysAllowPaths;
        b.authorizationAlwaysAllowGroups = authorizationAlwaysAllowGroups;
        b.webhookTimeout = webhookTimeout;
        b.cacheMaxEntries = cacheMaxEntries;
        b.inCluster = inCluster;
        return b;
    }

    /** Fluent construction; every setter is named after its component (and so after its flag). */
    public static final class Builder {
        private Optional<Path> authenticationKubeconfig = Optional.empty();
        private Duration authenticationTokenWebhookCacheTtl = Duration.ofSeconds(10);
        private boolean authenticationSkipLookup = false;
        private boolean authenticationTolerateLookupFailure = false;
        private List<String> authenticationAudiences = List.of();
        private Optional<Path> clientCaFile = Optional.empty();
        private Optional<Path> requestheaderClientCaFile = Optional.empty();
        private List<String> requestheaderAllowedNames = List.of();
        private List<String> requestheaderUsernameHeaders = List.of("x-remote-user");
        private List<String> requestheaderUidHeaders = List.of();
        private List<String> requestheaderGroupHeaders = List.of("x-remote-group");
        private List<String> requestheaderExtraHeadersPrefix = List.of("x-remote-extra-");
        private Optional<Path> authorizationKubeconfig = Optional.empty();
        private Duration authorizationWebhookCacheAuthorizedTtl = Duration.ofSeconds(10);
        private Duration authorizationWebhookCacheUnauthorizedTtl = Duration.ofSeconds(10);
        private List<String> authorizationAlwaysAllowPaths = List.of("/healthz", "/readyz", "/livez");
        private List<String> authorizationAlwaysAllowGroups = List.of("system:masters");
        private Duration webhookTimeout = Duration.ofSeconds(10);
        private int cacheMaxEntries = 10_000;
        private ClusterConnection.InCluster inCluster;

        private Builder() {}

        public Builder authenticationKubeconfig(Optional<Path> value) {
            this.authenticationKubeconfig = value;
            return this;
        }

        public Builder authenticationTokenWebhookCacheTtl(Duration value) {
            this.authenticationTokenWebhookCacheTtl = value;
            return this;
        }

        public Builder authenticationSkipLookup(boolean value) {
            this.authenticationSkipLookup = value;
            return this;
        }

        public Builder authenticationTolerateLookupFailure(boolean value) {
            this.authenticationTolerateLookupFailure = value;
            return this;
        }

        public Builder authenticationAudiences(List<String> value) {
            this.authenticationAudiences = value;
            return this;
        }

        public Builder clientCaFile(Optional<Path> value) {
            this.clientCaFile = value;
            return this;
        }

        public Builder requestheaderClientCaFile(Optional<Path> value) {
            this.requestheaderClientCaFile = value;
            return this;
        }

        public Builder requestheaderAllowedNames(List<String> value) {
            this.requestheaderAllowedNames = value;
            return this;
        }

        public Builder requestheaderUsernameHeaders(List<String> value) {
            this.requestheaderUsernameHeaders = value;
            return this;
        }

        public Builder requestheaderUidHeaders(List<String> value) {
            this.requestheaderUidHeaders = value;
            return this;
        }

        public Builder requestheaderGroupHeaders(List<String> value) {
            this.requestheaderGroupHeaders = value;
            return this;
        }

        public Builder requestheaderExtraHeadersPrefix(List<String> value) {
            this.requestheaderExtraHeadersPrefix = value;
            return this;
        }

        public Builder authorizationKubeconfig(Optional<Path> value) {
            this.authorizationKubeconfig = value;
            return this;
        }

        public Builder authorizationWebhookCacheAuthorizedTtl(Duration value) {
            this.authorizationWebhookCacheAuthorizedTtl = value;
            return this;
        }

        public Builder authorizationWebhookCacheUnauthorizedTtl(Duration value) {
            this.authorizationWebhookCacheUnauthorizedTtl = value;
            return this;
        }

        public Builder authorizationAlwaysAllowPaths(List<String> value) {
            this.authorizationAlwaysAllowPaths = value;
            return this;
        }

        public Builder authorizationAlwaysAllowGroups(List<String> value) {
            this.authorizationAlwaysAllowGroups = value;
            return this;
        }

        public Builder webhookTimeout(Duration value) {
            this.webhookTimeout = value;
            return this;
        }

        public Builder cacheMaxEntries(int value) {
            this.cacheMaxEntries = value;
            return this;
        }

        public Builder inCluster(ClusterConnection.InCluster value) {
            this.inCluster = value;
            return this;
        }

        /** Both kubeconfigs set to one file, as simple deployments and tests use. */
        public Builder kubeconfig(Path kubeconfig) {
            this.authenticationKubeconfig = Optional.of(kubeconfig);
            this.authorizationKubeconfig = Optional.of(kubeconfig);
            return this;
        }

        public DelegatedOptions build() {
            return new DelegatedOptions(
                    authenticationKubeconfig,
                    authenticationTokenWebhookCacheTtl,
                    authenticationSkipLookup,
                    authenticationTolerateLookupFailure,
                    authenticationAudiences,
                    clientCaFile,
                    requestheaderClientCaFile,
                    requestheaderAllowedNames,
                    requestheaderUsernameHeaders,
                    requestheaderUidHeaders,
                    requestheaderGroupHeaders,
                    requestheaderExtraHeadersPrefix,
                    authorizationKubeconfig,
                    authorizationWebhookCacheAuthorizedTtl,
                    authorizationWebhookCacheUnauthorizedTtl,
                    authorizationAlwaysAllowPaths,
                    authorizationAlwaysAllowGroups,
                    webhookTimeout,
                    cacheMaxEntries,
                    inCluster != null ? inCluster : ClusterConnection.InCluster.fromEnvironment());
        }
    }
}
