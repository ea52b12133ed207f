package io.dbprovision.apiserver.auth.delegated;

import io.dbprovision.apiserver.auth.AlwaysAllowGroupsAuthorizer;
import io.dbprovision.apiserver.auth.AlwaysAllowPathsAuthorizer;
import io.dbprovision.apiserver.auth.Authenticator;
import io.dbprovision.apiserver.auth.AuthenticatorChain;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.AuthorizerChain;
import io.dbprovision.apiserver.auth.CaBundle;
import io.dbprovision.apiserver.auth.ClientCertificateAuthenticator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authentication and authorization delegated to the cluster, assembled from {@link DelegatedOptions} as
 * k8s.io/apiserver's {@code DelegatingAuthenticationOptions} and {@code DelegatingAuthorizationOptions} do:
 *
 * <ul>
 *   <li>authenticators, in order: the front proxy's request headers, client certificates of the cluster's client CA,
 *       bearer tokens through TokenReview. The CAs and the front proxy's configuration come from the flags when given,
 *       else from the {@code kube-system/extension-apiserver-authentication} ConfigMap, followed as it changes;
 *   <li>authorizers, in order: always-allowed groups ({@code system:masters}), always-allowed paths (health), then a
 *       SubjectAccessReview for everything else.
 * </ul>
 *
 * <p>Close it to stop following the ConfigMap.
 */
