package io.dbprovision.apiserver.server;

import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.admission.NamespaceLifecycle;
import io.dbprovision.apiserver.audit.Audit;
import io.dbprovision.apiserver.audit.AuditOptions;
import io.dbprovision.apiserver.auth.AlwaysAllowGroupsAuthorizer;
import io.dbprovision.apiserver.auth.AlwaysAllowPathsAuthorizer;
import io.dbprovision.apiserver.auth.Authenticator;
import io.dbprovision.apiserver.auth.AuthenticatorChain;
import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.AuthorizerChain;
import io.dbprovision.apiserver.auth.ClientCertificateAuthenticator;
import io.dbprovision.apiserver.auth.StaticTokenAuthenticator;
import io.dbprovision.apiserver.auth.TokenFileAuthenticator;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.auth.rbac.BootstrapPolicy;
import io.dbprovision.apiserver.auth.rbac.RbacAuthorizer;
import io.dbprovision.apiserver.auth.rbac.RbacEscalationCheck;
import io.dbprovision.apiserver.auth.rbac.SelfReviews;
import io.dbprovision.apiserver.auth.rbac.StoreRbacSource;
import io.dbprovision.apiserver.controller.LeaderElection;
import io.dbprovision.apiserver.corev1.RegistryConfigMaps;
import io.dbprovision.apiserver.corev1.RegistryEventSink;
import io.dbprovision.apiserver.corev1.RegistrySecrets;
import io.dbprovision.apiserver.portal.Portal;
import io.dbprovision.apiserver.provisioning.EmbeddedProvisioner;
import io.dbprovision.apiserver.provisioning.EngineChannel;
import io.dbprovision.apiserver.provisioning.ProvisionerChoice;
import io.dbprovision.apiserver.provisioning.ProvisionerConnection;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ServedSubresource;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.Storage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.encryption.EncryptionConfiguration;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Standalone mode: one process, the embedded store in a data directory, its own CA, serving certificate and admin
 * credentials (a client certificate and a token, both in group system:masters), and a kubeconfig for them (and, when
 * the portal gRPC API is served, {@code portal-kubeconfig}: the same credentials for the portal's port). Files
 * are created on first start and reused afterwards, so restarting keeps the same credentials. The reconcilers'
 * provisioner runs inside it (over mutual TLS on loopback, certificates from the same CA) unless the options name an
 * external one.
 */
public final class StandaloneServer implements AutoCloseable {
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration LEAF_VALIDITY = Duration.ofDays(825);
    private static final UserInfo ADMIN = new UserInfo("admin", "", List.of("system:masters"), Map.of());

    private final Path dataDir;
    private final Storage storage;
    private final ServerAssembly.RunningServer server;
    private final StoreRbacSource rbac;
    private final Audit audit;
    private final String adminToken;
    private final Path kubeconfig;
    private final Optional<Path> portalKubeconfig;
    private final ProvisionerConnection provisioner;
    private final Optional<Reconcilers> reconcilers;

    /**
     * How to run (each {@code with…} returns a changed copy):
     *
     * <ul>
     *   <li>{@code tokenFile}: more users, by bearer token, in the kube-apiserver's CSV format ({@code --token-auth-file})
     *   <li>{@code anonymous}: let unauthenticated requests in as {@code system:anonymous} (RBAC then decides)
     *   <li>{@code audit}: the {@code --audit-*} flags
     *   <li>{@code encryptionConfig}: how Secrets are encrypted at rest ({@code --encryption-provider-config}, the
     *     kube-apiserver's EncryptionConfiguration)
     *   <li>{@code provisioner}: where the reconcilers' provisioner is: inside this server (the default; certificates from
     *     this server's CA in {@code <data-dir>/pki/}) or external ({@code --provisioner-address} and its files)
     *   <li>{@code subresources}: computed subresources served besides the server's own (tests serve stub readers so)
     *   <li>{@code reconcilers}: run the reconcilers (the default); without them the server serves the API only
     *   <li>{@code portal}: serve the portal gRPC API on its own port too ({@code --portal-port}; off unless asked for
     *     here, port 0 picks a free one)
     * </ul>
     */
    public static final class Options {
        private Path dataDir;
        private String host;
        private int port;
        private boolean fsync;
        private Optional<Path> tokenFile;
        private boolean anonymous;
        private AuditOptions audit;
        private Optional<Path> encryptionConfig;
        private ProvisionerChoice provisioner;
        private List<ServedSubresource> subresources;
        private boolean reconcilers;
        private Optional<Portal.Listen> portal;

        private Options() {}

        public static Options of(Path dataDir, String host, int port, boolean fsync) {
            Options options = new Options();
            options.dataDir = dataDir;
            options.host = host;
            options.port = port;
            options.fsync = fsync;
            options.tokenFile = Optional.empty();
            options.anonymous = false;
            options.audit = AuditOptions.defaults();
            options.encryptionConfig = Optional.empty();
            options.provisioner = ProvisionerChoice.inProcess();
            options.subresources = List.of();
            options.reconcilers = true;
            options.portal = Optional.empty();
            return options;
        }

        /** A copy, changed by {@code change}: each {@code with…} is one line, and a new option one field here. */
        private Options with(java.util.function.Consumer<Options> change) {
            Options next = new Options();
            next.dataDir = dataDir;
            next.host = host;
            next.port = port;
            next.fsync = fsync;
            next.tokenFile = tokenFile;
            next.anonymous = anonymous;
            next.audit = audit;
            next.encryptionConfig = encryptionConfig;
            next.provisioner = provisioner;
            next.subresources = subresources;
            next.reconcilers = reconcilers;
            next.portal = portal;
            change.accept(next);
            return next;
        }

        public Options withTokenFile(Path file) {
            return with(next -> next.tokenFile = Optional.of(file));
        }

        public Options withAnonymous(boolean enabled) {
            return with(next -> next.anonymous = enabled);
        }

        public Options withAudit(AuditOptions options) {
            return with(next -> next.audit = options);
        }

        public Options withEncryptionConfig(Path file) {
            return with(next -> next.encryptionConfig = Optional.of(file));
        }

        /** Serves the API only: no reconcilers (tests of the REST layer, whose objects point at no real server). */
        public Options withoutReconcilers() {
            return with(next -> next.reconcilers = false);
        }

        public Options withSubresource(ServedSubresource subresource) {
            List<ServedSubresource> more = new ArrayList<>(subresources);
            more.add(subresource);
            return with(next -> next.subresources = List.copyOf(more));
        }

        /** Serve the portal gRPC API on {@code host:port} too (port 0: a free one). */
        public Options withPortal(String host, int port) {
            return with(next -> next.portal = Optional.of(Portal.Listen.on(host, port)));
        }

        public Options withProvisioner(ProvisionerChoice choice) {
            Objects.requireNonNull(choice, "provisioner");
            return with(next -> next.provisioner = choice);
        }

        public Path dataDir() {
            return dataDir;
        }

        public String host() {
            return host;
        }

        public int port() {
            return port;
        }

        public boolean fsync() {
            return fsync;
        }

        public Optional<Path> tokenFile() {
            return tokenFile;
        }

        public boolean anonymous() {
            return anonymous;
        }

        public AuditOptions audit() {
            return audit;
        }

        public Optional<Path> encryptionConfig() {
            return encryptionConfig;
        }

        public ProvisionerChoice provisioner() {
            return provisioner;
        }

        public List<ServedSubresource> subresources() {
            return subresources;
        }

        public boolean reconcilers() {
            return reconcilers;
        }

        public Optional<Portal.Listen> portal() {
            return portal;
        }
    }

    private StandaloneServer(Options options) {
        Path dataDir = options.dataDir();
        String host = options.host();
        boolean fsync = options.fsync();
        this.dataDir = dataDir.toAbsolutePath();
        Path pki = this.dataDir.resolve("pki");
        Pki.Issued ca = caIn(pki);
        Pki.Issued serving = servingIn(pki, ca, host);
        Pki.Issued admin = clientIn(pki, ca);
        this.adminToken = tokenIn(this.dataDir.resolve("admin.token"));
        this.storage = CachingStorage.open(
                new EmbeddedBackend(this.dataDir.resolve("store"), fsync),
                encryption(StorageSettings.defaults().withFsync(fsync), options.encryptionConfig()));
        ServerAssembly assembly = new ServerAssembly(
                        storage, ServerTls.context(serving, List.of(ca.certificate()), List.of(ca.certificate())))
                .listen(host, options.port())
                .serve(new Registry.Served(Schema.get(), ObjectRules.standard()))
                .serve(new Registry.Served(Schema.core(), ObjectRules.core()))
                .serve(new Registry.Served(Schema.rbac(), ObjectRules.rbac()))
                .serve(new Registry.Served(Schema.authorization(), ObjectRules.rbac()));
        // Computed subresources given by the options (tests' stub readers) first: the server's own readers, registered
        // after them, skip the ones they stand in for (assembly.servesSubresource).
        options.subresources().forEach(assembly::subresource);
        options.portal().ifPresent(assembly::portal);
        // Local RBAC: the bootstrap roles (cluster-admin for system:masters, admin/edit/view, discovery), then an
        // in-memory index of every Role and binding that follows their changes.
        BootstrapPolicy.ensure(assembly.registry());
        this.rbac = StoreRbacSource.start(assembly.registry());
        // The reconcilers, on this server's own Secrets and Events; one process, so it always leads.
        this.reconcilers = options.reconcilers()
                ? Optional.of(Reconcilers.prepare(
                        assembly,
                        LeaderElection.always("dbprovision-standalone"),
                        new RegistrySecrets(assembly.registry()),
                        new RegistryConfigMaps(assembly.registry()),
                        new RegistryEventSink(assembly.registry()),
                        Clock.systemUTC()))
                : Optional.empty();
        RbacAuthorizer rbacAuthorizer = new RbacAuthorizer(rbac);
        Authorizer authorizer = new AuthorizerChain(List.of(
                new AlwaysAllowGroupsAuthorizer(List.of("system:masters")),
                new AlwaysAllowPathsAuthorizer(List.of("/healthz", "/livez", "/readyz")),
                rbacAuthorizer));
        SelfReviews reviews = new SelfReviews(authorizer, rbacAuthorizer);
        List<Authenticator> authenticators = new ArrayList<>(List.of(
                new ClientCertificateAuthenticator(List.of(ca.certificate())),
                new StaticTokenAuthenticator(Map.of(adminToken, ADMIN))));
        options.tokenFile().map(TokenFileAuthenticator::read).ifPresent(authenticators::add);
        this.audit = Audit.from(options.audit());
        this.server = assembly.authenticator(new AuthenticatorChain(authenticators))
                .audit(audit)
                .authorizer(authorizer)
                .anonymous(options.anonymous())
                .admission(registry -> new RbacEscalationCheck(authorizer, rbacAuthorizer))
                .createOnly(
                        "authorization.k8s.io/v1/selfsubjectaccessreviews",
                        (context, review) -> SelfReviewAnswers.access(reviews, context, review))
                .createOnly(
                        "authorization.k8s.io/v1/selfsubjectrulesreviews",
                        (context, review) -> SelfReviewAnswers.rules(reviews, context, review))
                .start();
        NamespaceLifecycle namespaces = server.namespaceLifecycle().orElseThrow();
        for (String namespace : NamespaceLifecycle.IMMORTAL) {
            namespaces.ensureActive(namespace, "namespaces");
        }
        // The provisioner: in-process (certificates from this server's CA, in pki/) or external. TLS files that
        // cannot be used stop the start, with everything opened so far closed again.
        try {
            this.provisioner =
                    ProvisionerConnection.open(options.provisioner(), () -> EmbeddedProvisioner.startWithCaIn(pki, ca));
        } catch (RuntimeException e) {
            reconcilers.ifPresent(Reconcilers::close);
            rbac.close();
            server.close();
            storage.close();
            audit.close();
            throw e;
        }
        reconcilers.ifPresent(started -> started.start(provisioner.channel()));
        this.kubeconfig = this.dataDir.resolve("kubeconfig");
        writeKubeconfig(kubeconfig, "https://" + urlHost(host) + ":" + server.port(), ca, admin, Optional.empty());
        this.portalKubeconfig = server.portalPort().map(portalPort -> {
            Path file = this.dataDir.resolve("portal-kubeconfig");
            String portalHost = options.portal().orElseThrow().host();
            writeKubeconfig(
                    file, "https://" + urlHost(portalHost) + ":" + portalPort, ca, admin, Optional.of(adminToken));
            return file;
        });
    }

    public static StandaloneServer start(Path dataDir, String host, int port, boolean fsync) {
        return new StandaloneServer(Options.of(dataDir, host, port, fsync));
    }

    public static StandaloneServer start(Options options) {
        return new StandaloneServer(options);
    }

    public int port() {
        return server.port();
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    /** The portal gRPC API's port, when it is served. */
    public Optional<Integer> portalPort() {
        return server.portalPort();
    }

    /**
     * {@code <data-dir>/portal-kubeconfig}, when the portal is served: a kubeconfig whose cluster is the portal's
     * {@code https://host:port} with this server's CA, and whose user has the admin's client certificate and token
     * (the SDKs read this format).
     */
    public Optional<Path> portalKubeconfig() {
        return portalKubeconfig;
    }

    public String adminToken() {
        return adminToken;
    }

    public Path caCertificate() {
        return dataDir.resolve("pki/ca.crt");
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The reconcilers' way to the provisioner (in-process or external, as the options said). */
    public EngineChannel engineChannel() {
        return provisioner.channel();
    }

    /** Where the provisioner is, for the start-up message. */
    public String provisionerDescription() {
        return provisioner.describe();
    }

    @Override
    public void close() {
        // The reconcilers stop first: they call the provisioner and the registry.
        reconcilers.ifPresent(Reconcilers::close);
        rbac.close();
        server.close();
        // Nothing calls the provisioner any more.
        provisioner.close();
        storage.close();
        audit.close();
    }

    /** Secrets encrypted at rest when a configuration is given (refused at start when it is invalid). */
    static StorageSettings encryption(StorageSettings settings, Optional<Path> config) {
        return config.map(file -> settings.withEncryption(
                        EncryptionConfiguration.load(file).transformer()))
                .orElse(settings);
    }

    private static Pki.Issued caIn(Path pki) {
        Path cert = pki.resolve("ca.crt");
        Path key = pki.resolve("ca.key");
        if (Files.exists(cert) && Files.exists(key)) {
            return Pki.read(cert, key);
        }
        Pki.Issued ca = Pki.newCa("dbprovision-standalone-ca", CA_VALIDITY);
        ca.write(cert, key);
        return ca;
    }

    private static Pki.Issued servingIn(Path pki, Pki.Issued ca, String host) {
        Path cert = pki.resolve("serving.crt");
        Path key = pki.resolve("serving.key");
        if (Files.exists(cert) && Files.exists(key)) {
            return Pki.read(cert, key);
        }
        List<String> dns = new ArrayList<>(Pki.localDnsNames());
        List<String> ips = new ArrayList<>(List.of("127.0.0.1", "::1"));
        if (host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            if (!ips.contains(host) && !host.equals("0.0.0.0") && !host.equals("::")) {
                ips.add(host);
            }
        } else if (!dns.contains(host)) {
            dns.add(host);
        }
        Pki.Issued serving = Pki.newServing(ca, "dbprovision-apiserver", dns, ips, LEAF_VALIDITY);
        serving.write(cert, key);
        return serving;
    }

    private static Pki.Issued clientIn(Path pki, Pki.Issued ca) {
        Path cert = pki.resolve("admin.crt");
        Path key = pki.resolve("admin.key");
        if (Files.exists(cert) && Files.exists(key)) {
            return Pki.read(cert, key);
        }
        Pki.Issued admin = Pki.newClient(ca, ADMIN.name(), ADMIN.groups(), LEAF_VALIDITY);
        admin.write(cert, key);
        return admin;
    }

    private static String tokenIn(Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            Pki.writeFile(file, token + "\n", true);
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeKubeconfig(
            Path file, String server, Pki.Issued ca, Pki.Issued admin, Optional<String> token) {
        Base64.Encoder base64 = Base64.getEncoder();
        String config = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: dbprovision
                  cluster:
                    server: %s
                    certificate-authority-data: %s
                users:
                - name: admin
                  user:
                    client-certificate-data: %s
                    client-key-data: %s
                %scontexts:
                - name: dbprovision
                  context:
                    cluster: dbprovision
                    user: admin
                    namespace: default
                current-context: dbprovision
                """.formatted(
                        server,
                        base64.encodeToString(ca.certificatePem().getBytes(StandardCharsets.UTF_8)),
                        base64.encodeToString(admin.certificatePem().getBytes(StandardCharsets.UTF_8)),
                        base64.encodeToString(admin.keyPem().getBytes(StandardCharsets.UTF_8)),
                        token.map(value -> "    token: " + value + "\n").orElse(""));
        Pki.writeFile(file, config, true);
    }

    private static String urlHost(String host) {
        if (host.equals("0.0.0.0") || host.equals("::")) {
            return "127.0.0.1";
        }
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
