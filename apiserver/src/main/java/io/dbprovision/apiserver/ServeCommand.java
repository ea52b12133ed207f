package io.dbprovision.apiserver;

import io.dbprovision.apiserver.audit.AuditFlags;
import io.dbprovision.apiserver.auth.delegated.DelegatedOptions;
import io.dbprovision.apiserver.provisioning.ProvisionerFlags;
import io.dbprovision.apiserver.server.DelegatedServer;
import io.dbprovision.apiserver.server.StorageChoice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code dbprovision serve}: the aggregated API server in a cluster, behind an APIService. Flags carry
 * k8s.io/apiserver's names, defaults and meanings wherever they mean the same, so a Deployment's arguments read as
 * those of any other aggregated server; list flags take comma-separated values and may be repeated, durations are
 * written as Go writes them ({@code 10s}, {@code 1m30s}), boolean flags also take {@code =true}/{@code =false}.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        customSynopsis = "dbprovision serve [OPTIONS]",
        description = {
            "Serve dbops.dbprovision.io in a Kubernetes cluster as an aggregated API server: requests arrive through the"
                    + " kube-apiserver (APIService), authentication and authorization are delegated to it"
                    + " (front proxy, client certificates, TokenReview, SubjectAccessReview), objects are kept in"
                    + " PostgreSQL (several replicas) or the embedded store (one replica).",
            "Without --authentication-kubeconfig / --authorization-kubeconfig the pod's service account is used.",
            "The reconcilers call the provisioner at --provisioner-address over mutual TLS (its own Deployment);"
                    + " without it, a provisioner runs inside this server on 127.0.0.1 with a CA made in memory.",
            ""
        })
final class ServeCommand implements Callable<Integer> {
    // --- secure serving ---------------------------------------------------------------------------------------

    @Option(
            names = "--secure-port",
            defaultValue = "8443",
            paramLabel = "PORT",
            description = "The port on which to serve HTTPS (default: ${DEFAULT-VALUE}; k8s.io/apiserver says 443, but"
                    + " a pod running as non-root cannot bind it: let the Service map 443 to this port).")
    int securePort;

    @Option(
            names = "--bind-address",
            defaultValue = "0.0.0.0",
            paramLabel = "IP",
            description = "The IP address on which to listen for the --secure-port port (default: ${DEFAULT-VALUE}).")
    String bindAddress;

    @Option(
            names = "--portal-port",
            paramLabel = "PORT",
            description = "Also serve the portal gRPC API on this port (TLS with the serving certificate, the same"
                    + " delegated authentication, authorization and audit as HTTPS); off unless given.")
    Integer portalPort;

    @Option(
            names = "--portal-bind-address",
            paramLabel = "IP",
            description = "The IP address on which to listen for the --portal-port port (default: the --bind-address).")
    String portalBindAddress;

    @Option(
            names = "--tls-cert-file",
            paramLabel = "FILE",
            description = "File containing the default x509 certificate for HTTPS, followed by any intermediate"
                    + " certificates. Read again when it changes. Without it, a self-signed certificate is"
                    + " generated in --cert-dir.")
    Path tlsCertFile;

    @Option(
            names = "--tls-private-key-file",
            paramLabel = "FILE",
            description = "File containing the default x509 private key matching --tls-cert-file (PEM: PKCS#8, PKCS#1"
                    + " or SEC 1). Read again when it changes.")
    Path tlsPrivateKeyFile;

    @Option(
            names = "--cert-dir",
            defaultValue = "apiserver.local.config/certificates",
            paramLabel = "DIR",
            description = "The directory where the self-signed certificate is kept when --tls-cert-file and"
                    + " --tls-private-key-file are not given (default: ${DEFAULT-VALUE}).")
    Path certDir;

    // --- authentication ---------------------------------------------------------------------------------------

    @Option(
            names = "--authentication-kubeconfig",
            paramLabel = "FILE",
            description = "kubeconfig file pointing at the 'core' kubernetes server with enough rights to create"
                    + " tokenreviews.authentication.k8s.io and read the kube-system/extension-apiserver-authentication"
                    + " ConfigMap. Without it, the in-cluster service account is used.")
    Path authenticationKubeconfig;

