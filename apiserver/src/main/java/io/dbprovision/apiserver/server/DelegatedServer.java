package io.dbprovision.apiserver.server;

import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.audit.Audit;
import io.dbprovision.apiserver.audit.AuditOptions;
import io.dbprovision.apiserver.auth.delegated.ClusterConnection;
import io.dbprovision.apiserver.auth.delegated.DelegatedAuth;
import io.dbprovision.apiserver.auth.delegated.DelegatedOptions;
import io.dbprovision.apiserver.controller.LeaderElection;
import io.dbprovision.apiserver.corev1.ClusterConfigMaps;
import io.dbprovision.apiserver.corev1.ClusterEventSink;
import io.dbprovision.apiserver.corev1.ClusterSecrets;
import io.dbprovision.apiserver.portal.Portal;
import io.dbprovision.apiserver.provisioning.EmbeddedProvisioner;
import io.dbprovision.apiserver.provisioning.EngineChannel;
import io.dbprovision.apiserver.provisioning.ProvisionerChoice;
import io.dbprovision.apiserver.provisioning.ProvisionerConnection;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ServedSubresource;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.ValueTransformer;
import io.dbprovision.apiserver.storage.encryption.EncryptionConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Delegated (aggregated, in-cluster) mode: the dbops kinds only — namespaces, Secrets and RBAC live in the cluster —
 * on the chosen storage, with authentication and authorization delegated to the kube-apiserver ({@link DelegatedAuth}:
 * front proxy, client certificates, TokenReview, SubjectAccessReview), behind a TLS listener whose serving certificate
 * follows its files and whose advertised client CAs follow the cluster's ConfigMap. The front proxy's headers and
 * {@code Authorization} are removed from a request once it is authenticated. The reconcilers' provisioner is an
 * external one ({@code --provisioner-address}) or, without it, runs inside with a CA made in memory.
 */
public final class DelegatedServer implements AutoCloseable {
    /** k8s.io/apiserver's {@code --cert-dir} default, where a self-signed certificate is kept. */
    public static final Path DEFAULT_CERT_DIR = Path.of("apiserver.local.config/certificates");

    private static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(365);
    /** Headers that carry credentials and mean nothing past authentication (k8s.io/apiserver's standard ones). */
    private static final List<String> ALWAYS_STRIPPED =
            List.of("authorization", "x-remote-user", "x-remote-uid", "x-remote-group", "x-remote-extra-");

    private final CachingStorage storage;
    private final Reconcilers reconcilers;
    /** How long one request of the reconcilers to the kube-apiserver may take. */
    private static final Duration CLUSTER_TIMEOUT = Duration.ofSeconds(30);

    private final DelegatedAuth auth;
    private final Audit audit;
    private final ReloadingServingCertificate serving;
    private final ServerAssembly.RunningServer server;
    private final ProvisionerConnection provisioner;
    private final String summary;

    /**
     * How to run (each {@code with…} returns a changed copy):
     *
     * <ul>
     *   <li>{@code bindAddress}: {@code --bind-address}
     *   <li>{@code securePort}: {@code --secure-port} (0: any free port)
     *   <li>{@code serving}: the serving certificate
     *   <li>{@code storage}: {@code --storage-backend} and its flags
     *   <li>{@code auth}: the delegated authentication and authorization flags
     *   <li>{@code anonymous}: {@code --anonymous-auth}: let unauthenticated requests in as {@code system:anonymous} (the
     *     cluster's SubjectAccessReview then decides); health and version paths are reachable either way
     *   <li>{@code audit}: the {@code --audit-*} flags
     *   <li>{@code encryptionConfig}: {@code --encryption-provider-config}: Secrets encrypted at rest (every replica needs
     *     the same keys)
     *   <li>{@code provisioner}: {@code --provisioner-address} and its TLS files (the provisioner's own Deployment), or
     *     in-process (the default): a provisioner inside this server on 127.0.0.1, with a CA made in memory at start
     *   <li>{@code subresources}: computed subresources served besides the server's own (tests serve stub readers so)
     * </ul>
     */
    public static final class Options {
        private String bindAddress;
        private int securePort;
        private Serving serving;
        private StorageChoice storage;
        private DelegatedOptions auth;
        private boolean anonymous;
        private AuditOptions audit;
        private Optional<Path> encryptionConfig;
        private ProvisionerChoice provisioner;
        private List<ServedSubresource> subresources;
        private Optional<Portal.Listen> portal;

