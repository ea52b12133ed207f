package io.dbprovision.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.apiserver.auth.delegated.DelegatedOptions;
import io.dbprovision.apiserver.auth.delegated.FakeKubeApiServer;
import io.dbprovision.apiserver.provisioning.ProvisionerAddress;
import io.dbprovision.apiserver.provisioning.ProvisionerChoice;
import io.dbprovision.apiserver.server.DelegatedServer;
import io.dbprovision.apiserver.server.Pki;
import io.dbprovision.apiserver.server.StorageChoice;
import io.dbprovision.apiserver.server.TlsClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code dbprovision serve}: its help names every flag, the flags become the server's options with k8s.io/apiserver's
 * notations (Go durations, comma-separated and repeated lists, {@code --flag=true}), combinations that cannot work are
 * refused with a message that names the flag, and {@code --storage-backend=postgres} runs two replicas on one
 * database of the machine's PostgreSQL (127.0.0.1:5432, a fresh {@code dbpserve_} database, dropped afterwards).
 */
class ServeCommandTest {
    private static final String POSTGRES = System.getProperty("dbprovision.test.postgres", "//127.0.0.1:5432/");
    private static final String SA_TOKEN = "service-account-token-of-dbprovision";

    @TempDir
    Path dir;

    @Test
    void helpListsEveryFlag() {
        StringWriter out = new StringWriter();
        int code = new CommandLine(new Main()).setOut(new PrintWriter(out)).execute("serve", "--help");

        assertThat(code).isZero();
        assertThat(out.toString())
                .contains(
                        "--secure-port",
                        "--bind-address",
                        "--tls-cert-file",
                        "--tls-private-key-file",
                        "--cert-dir",
                        "--client-ca-file",
                        "--requestheader-client-ca-file",
                        "--requestheader-allowed-names",
                        "--requestheader-username-headers",
                        "--requestheader-uid-headers",
                        "--requestheader-group-headers",
                        "--requestheader-extra-headers-prefix",
                        "--authentication-kubeconfig",
                        "--authentication-token-webhook-cache-ttl",
                        "--authentication-skip-lookup",
                        "--authentication-tolerate-lookup-failure",
                        "--api-audiences",
                        "--anonymous-auth",
                        "--authorization-kubeconfig",
                        "--authorization-webhook-cache-authorized-ttl",
                        "--authorization-webhook-cache-unauthorized-ttl",
                        "--authorization-always-allow-paths",
                        "--storage-backend",
                        "--storage-postgres-url",
                        "--storage-postgres-user",
                        "--storage-postgres-password-file",
                        "--data-dir",
                        "--provisioner-address",
                        "--provisioner-ca-file",
                        "--provisioner-client-cert-file",
                        "--provisioner-client-key-file",
                        "--audit-policy-file",
                        "--audit-log-path",
                        "--audit-log-maxsize",
                        "--audit-log-maxbackup",
                        "--audit-log-maxage",
                        "--audit-log-format");
    }