    @Option(
            names = "--authentication-token-webhook-cache-ttl",
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = GoDurationConverter.class,
            description = "The duration to cache responses from the webhook token authenticator (default: 10s).")
    Duration authenticationTokenWebhookCacheTtl;

    @Option(
            names = "--authentication-skip-lookup",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "false",
            paramLabel = "true|false",
            description = "If false, the client CA and the request-header settings missing from the flags are looked"
                    + " up in the kube-system/extension-apiserver-authentication ConfigMap (default: false).")
    boolean authenticationSkipLookup;

    @Option(
            names = "--authentication-tolerate-lookup-failure",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "false",
            paramLabel = "true|false",
            description = "If true, failures to look up missing authentication configuration from the cluster are"
                    + " not fatal; requests that need it are not authenticated (default: false).")
    boolean authenticationTolerateLookupFailure;

    @Option(
            names = "--api-audiences",
            split = ",",
            paramLabel = "AUDIENCE",
            description = "The audiences bearer tokens are reviewed for (TokenReview spec.audiences); none means the"
                    + " kube-apiserver's own.")
    List<String> apiAudiences = new ArrayList<>();

    @Option(
            names = "--client-ca-file",
            paramLabel = "FILE",
            description = "If set, any request presenting a client certificate signed by one of the authorities in"
                    + " this file is authenticated with an identity corresponding to the CommonName of the client"
                    + " certificate (groups: its Organizations). Read again when it changes. Without it, the"
                    + " ConfigMap's client-ca-file is used.")
    Path clientCaFile;

    @Option(
            names = "--requestheader-client-ca-file",
            paramLabel = "FILE",
            description = "Root certificate bundle to use to verify client certificates on incoming requests before"
                    + " trusting usernames in headers specified by --requestheader-username-headers. Read again when it"
                    + " changes. When given, the --requestheader-* flags configure the front proxy instead of the"
                    + " ConfigMap.")
    Path requestheaderClientCaFile;

    @Option(
            names = "--requestheader-allowed-names",
            split = ",",
            paramLabel = "NAME",
            description = "List of client certificate common names to allow to provide usernames in headers specified"
                    + " by --requestheader-username-headers. If empty, any client certificate validated by the"
                    + " authorities in --requestheader-client-ca-file is allowed.")
    List<String> requestheaderAllowedNames = new ArrayList<>();

    @Option(
            names = "--requestheader-username-headers",
            split = ",",
            defaultValue = "x-remote-user",
            paramLabel = "HEADER",
            description = "List of request headers to inspect for usernames. X-Remote-User is common"
                    + " (default: ${DEFAULT-VALUE}).")
    List<String> requestheaderUsernameHeaders;

    @Option(
            names = "--requestheader-uid-headers",
            split = ",",
            paramLabel = "HEADER",
            description = "List of request headers to inspect for UIDs. X-Remote-Uid is suggested (default: none).")
    List<String> requestheaderUidHeaders = new ArrayList<>();

    @Option(
            names = "--requestheader-group-headers",
            split = ",",
            defaultValue = "x-remote-group",
            paramLabel = "HEADER",
            description = "List of request headers to inspect for groups. X-Remote-Group is suggested"
                    + " (default: ${DEFAULT-VALUE}).")
    List<String> requestheaderGroupHeaders;

    @Option(
            names = "--requestheader-extra-headers-prefix",
            split = ",",
            defaultValue = "x-remote-extra-",
            paramLabel = "PREFIX",
            description = "List of request header prefixes to inspect. X-Remote-Extra- is suggested"
                    + " (default: ${DEFAULT-VALUE}).")
    List<String> requestheaderExtraHeadersPrefix;

    @Option(
            names = "--anonymous-auth",
            arity = "0..1",
            fallbackValue = "true",
            defaultValue = "false",
            paramLabel = "true|false",
            description = "Let unauthenticated requests in as system:anonymous, for the cluster's SubjectAccessReview"
                    + " to decide; off, they get 401 (default: false), except on /healthz, /livez, /readyz"
                    + " (always allowed) and /version (let in as system:anonymous for the review to decide).")
    boolean anonymousAuth;