        private Options() {}

        public static Options of(StorageChoice storage, DelegatedOptions auth) {
            Options options = new Options();
            options.bindAddress = "0.0.0.0";
            options.securePort = 8443;
            options.serving = Serving.selfSignedIn(DEFAULT_CERT_DIR);
            options.storage = storage;
            options.auth = auth;
            options.anonymous = false;
            options.audit = AuditOptions.defaults();
            options.encryptionConfig = Optional.empty();
            options.provisioner = ProvisionerChoice.inProcess();
            options.subresources = List.of();
            options.portal = Optional.empty();
            return options;
        }

        /** A copy, changed by {@code change}: each {@code with…} is one line, and a new option one field here. */
        private Options with(java.util.function.Consumer<Options> change) {
            Options next = new Options();
            next.bindAddress = bindAddress;
            next.securePort = securePort;
            next.serving = serving;
            next.storage = storage;
            next.auth = auth;
            next.anonymous = anonymous;
            next.audit = audit;
            next.encryptionConfig = encryptionConfig;
            next.provisioner = provisioner;
            next.subresources = subresources;
            next.portal = portal;
            change.accept(next);
            return next;
        }

        public Options withListen(String host, int port) {
            return with(next -> {
                next.bindAddress = host;
                next.securePort = port;
            });
        }

        public Options withServing(Serving value) {
            return with(next -> next.serving = value);
        }

        public Options withAnonymous(boolean value) {
            return with(next -> next.anonymous = value);
        }

        public Options withAudit(AuditOptions value) {
            return with(next -> next.audit = value);
        }

        public Options withEncryptionConfig(Path file) {
            return with(next -> next.encryptionConfig = Optional.of(file));
        }

        public Options withSubresource(ServedSubresource subresource) {
            List<ServedSubresource> more = new ArrayList<>(subresources);
            more.add(subresource);
            return with(next -> next.subresources = List.copyOf(more));
        }

        /** Serve the portal gRPC API on {@code host:port} too ({@code --portal-port}; 0: a free port). */
        public Options withPortal(String host, int port) {
            return with(next -> next.portal = Optional.of(Portal.Listen.on(host, port)));
        }

        public Optional<Portal.Listen> portal() {
            return portal;
        }

        public Options withProvisioner(ProvisionerChoice choice) {
            Objects.requireNonNull(choice, "provisioner");
            return with(next -> next.provisioner = choice);
        }

        public String bindAddress() {
            return bindAddress;
        }

        public int securePort() {
            return securePort;
        }

        public Serving serving() {
            return serving;
        }

        public StorageChoice storage() {
            return storage;
        }

        public DelegatedOptions auth() {
            return auth;
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
    }

    /**
     * The serving certificate: {@code --tls-cert-file} and {@code --tls-private-key-file} (both or neither), checked
     * for a change every {@code checkInterval}; without them, a self-signed one kept in {@code --cert-dir}, as
     * k8s.io/apiserver does (the APIService must then carry its CA, or skip verification in a test cluster).
     */
    public record Serving(
            Optional<Path> certificateFile, Optional<Path> keyFile, Path certDir, Duration checkInterval) {
        public Serving {
            if (certificateFile.isPresent() != keyFile.isPresent()) {
                throw new IllegalArgumentException("--tls-cert-file and --tls-private-key-file go together");
            }
        }

        public static Serving files(Path certificate, Path key) {
            return new Serving(Optional.of(certificate), Optional.of(key), DEFAULT_CERT_DIR, Duration.ofSeconds(10));
        }

        public static Serving selfSignedIn(Path certDir) {
            return new Serving(Optional.empty(), Optional.empty(), certDir, Duration.ofSeconds(10));
        }

        public Serving withCheckInterval(Duration interval) {
            return new Serving(certificateFile, keyFile, certDir, interval);
        }
    }