    @Test
    void theDefaultsAreKubernetesDefaults() {
        DelegatedServer.Options options = parse("--storage-postgres-url=jdbc:postgresql://db:5432/dbprovision");

        assertThat(options.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(options.securePort()).isEqualTo(8443);
        assertThat(options.serving().certificateFile()).isEmpty();
        assertThat(options.serving().certDir()).isEqualTo(Path.of("apiserver.local.config/certificates"));
        assertThat(options.anonymous()).isFalse();
        assertThat(options.provisioner()).isEqualTo(ProvisionerChoice.inProcess());
        assertThat(options.storage())
                .isEqualTo(new StorageChoice.Postgres(
                        "jdbc:postgresql://db:5432/dbprovision", Optional.empty(), Optional.empty()));
        DelegatedOptions defaults = DelegatedOptions.defaults();
        DelegatedOptions auth = options.auth();
        assertThat(auth.authenticationKubeconfig()).isEmpty();
        assertThat(auth.authorizationKubeconfig()).isEmpty();
        assertThat(auth.authenticationTokenWebhookCacheTtl()).isEqualTo(defaults.authenticationTokenWebhookCacheTtl());
        assertThat(auth.authorizationWebhookCacheAuthorizedTtl())
                .isEqualTo(defaults.authorizationWebhookCacheAuthorizedTtl());
        assertThat(auth.authorizationWebhookCacheUnauthorizedTtl())
                .isEqualTo(defaults.authorizationWebhookCacheUnauthorizedTtl());
        assertThat(auth.authorizationAlwaysAllowPaths()).isEqualTo(defaults.authorizationAlwaysAllowPaths());
        assertThat(auth.requestheaderUsernameHeaders()).isEqualTo(defaults.requestheaderUsernameHeaders());
        assertThat(auth.requestheaderGroupHeaders()).isEqualTo(defaults.requestheaderGroupHeaders());
        assertThat(auth.requestheaderExtraHeadersPrefix()).isEqualTo(defaults.requestheaderExtraHeadersPrefix());
        assertThat(auth.requestheaderUidHeaders()).isEmpty();
        assertThat(auth.requestheaderAllowedNames()).isEmpty();
        assertThat(auth.authenticationSkipLookup()).isFalse();
        assertThat(auth.authenticationTolerateLookupFailure()).isFalse();
    }

    @Test
    void flagsAreReadAsKubernetesWritesThem() {
        DelegatedServer.Options options = parse(
                "--secure-port=9443",
                "--bind-address",
                "10.0.0.5",
                "--tls-cert-file=/tls/tls.crt",
                "--tls-private-key-file=/tls/tls.key",
                "--authentication-kubeconfig=/etc/kube/authn",
                "--authorization-kubeconfig=/etc/kube/authz",
                "--authentication-token-webhook-cache-ttl=1m30s",
                "--authorization-webhook-cache-authorized-ttl=5m",
                "--authorization-webhook-cache-unauthorized-ttl=250ms",
                "--authorization-always-allow-paths=/healthz,/metrics",
                "--requestheader-client-ca-file=/etc/front-proxy/ca.crt",
                "--requestheader-allowed-names=front-proxy-client,aggregator",
                "--requestheader-username-headers=X-Remote-User",
                "--requestheader-group-headers=X-Remote-Group",
                "--requestheader-group-headers=X-Other-Group",
                "--requestheader-uid-headers=X-Remote-Uid",
                "--requestheader-extra-headers-prefix=X-Remote-Extra-",
                "--client-ca-file=/etc/kube/ca.crt",
                "--authentication-skip-lookup",
                "--authentication-tolerate-lookup-failure=true",
                "--anonymous-auth=false",
                "--api-audiences=https://kubernetes.default.svc",
                "--storage=embedded",
                "--data-dir=/var/lib/dbprovision",
                "--provisioner-address=dbprovision-provisioner.dbprovision.svc:50051",
                "--provisioner-ca-file=/etc/provisioner/ca.crt",
                "--provisioner-client-cert-file=/etc/provisioner/tls.crt",
                "--provisioner-client-key-file=/etc/provisioner/tls.key",
                "--audit-log-path=-");

        assertThat(options.bindAddress()).isEqualTo("10.0.0.5");
        assertThat(options.securePort()).isEqualTo(9443);
        assertThat(options.serving().certificateFile()).contains(Path.of("/tls/tls.crt"));
        assertThat(options.serving().keyFile()).contains(Path.of("/tls/tls.key"));
        assertThat(options.storage()).isEqualTo(new StorageChoice.Embedded(Path.of("/var/lib/dbprovision"), true));
        assertThat(options.audit().logPath()).isEqualTo("-");
        assertThat(options.provisioner())
                .isEqualTo(new ProvisionerChoice.External(
                        new ProvisionerAddress("dbprovision-provisioner.dbprovision.svc", 50051),
                        Path.of("/etc/provisioner/ca.crt"),
                        Path.of("/etc/provisioner/tls.crt"),
                        Path.of("/etc/provisioner/tls.key")));
        DelegatedOptions auth = options.auth();
        assertThat(auth.authenticationKubeconfig()).contains(Path.of("/etc/kube/authn"));
        assertThat(auth.authorizationKubeconfig()).contains(Path.of("/etc/kube/authz"));
        assertThat(auth.authenticationTokenWebhookCacheTtl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(auth.authorizationWebhookCacheAuthorizedTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(auth.authorizationWebhookCacheUnauthorizedTtl()).isEqualTo(Duration.ofMillis(250));
        assertThat(auth.authorizationAlwaysAllowPaths()).containsExactly("/healthz", "/metrics");
        assertThat(auth.requestheaderClientCaFile()).contains(Path.of("/etc/front-proxy/ca.crt"));
        assertThat(auth.requestheaderAllowedNames()).containsExactly("front-proxy-client", "aggregator");
        assertThat(auth.requestheaderUsernameHeaders()).containsExactly("X-Remote-User");
        assertThat(auth.requestheaderGroupHeaders()).containsExactly("X-Remote-Group", "X-Other-Group");
        assertThat(auth.requestheaderUidHeaders()).containsExactly("X-Remote-Uid");
        assertThat(auth.requestheaderExtraHeadersPrefix()).containsExactly("X-Remote-Extra-");
        assertThat(auth.clientCaFile()).contains(Path.of("/etc/kube/ca.crt"));
        assertThat(auth.authenticationSkipLookup()).isTrue();
        assertThat(auth.authenticationTolerateLookupFailure()).isTrue();
        assertThat(auth.authenticationAudiences()).containsExactly("https://kubernetes.default.svc");
        assertThat(options.anonymous()).isFalse();
    }

    @Test
    void anEmptyListFlagIsTheEmptyList() {
        DelegatedServer.Options options = parse("--storage=embedded", "--authorization-always-allow-paths=");

        assertThat(options.auth().authorizationAlwaysAllowPaths()).isEmpty();
    }

    @Test
    void combinationsThatCannotWorkAreRefusedNamingTheFlag() {
        assertThatThrownBy(() -> parse())
                .hasMessageContaining("--storage-backend=postgres needs --storage-postgres-url");
        assertThatThrownBy(() -> parse("--storage-postgres-url=jdbc:postgresql://db/dbprovision?user=a&password=b"))
                .hasMessageContaining("--storage-postgres-url must not hold the password")
                .hasMessageNotContaining("password=b");
        assertThatThrownBy(() -> parse("--storage-postgres-url=postgres://db/dbprovision"))
                .hasMessageContaining("must be a PostgreSQL JDBC URL");
        assertThatThrownBy(() -> parse("--storage=etcd3"))
                .hasMessageContaining("--storage-backend must be 'postgres' or 'embedded', not 'etcd3'");
        assertThatThrownBy(() -> parse("--storage=embedded", "--tls-cert-file=/tls/tls.crt"))
                .hasMessageContaining("--tls-cert-file and --tls-private-key-file must be given together");
        assertThatThrownBy(() -> parse("--storage=embedded", "--authentication-token-webhook-cache-ttl=10"))
                .hasMessageContaining("'10' is not a duration");
        assertThatThrownBy(() -> parse("--storage=embedded", "--requestheader-allowed-names=a,,b"))
                .hasMessageContaining("an empty item in a list flag");
        assertThatThrownBy(() -> parse("--storage=embedded", "--provisioner-address=provisioner:50051"))
                .hasMessageContaining("--provisioner-address needs --provisioner-ca-file");
        assertThatThrownBy(() -> parse("--storage=embedded", "--provisioner-client-key-file=/tls.key"))
                .hasMessageContaining("go with --provisioner-address");
    }

    @Test
    void withoutAClusterTheServerSaysWhyItCannotStart() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Main())
                .setErr(new PrintWriter(err))
                .execute(
                        "serve",
                        "--storage=embedded",
                        "--data-dir=" + dir.resolve("data"),
                        "--cert-dir=" + dir.resolve("certs"),
                        "--bind-address=127.0.0.1",
                        "--secure-port=0",
                        "--authentication-kubeconfig=" + dir.resolve("missing-kubeconfig"));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("dbprovision serve: cannot start: cannot read the kubeconfig");
    }

    @Test
    void postgresStorageServesTwoReplicasFromOneDatabase() throws Exception {
        String database =
                "dbpserve_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        admin("CREATE DATABASE " + database);
        Pki.Issued frontProxyCa = Pki.newCa("front-proxy-ca", Duration.ofDays(1));
        Pki.Issued frontProxy = Pki.newClient(frontProxyCa, "front-proxy-client", List.of(), Duration.ofDays(1));
        FakeKubeApiServer cluster = FakeKubeApiServer.start(SA_TOKEN);
        List<AutoCloseable> open = new ArrayList<>();
        try {
            cluster.putConfigMap(FakeKubeApiServer.configMapData(
                    Optional.empty(), Optional.of(frontProxyCa), List.of("front-proxy-client")));
            Path kubeconfig = cluster.writeKubeconfig(dir.resolve("kube"), SA_TOKEN);
            Path passwordFile = dir.resolve("postgres-password");
            Files.writeString(passwordFile, "not-needed-with-trust-but-read\n");
            String[] args = {
                "--storage-backend=postgres",
                "--storage-postgres-url=jdbc:postgresql:" + POSTGRES + database,
                "--storage-postgres-user=postgres",
                "--storage-postgres-password-file=" + passwordFile,
                "--authentication-kubeconfig=" + kubeconfig,
                "--authorization-kubeconfig=" + kubeconfig,
                "--bind-address=127.0.0.1",
                "--secure-port=0",
                "--cert-dir=" + dir.resolve("certs")
            };
            DelegatedServer a = DelegatedServer.start(parse(args));
            open.add(a);
            DelegatedServer b = DelegatedServer.start(parse(args));
            open.add(b);
            assertThat(a.summary())
                    .contains("PostgreSQL at jdbc:postgresql:" + POSTGRES + database + " as postgres")
                    .doesNotContain("not-needed-with-trust-but-read");

            // both replicas serve the self-signed certificate kept in --cert-dir: its CA is the chain's last
            X509Certificate[] chain = a.servingChain();
            assertThat(b.servingChain()).isEqualTo(chain);
            TlsClient proxy = TlsClient.presenting(chain[chain.length - 1], frontProxy);
            open.add(proxy);
            List<Map.Entry<String, String>> aggregator = List.of(
                    Map.entry("X-Remote-User", "system:kube-aggregator"),
                    Map.entry("X-Remote-Group", "system:masters"));
            String instances = "/apis/dbops.dbprovision.io/v1alpha1/namespaces/team-a/databaseinstances";
            TlsClient.Response created =
                    proxy.send("POST", "https://127.0.0.1:" + a.port() + instances, aggregator, """
                    {"apiVersion":"dbops.dbprovision.io/v1alpha1","kind":"DatabaseInstance",
                     "metadata":{"name":"pg","namespace":"team-a"},
                     "spec":{"engine":"postgres","connection":{"host":"pg.databases.svc","port":5432,
                       "database":"postgres","secretRef":{"name":"pg-admin"}}}}
                    """);
            assertThat(created.code()).as(created.toString()).isEqualTo(201);

            TlsClient.Response read = proxy.get("https://127.0.0.1:" + b.port() + instances + "/pg", aggregator);
            assertThat(read.code()).as(read.toString()).isEqualTo(200);
            assertThat(read.json().path("metadata").path("uid").asText())
                    .isEqualTo(created.json().path("metadata").path("uid").asText());
        } finally {
            for (AutoCloseable closeable : open.reversed()) {
                closeable.close();
            }
            cluster.close();
            admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    private DelegatedServer.Options parse(String... args) {
        CommandLine command = new CommandLine(new ServeCommand());
        command.parseArgs(args);
        return ((ServeCommand) command.getCommand()).options();
    }

    private static void admin(String sql) throws SQLException {
        try (Connection connection =
                        DriverManager.getConnection("jdbc:postgresql:" + POSTGRES + "postgres", "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