    // --- authorization ----------------------------------------------------------------------------------------

    @Option(
            names = "--authorization-kubeconfig",
            paramLabel = "FILE",
            description = "kubeconfig file pointing at the 'core' kubernetes server with enough rights to create"
                    + " subjectaccessreviews.authorization.k8s.io. Without it, the in-cluster service account is"
                    + " used.")
    Path authorizationKubeconfig;

    @Option(
            names = "--authorization-webhook-cache-authorized-ttl",
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = GoDurationConverter.class,
            description = "The duration to cache 'authorized' responses from the webhook authorizer (default: 10s).")
    Duration authorizationWebhookCacheAuthorizedTtl;

    @Option(
            names = "--authorization-webhook-cache-unauthorized-ttl",
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = GoDurationConverter.class,
            description = "The duration to cache 'unauthorized' responses from the webhook authorizer (default: 10s).")
    Duration authorizationWebhookCacheUnauthorizedTtl;

    @Option(
            names = "--authorization-always-allow-paths",
            split = ",",
            defaultValue = "/healthz,/readyz,/livez",
            paramLabel = "PATH",
            description = "A list of HTTP paths to skip during authorization, i.e. these are authorized without"
                    + " contacting the 'core' kubernetes server (default: ${DEFAULT-VALUE}).")
    List<String> authorizationAlwaysAllowPaths;

    // --- storage ----------------------------------------------------------------------------------------------

    @Option(
            names = "--encryption-provider-config",
            paramLabel = "FILE",
            description = "Encrypt Secrets at rest as this kube-apiserver EncryptionConfiguration says (aesgcm keys;"
                    + " readable by this user only; every replica needs the same keys).")
    Path encryptionProviderConfig;

    @Option(
            names = {"--storage-backend", "--storage"},
            defaultValue = "postgres",
            paramLabel = "BACKEND",
            description = "Where objects are kept: 'postgres' (a PostgreSQL database shared by several replicas) or"
                    + " 'embedded' (a store in --data-dir; one replica only) (default: ${DEFAULT-VALUE}).")
    String storageBackend;

    @Option(
            names = "--storage-postgres-url",
            paramLabel = "JDBC-URL",
            description = "The PostgreSQL database, as a JDBC URL without a password, e.g."
                    + " jdbc:postgresql://db:5432/dbprovision?sslmode=verify-full. Tables are created at start.")
    String storagePostgresUrl;

    @Option(
            names = "--storage-postgres-user",
            paramLabel = "ROLE",
            description = "The PostgreSQL role to connect as (default: the URL's user parameter).")
    String storagePostgresUser;

    @Option(
            names = "--storage-postgres-password-file",
            paramLabel = "FILE",
            description = "File holding the PostgreSQL password (a mounted Secret; a trailing newline is ignored)."
                    + " Without it, no password, or the driver's .pgpass file (PGPASSFILE).")
    Path storagePostgresPasswordFile;