    private DelegatedServer(Options options) {
        this.serving = servingCertificate(options.serving(), options.bindAddress());
        this.storage = options.storage()
                .open(options.encryptionConfig()
                        .map(file -> EncryptionConfiguration.load(file).transformer())
                        .orElse(ValueTransformer.NONE));
        DelegatedAuth auth = null;
        Audit audit = null;
        ServerAssembly.RunningServer server = null;
        Reconcilers reconcilers = null;
        try {
            auth = DelegatedAuth.start(options.auth());
            audit = Audit.from(options.audit());
            DelegatedAuth started = auth;
            ServerAssembly assembly = new ServerAssembly(
                            storage, DelegatedTls.context(serving, started::acceptedClientIssuers))
                    .listen(options.bindAddress(), options.securePort())
                    .serve(new Registry.Served(Schema.get(), ObjectRules.standard()));
            // Computed subresources given by the options (tests' stub readers) first: the server's own readers,
            // registered after them, skip the ones they stand in for (assembly.servesSubresource).
            options.subresources().forEach(assembly::subresource);
            options.portal().ifPresent(assembly::portal);
            // The reconcilers write credentials Secrets and Events to the cluster, as the authentication
            // kubeconfig's identity (in a cluster: the service account). With several replicas on the PostgreSQL
            // store only the holder of the lease row reconciles.
            ClusterConnection cluster = ClusterConnection.resolve(
                    options.auth().authenticationKubeconfig(), options.auth().inCluster(), CLUSTER_TIMEOUT);
            reconcilers = Reconcilers.prepare(
                    assembly,
                    LeaderElection.forStorage(
                            storage,
                            "dbprovision-controllers",
                            LeaderElection.defaultIdentity(),
                            LeaderElection.Timing.DEFAULT),
                    new ClusterSecrets(cluster),
                    new ClusterConfigMaps(cluster),
                    new ClusterEventSink(cluster),
                    Clock.systemUTC());
            server = assembly.authenticator(started.authenticator())
                    .authorizer(started.authorizer())
                    .anonymous(options.anonymous())
                    .strippedHeaders(strippedHeaders(started))
                    .audit(audit)
                    .start();
            this.provisioner =
                    ProvisionerConnection.open(options.provisioner(), EmbeddedProvisioner::startWithMemoryCa);
            reconcilers.start(provisioner.channel());
        } catch (RuntimeException e) {
            if (reconcilers != null) {
                reconcilers.close();
            }
            if (server != null) {
                server.close();
            }
            if (auth != null) {
                auth.close();
            }
            if (audit != null) {
                audit.close();
            }
            storage.close();
            throw e;
        }
        this.server = server;
        this.reconcilers = reconcilers;
        this.auth = auth;
        this.audit = audit;
        this.summary = summary(options, server, provisioner);
    }

    public static DelegatedServer start(Options options) {
        return new DelegatedServer(options);
    }

    public int port() {
        return server.port();
    }

    /** The portal gRPC API's port, when it is served. */
    public Optional<Integer> portalPort() {
        return server.portalPort();
    }

    /** The serving certificate (first) and its chain, as handshakes get them now. */
    public X509Certificate[] servingChain() {
        return serving.chain();
    }

    /** One line for the log: where it listens, on what storage, delegating to whom. No secret in it. */
    public String summary() {
        return summary;
    }

    /** The reconcilers' way to the provisioner (external, or in-process as the options said). */
    public EngineChannel engineChannel() {
        return provisioner.channel();
    }

    @Override
    public void close() {
        // The reconcilers stop first: they call the provisioner and the registry.
        reconcilers.close();
        server.close();
        // Nothing calls the provisioner any more.
        provisioner.close();
        auth.close();
        storage.close();
        audit.close();
    }

