package io.dbprovision.apiserver.storage.bench;

import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.admission.NamespaceLifecycle;
import io.dbprovision.apiserver.audit.Audit;
import io.dbprovision.apiserver.audit.AuditOptions;
import io.dbprovision.apiserver.auth.delegated.DelegatedAuth;
import io.dbprovision.apiserver.auth.delegated.DelegatedOptions;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.server.Pki;
import io.dbprovision.apiserver.server.ServerAssembly;
import io.dbprovision.apiserver.server.ServerTls;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.Storage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The server in delegated (in-cluster) mode for the benchmark's SAR column, put together as an aggregated server is:
 * {@link ServerAssembly} with {@link DelegatedAuth} — the front proxy's request headers trusted on connections with a
 * client certificate of the request-header CA ({@code --requestheader-client-ca-file}, so the ConfigMap is not read),
 * every request authorized by a SubjectAccessReview to the cluster ({@code --authorization-kubeconfig}) through its
 * cache (k8s.io/apiserver's defaults: allowed and denied answers kept 10 s) — and the audit log on. It serves the same
 * group-versions as the standalone server but RBAC's (the cluster has its own), on the same embedded store, so that
 * the columns differ only in who authenticates and authorizes. (The server's own delegated command is not on main yet;
 * this assembles the same parts.)
 *
 * <p>Files it reads from the data directory: {@code cluster.kubeconfig} and {@code front-proxy-ca.crt}; it writes
 * its CA to {@code pki/ca.crt} and the audit log to {@code audit/audit.log}.
 */
final class DelegatedBenchServer implements AutoCloseable {
    private final Storage storage;
    private final DelegatedAuth auth;
    private final Audit audit;
    private final ServerAssembly.RunningServer server;

    DelegatedBenchServer(Path dataDir, boolean fsync) {
        Pki.Issued ca = Pki.newCa("dbprovision-bench-delegated-ca", Duration.ofDays(1));
        ca.write(dataDir.resolve("pki/ca.crt"), dataDir.resolve("pki/ca.key"));
        Pki.Issued serving = Pki.newServing(
                ca, "dbprovision-apiserver", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1));
        Path kubeconfig = dataDir.resolve("cluster.kubeconfig");
        this.auth = DelegatedAuth.start(DelegatedOptions.builder()
                .kubeconfig(kubeconfig)
                .authenticationSkipLookup(true)
                .requestheaderClientCaFile(Optional.of(dataDir.resolve("front-proxy-ca.crt")))
                .requestheaderAllowedNames(List.of(FRONT_PROXY_NAME))
                .build());
        this.storage = CachingStorage.open(
                new EmbeddedBackend(dataDir.resolve("store"), fsync),
                StorageSettings.defaults().withFsync(fsync));
        this.audit = Audit.from(AuditOptions.defaults()
                .withLogPath(dataDir.resolve("audit/audit.log").toString()));
        this.server = new ServerAssembly(
                        storage, ServerTls.context(serving, List.of(ca.certificate()), auth.acceptedClientIssuers()))
                .listen("127.0.0.1", 0)
                .serve(new Registry.Served(Schema.get(), ObjectRules.standard()))
                .serve(new Registry.Served(Schema.core(), ObjectRules.core()))
                .authenticator(auth.authenticator())
                .authorizer(auth.authorizer())
                .audit(audit)
                .start();
        NamespaceLifecycle namespaces = server.namespaceLifecycle().orElseThrow();
        for (String namespace : NamespaceLifecycle.IMMORTAL) {
            namespaces.ensureActive(namespace, "namespaces");
        }
    }

    /** The common name of the front proxy's client certificate, the one allowed name. */
    static final String FRONT_PROXY_NAME = "front-proxy-client";

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
        storage.close();
        auth.close();
        audit.close();
    }
}