    @Option(
            names = "--data-dir",
            defaultValue = "dbprovision-data",
            paramLabel = "DIR",
            description =
                    "The embedded store's directory, with --storage-backend=embedded (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    // --- provisioner ------------------------------------------------------------------------------------------

    @Mixin
    ProvisionerFlags provisioner;

    @Mixin
    AuditFlags audit;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        DelegatedServer.Options options = options();
        DelegatedServer server;
        try {
            server = DelegatedServer.start(options);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // a configuration the server cannot start with (no cluster, unreadable file): say why, no stack trace
            spec.commandLine().getErr().println("dbprovision serve: cannot start: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        spec.commandLine().getOut().println("DB Provision " + BuildInfo.version() + " " + server.summary());
        spec.commandLine().getOut().flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** The flags as the server's options; a clear {@link ParameterException} for a combination that cannot work. */
    DelegatedServer.Options options() {
        if ((tlsCertFile == null) != (tlsPrivateKeyFile == null)) {
            throw new ParameterException(
                    spec.commandLine(), "--tls-cert-file and --tls-private-key-file must be given together");
        }
        DelegatedServer.Serving serving = tlsCertFile == null
                ? DelegatedServer.Serving.selfSignedIn(certDir)
                : new DelegatedServer.Serving(
                        Optional.of(tlsCertFile), Optional.of(tlsPrivateKeyFile), certDir, Duration.ofSeconds(10));
        DelegatedOptions auth;
        try {
            auth = DelegatedOptions.builder()
                    .authenticationKubeconfig(Optional.ofNullable(authenticationKubeconfig))
                    .authenticationTokenWebhookCacheTtl(authenticationTokenWebhookCacheTtl)
                    .authenticationSkipLookup(authenticationSkipLookup)
                    .authenticationTolerateLookupFailure(authenticationTolerateLookupFailure)
                    .authenticationAudiences(nonEmpty(apiAudiences))
                    .clientCaFile(Optional.ofNullable(clientCaFile))
                    .requestheaderClientCaFile(Optional.ofNullable(requestheaderClientCaFile))
                    .requestheaderAllowedNames(nonEmpty(requestheaderAllowedNames))
                    .requestheaderUsernameHeaders(nonEmpty(requestheaderUsernameHeaders))
                    .requestheaderUidHeaders(nonEmpty(requestheaderUidHeaders))
                    .requestheaderGroupHeaders(nonEmpty(requestheaderGroupHeaders))
                    .requestheaderExtraHeadersPrefix(nonEmpty(requestheaderExtraHeadersPrefix))
                    .authorizationKubeconfig(Optional.ofNullable(authorizationKubeconfig))
                    .authorizationWebhookCacheAuthorizedTtl(authorizationWebhookCacheAuthorizedTtl)
                    .authorizationWebhookCacheUnauthorizedTtl(authorizationWebhookCacheUnauthorizedTtl)
                    .authorizationAlwaysAllowPaths(nonEmpty(authorizationAlwaysAllowPaths))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        DelegatedServer.Options options = DelegatedServer.Options.of(storage(), auth)
                .withListen(bindAddress, securePort)
                .withServing(serving)
                .withAnonymous(anonymousAuth)
                .withAudit(audit.options())
                .withProvisioner(provisioner.choice());
        if (portalPort != null) {
            if (portalPort < 1 || portalPort > 65535) {
                throw new ParameterException(spec.commandLine(), "--portal-port must be between 1 and 65535");
            }
            options = options.withPortal(portalBindAddress == null ? bindAddress : portalBindAddress, portalPort);
        } else if (portalBindAddress != null) {
            throw new ParameterException(spec.commandLine(), "--portal-bind-address needs --portal-port");
        }
        return encryptionProviderConfig == null ? options : options.withEncryptionConfig(encryptionProviderConfig);
    }

    private StorageChoice storage() {
        try {
            return switch (storageBackend) {
                case "embedded" -> {
                    if (storagePostgresUrl != null) {
                        throw new IllegalArgumentException(
                                "--storage-postgres-url is for --storage-backend=postgres, not embedded");
                    }
                    yield new StorageChoice.Embedded(dataDir, true);
                }
                case "postgres" -> {
                    if (storagePostgresUrl == null || storagePostgresUrl.isBlank()) {
                        throw new IllegalArgumentException(
                                "--storage-backend=postgres needs --storage-postgres-url (or choose"
                                        + " --storage-backend=embedded for a single replica)");
                    }
                    yield new StorageChoice.Postgres(
                            storagePostgresUrl,
                            Optional.ofNullable(storagePostgresUser),
                            Optional.ofNullable(storagePostgresPasswordFile));
                }
                default ->
                    throw new IllegalArgumentException(
                            "--storage-backend must be 'postgres' or 'embedded', not '" + storageBackend + "'");
            };
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /**
     * As Go's string slices: {@code --flag=} is the empty list. An empty item among others ({@code --flag=a,,b}) is
     * surely a typo: refused.
     */
    private List<String> nonEmpty(List<String> values) {
        if (values.size() == 1 && values.getFirst().isBlank()) {
            return List.of();
        }
        for (String value : values) {
            if (value.isBlank()) {
                throw new ParameterException(spec.commandLine(), "an empty item in a list flag: " + values);
            }
        }
        return List.copyOf(values);
    }
}