    /** Asked on every request: the list is made again only when the front proxy's header names change. */
    private static Supplier<List<String>> strippedHeaders(DelegatedAuth auth) {
        AtomicReference<Map.Entry<List<String>, List<String>>> known =
                new AtomicReference<>(Map.entry(List.of(), ALWAYS_STRIPPED));
        return () -> {
            List<String> configured = auth.requestHeaderNamesAndPrefixes();
            Map.Entry<List<String>, List<String>> last = known.get();
            if (last.getKey() != configured) {
                last = Map.entry(
                        configured,
                        Stream.concat(ALWAYS_STRIPPED.stream(), configured.stream())
                                .distinct()
                                .toList());
                known.set(last);
            }
            return last.getValue();
        };
    }

    private static ReloadingServingCertificate servingCertificate(Serving options, String bindAddress) {
        if (options.certificateFile().isPresent()) {
            return ReloadingServingCertificate.fromFiles(
                    options.certificateFile().get(), options.keyFile().orElseThrow(), options.checkInterval());
        }
        Path certificate = options.certDir().resolve("apiserver.crt");
        Path key = options.certDir().resolve("apiserver.key");
        if (!Files.exists(certificate) || !Files.exists(key)) {
            writeSelfSigned(certificate, key, bindAddress);
        }
        return ReloadingServingCertificate.fromFiles(certificate, key, options.checkInterval());
    }

    /** A CA of its own and a certificate for the local names, as k8s.io/apiserver's self-signed fallback. */
    private static void writeSelfSigned(Path certificate, Path key, String bindAddress) {
        Pki.Issued ca = Pki.newCa("dbprovision-apiserver-ca@" + Instant.now().getEpochSecond(), SELF_SIGNED_VALIDITY);
        List<String> dns = new ArrayList<>(Pki.localDnsNames());
        List<String> ips = new ArrayList<>(List.of("127.0.0.1", "::1"));
        if (!bindAddress.equals("0.0.0.0") && !bindAddress.equals("::") && !ips.contains(bindAddress)) {
            if (bindAddress.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                ips.add(bindAddress);
            } else {
                dns.add(bindAddress);
            }
        }
        Pki.Issued leaf = Pki.newServing(ca, "dbprovision-apiserver", dns, ips, SELF_SIGNED_VALIDITY);
        // the chain, leaf first, so that a client given the CA can verify it
        Pki.writeFile(certificate, leaf.certificatePem() + ca.certificatePem(), false);
        Pki.writeFile(key, leaf.keyPem(), true);
    }

    private static String summary(
            Options options, ServerAssembly.RunningServer server, ProvisionerConnection provisioner) {
        int port = server.port();
        DelegatedOptions auth = options.auth();
        String cluster =
                auth.authenticationKubeconfig().map(k -> "kubeconfig " + k).orElse("the in-cluster service account");
        if (!auth.authenticationKubeconfig().equals(auth.authorizationKubeconfig())) {
            cluster = "authentication via " + cluster + ", authorization via "
                    + auth.authorizationKubeconfig()
                            .map(k -> "kubeconfig " + k)
                            .orElse("the in-cluster service account");
        } else {
            cluster = "authentication and authorization delegated via " + cluster;
        }
        String certificate = options.serving()
                .certificateFile()
                .map(f -> f + " (reloaded when it changes)")
                .orElse("self-signed in " + options.serving().certDir());
        String portal = server.portalPort()
                .map(portalPort -> "; portal gRPC API at https://"
                        + options.portal().orElseThrow().host() + ":" + portalPort)
                .orElse("");
        String audit =
                options.audit().logPath().isEmpty() ? "off" : options.audit().logPath();
        return "serves dbops.dbprovision.io/v1alpha1 (delegated) at https://" + options.bindAddress() + ":" + port
                + "; storage: " + options.storage().describe() + "; " + cluster + "; serving certificate: "
                + certificate + "; anonymous requests: " + (options.anonymous() ? "on" : "off") + "; audit log: "
                + audit + "; provisioner: " + provisioner.describe() + portal;
    }
}
