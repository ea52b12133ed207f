package io.dbprovision.apiserver.endpoints;

import com.google.protobuf.Message;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.auth.AlwaysAllowGroupsAuthorizer;
import io.dbprovision.apiserver.auth.StaticTokenAuthenticator;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.pipeline.InFlightLimits;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.server.Pki;
import io.dbprovision.apiserver.server.ServerAssembly;
import io.dbprovision.apiserver.server.ServerTls;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The set-up of the endpoints' HTTP tests: an aggregated server's kinds (the dbops group, no namespaces of its own)
 * over an embedded store in {@code dir}, on an ephemeral port of 127.0.0.1 with a certificate of a fresh CA, where the
 * bearer token {@link #TOKEN} is an admin ({@code system:masters}); and a client TLS context that trusts that CA.
 */
final class AdminTlsServer implements AutoCloseable {
    static final String TOKEN = "token";

    final Pki.Issued ca;
    final CachingStorage storage;
    final ServerAssembly.RunningServer server;
    /** Trusts the server's CA only. */
    final SSLContext clientTls;

    private AdminTlsServer(Path dir, StorageSettings settings, InFlightLimits.Settings limits) {
        ca = Pki.newCa("test-ca", Duration.ofDays(1));
        Pki.Issued serving =
                Pki.newServing(ca, "test-serving", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1));
        storage = CachingStorage.open(new EmbeddedBackend(dir, false), settings);
        server = new ServerAssembly(
                        storage, ServerTls.context(serving, List.of(ca.certificate()), List.of(ca.certificate())))
                .listen("127.0.0.1", 0)
                .serve(new Registry.Served(Schema.get(), ObjectRules.standard()))
                .authenticator(new StaticTokenAuthenticator(
                        Map.of(TOKEN, new UserInfo("admin", "", List.of("system:masters"), Map.of()))))
                .authorizer(new AlwaysAllowGroupsAuthorizer(List.of("system:masters")))
                .limits(limits)
                .start();
        clientTls = trusting(ca);
    }

    static AdminTlsServer start(Path dir, StorageSettings settings, InFlightLimits.Settings limits) {
        return new AdminTlsServer(dir, settings, limits);
    }

    /** With the default storage settings and in-flight bounds of 100. */
    static AdminTlsServer start(Path dir) {
        return start(dir, StorageSettings.defaults(), new InFlightLimits.Settings(100, 100, 100));
    }

    int port() {
        return server.port();
    }

    /** A JDK client of {@code version} that trusts the server. */
    HttpClient client(HttpClient.Version version) {
        return HttpClient.newBuilder().version(version).sslContext(clientTls).build();
    }

    @Override
    public void close() {
        server.close();
        storage.close();
    }

    /**
     * Creates DatabaseInstances {@code o0} … {@code o<count-1>} in {@code namespace} through the registry, each with an
     * annotation of about 6 KB (its index repeated), for tests of large bodies; returns their store.
     */
    ResourceStore createLargeInstances(String namespace, int count) {
        ResourceStore store = new Registry(Schema.get(), storage, ObjectRules.standard(), Clock.systemUTC())
                .byPlural("databaseinstances")
                .orElseThrow();
        KubeCodec codec = new KubeCodec(Schema.get(), io.dbprovision.api.codec.Limits.defaults());
        for (int i = 0; i < count; i++) {
            String json = """
                    {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"DatabaseInstance",
                     "metadata":{"name":"o%d","annotations":{"example.com/padding":"%s"}},
                     "spec":{"engine":"postgres","connection":{"host":"db.example.com","secretRef":{"name":"s"}}}}
                    """.formatted(
                    i, Integer.toString(i).repeat(6_000 / Integer.toString(i).length()));
            Message object = codec.decodeJson(
                            json.getBytes(StandardCharsets.UTF_8), store.kind().object())
                    .object();
            store.create(RequestContext.internal("test"), namespace, object, WriteOptions.DEFAULT);
        }
        return store;
    }

    private static SSLContext trusting(Pki.Issued ca) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, trustManagers.getTrustManagers(), null);
            return tls;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