public final class DelegatedAuth implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DelegatedAuth.class);
    /** How long one watch of the ConfigMap runs before it is re-opened (k8s.io/apiserver: 5 to 10 minutes). */
    private static final Duration CONFIG_MAP_WATCH = Duration.ofMinutes(5);
    /** How often a CA file given by a flag is checked for a change. */
    private static final Duration CA_FILE_CHECK = Duration.ofSeconds(10);

    private final List<Authenticator> authenticators;
    private final Authorizer authorizer;
    private final Supplier<CaBundle> clientCa;
    private final Supplier<Optional<RequestHeaderConfig>> requestHeader;
    private final Optional<ClusterAuthenticationWatcher> watcher;
    private final AtomicReference<KnownHeaderNames> headerNames =
            new AtomicReference<>(new KnownHeaderNames(null, List.of()));

    private DelegatedAuth(
            List<Authenticator> authenticators,
            Authorizer authorizer,
            Supplier<CaBundle> clientCa,
            Supplier<Optional<RequestHeaderConfig>> requestHeader,
            Optional<ClusterAuthenticationWatcher> watcher) {
        this.authenticators = List.copyOf(authenticators);
        this.authorizer = authorizer;
        this.clientCa = clientCa;
        this.requestHeader = requestHeader;
        this.watcher = watcher;
    }

    /**
     * Connects to the kube-apiserver and reads what it publishes. Fails with a clear message when the cluster cannot
     * be reached at all (no kubeconfig and not in a cluster), a CA file cannot be read, or the ConfigMap cannot be
     * read and {@code --authentication-tolerate-lookup-failure} is off.
     */
    public static DelegatedAuth start(DelegatedOptions options) {
        ClusterConnection authentication = ClusterConnection.resolve(
                options.authenticationKubeconfig(), options.inCluster(), options.webhookTimeout());
        ClusterConnection authorization = ClusterConnection.resolve(
                options.authorizationKubeconfig(), options.inCluster(), options.webhookTimeout());

        boolean needsConfigMap = !options.authenticationSkipLookup()
                && (options.clientCaFile().isEmpty()
                        || options.requestheaderClientCaFile().isEmpty());
        Optional<ClusterAuthenticationWatcher> watcher = needsConfigMap
                ? Optional.of(ClusterAuthenticationWatcher.start(
                        authentication, CONFIG_MAP_WATCH, options.authenticationTolerateLookupFailure()))
                : Optional.empty();
        try {
            Supplier<CaBundle> clientCa = clientCa(options, watcher);
            Supplier<Optional<RequestHeaderConfig>> requestHeader = requestHeader(options, watcher);

            List<Authenticator> authenticators = List.of(
                    new RequestHeaderAuthenticator(requestHeader),
                    new ClientCertificateAuthenticator(clientCa),
                    new TokenReviewAuthenticator(
                            authentication.client(),
                            options.authenticationAudiences(),
                            options.authenticationTokenWebhookCacheTtl(),
                            options.cacheMaxEntries()));

            List<Authorizer> authorizers = new ArrayList<>();
            if (!options.authorizationAlwaysAllowGroups().isEmpty()) {
                authorizers.add(new AlwaysAllowGroupsAuthorizer(options.authorizationAlwaysAllowGroups()));
            }
            if (!options.authorizationAlwaysAllowPaths().isEmpty()) {
                authorizers.add(new AlwaysAllowPathsAuthorizer(options.authorizationAlwaysAllowPaths()));
            }
            authorizers.add(new SubjectAccessReviewAuthorizer(
                    authorization.client(),
                    options.authorizationWebhookCacheAuthorizedTtl(),
                    options.authorizationWebhookCacheUnauthorizedTtl(),
                    options.cacheMaxEntries()));
            LOG.info("authentication delegated to the {}, authorization to the {}", authentication, authorization);
            return new DelegatedAuth(
                    authenticators, new AuthorizerChain(authorizers), clientCa, requestHeader, watcher);
        } catch (RuntimeException e) {
            watcher.ifPresent(ClusterAuthenticationWatcher::close);
            throw e;
        }
    }

    /** Request header, client certificate, TokenReview; adds {@code system:authenticated} to whoever it finds. */
    public Authenticator authenticator() {
        return new AuthenticatorChain(authenticators);
    }

    /** The same authenticators, in order, for a pipeline that adds its own (anonymous) after them. */
    public List<Authenticator> authenticators() {
        return authenticators;
    }

    /** Always-allowed groups, always-allowed paths, SubjectAccessReview. */
    public Authorizer authorizer() {
        return authorizer;
    }

    /**
     * The CAs whose client certificates this server accepts now (the client CA and the request-header CA), for the
     * TLS layer to advertise as acceptable issuers: a Go client (the aggregator, kubectl) sends its certificate only
     * when its issuer is advertised. Ask it per handshake, it changes with the ConfigMap.
     */
    public List<X509Certificate> acceptedClientIssuers() {
        Set<X509Certificate> issuers = new LinkedHashSet<>(clientCa.get().certificates());
        requestHeader.get().ifPresent(config -> issuers.addAll(config.ca().certificates()));
        return List.copyOf(issuers);
    }

    /**
     * The headers (names and prefixes, lower-case) the front proxy's identity arrives in. The pipeline removes them
     * from the request after authentication, as k8s.io/apiserver does, so that nothing downstream reads them.
     */
    public List<String> requestHeaderNamesAndPrefixes() {
        // asked on every request: the list is made again only when the configuration is a new one
        RequestHeaderConfig config = requestHeader.get().orElse(null);
        KnownHeaderNames known = headerNames.get();
        if (known.config() != config) {
            known = new KnownHeaderNames(config, config == null ? List.of() : config.headerNamesAndPrefixes());
            headerNames.set(known);
        }
        return known.names();
    }

    /** The header names of one request-header configuration (null: none). */
    private record KnownHeaderNames(RequestHeaderConfig config, List<String> names) {}

    @Override
    public void close() {
        watcher.ifPresent(ClusterAuthenticationWatcher::close);
    }

    private static Supplier<CaBundle> clientCa(
            DelegatedOptions options, Optional<ClusterAuthenticationWatcher> watcher) {
        if (options.clientCaFile().isPresent()) {
            return new ReloadingCaFile(options.clientCaFile().get(), CA_FILE_CHECK, System::nanoTime);
        }
        if (watcher.isPresent()) {
            ClusterAuthenticationWatcher w = watcher.get();
            return () -> w.current().clientCa().orElse(CaBundle.empty());
        }
        LOG.warn(
                "no --client-ca-file and the cluster's ConfigMap is not read: client certificates authenticate nobody");
        return CaBundle::empty;
    }

    private static Supplier<Optional<RequestHeaderConfig>> requestHeader(
            DelegatedOptions options, Optional<ClusterAuthenticationWatcher> watcher) {
        if (options.requestheaderClientCaFile().isPresent()) {
            ReloadingCaFile ca =
                    new ReloadingCaFile(options.requestheaderClientCaFile().get(), CA_FILE_CHECK, System::nanoTime);
            RequestHeaderConfig first = fromFlags(options, ca.get());
            AtomicReference<RequestHeaderConfig> latest = new AtomicReference<>(first);
            // a new snapshot only when the file's CAs changed, not one per request
            return () -> {
                CaBundle bundle = ca.get();
                RequestHeaderConfig known = latest.get();
                if (known.ca() != bundle) {
                    known = fromFlags(options, bundle);
                    latest.set(known);
                }
                return Optional.of(known);
            };
        }
        if (watcher.isPresent()) {
            ClusterAuthenticationWatcher w = watcher.get();
            return () -> w.current().requestHeader();
        }
        LOG.warn("no --requestheader-client-ca-file and the cluster's ConfigMap is not read: front-proxy headers are"
                + " ignored");
        return Optional::empty;
    }

    private static RequestHeaderConfig fromFlags(DelegatedOptions options, CaBundle ca) {
        return new RequestHeaderConfig(
                ca,
                options.requestheaderAllowedNames(),
                options.requestheaderUsernameHeaders(),
                options.requestheaderUidHeaders(),
                options.requestheaderGroupHeaders(),
                options.requestheaderExtraHeadersPrefix());
    }
}
