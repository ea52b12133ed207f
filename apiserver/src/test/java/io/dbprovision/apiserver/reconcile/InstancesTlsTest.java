package io.dbprovision.apiserver.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.defaults.SchemaDefaulter;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.corev1.Secrets;
import io.dbprovision.proto.engine.v1alpha1.Tls;
import io.dbprovision.proto.k8s.core.v1.Secret;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import io.dbprovision.proto.v1alpha1.SSLMode;
import io.dbprovision.proto.v1alpha1.TLSMode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The TLS an instance's connection gets, from its spec as the API stores it (defaults applied): the security page's
 * examples, and {@code tls.enabled} with the mode left at its default.
 */
class InstancesTlsTest {
    private static final String NS = "ns";
    private static final String CA = "-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n";
    private static final String CERT = "-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n";
    private static final String KEY = "-----BEGIN RSA PRIVATE KEY-----\nkey\n-----END RSA PRIVATE KEY-----\n";

    private final MapSecrets secrets = new MapSecrets();
    private final Instances instances = new Instances(null, null, secrets);

    InstancesTlsTest() {
        secrets.put("admin", Map.of("username", "admin", "password", "pw"));
        secrets.put("certs", Map.of("ca.crt", CA, "tls.crt", CERT, "tls.key", KEY));
    }

    @Test
    void tlsEnabledWithTheModeLeftAtItsDefaultEncryptsWithTheSecretsMaterial() {
        // The security page's "MySQL TLS" example: enabled, no mode.
        DatabaseInstance stored = stored("""
                spec:
                  engine: mysql
                  connection:
                    host: mysql.database.svc.cluster.local
                    port: 3306
                    secretRef:
                      name: admin
                  tls:
                    enabled: true
                    secretRef:
                      name: certs
                """);
        assertThat(stored.getSpec().getTls().getMode())
                .as("what the API stores")
                .isEqualTo(TLSMode.TLS_MODE_DISABLE);

        Tls tls = tls(stored);

        assertThat(tls.getMode()).isEqualTo(SSLMode.SSL_MODE_REQUIRE);
        assertThat(tls.getCaPem()).isEqualTo(CA);
        assertThat(tls.getClientCertPem()).isEqualTo(CERT);
        assertThat(tls.getClientKeyPem()).isEqualTo(KEY);
    }

    @Test
    void tlsEnabledWithAVerifyingModeKeepsIt() {
        // The page's postgres-mtls.
        Tls tls = tls(stored("""
                spec:
                  engine: postgres
                  connection:
                    host: postgres.database.svc.cluster.local
                    port: 5432
                    secretRef:
                      name: admin
                  tls:
                    enabled: true
                    mode: verify-full
                    secretRef:
                      name: certs
                """));

        assertThat(tls.getMode()).isEqualTo(SSLMode.SSL_MODE_VERIFY_FULL);
        assertThat(tls.getClientCertPem()).isEqualTo(CERT);
    }

    @Test
    void aPostgresBlockWithItsDefaultSslModeNeverWeakensAVerifyingTlsMode() {
        // postgres.sslMode defaults to prefer when the block is there; verify-full must still win.
        Tls tls = tls(stored("""
                spec:
                  engine: postgres
                  connection:
                    host: postgres.database.svc.cluster.local
                    port: 5432
                    secretRef:
                      name: admin
                  postgres:
                    connectTimeout: 5
                  tls:
                    enabled: true
                    mode: verify-full
                    secretRef:
                      name: certs
                """));

        assertThat(tls.getMode()).isEqualTo(SSLMode.SSL_MODE_VERIFY_FULL);
    }

    @Test
    void connectionSslModeTurnsTlsOnWithoutEnabled() {
        // The page's postgres-tls.
        Tls tls = tls(stored("""
                spec:
                  engine: postgres
                  connection:
                    host: postgres.database.svc.cluster.local
                    port: 5432
                    sslMode: verify-full
                    secretRef:
                      name: admin
                  tls:
                    secretRef:
                      name: certs
                      keys:
                        ca: ca.crt
                        cert: tls.crt
                        key: tls.key
                """));

        assertThat(tls.getMode()).isEqualTo(SSLMode.SSL_MODE_VERIFY_FULL);
        assertThat(tls.getCaPem()).isEqualTo(CA);
        assertThat(tls.getClientKeyPem()).isEqualTo(KEY);
    }

    @Test
    void aTlsBlockThatIsNotEnabledStaysOffAndReadsNoMaterial() {
        Tls tls = tls(stored("""
                spec:
                  engine: mysql
                  connection:
                    host: mysql.example
                    secretRef:
                      name: admin
                  tls:
                    secretRef:
                      name: no-such-secret
                """));

        assertThat(tls.getMode()).isEqualTo(SSLMode.SSL_MODE_DISABLE);
        assertThat(tls.getCaPem()).isEmpty();
    }

    private Tls tls(DatabaseInstance instance) {
        return instances
                .connection(InstanceKey.namespaced(NS, "instance"), instance)
                .getTls();
    }

    /** The instance as the API stores it: decoded, then defaulted. */
    private static DatabaseInstance stored(String spec) {
        String yaml = "apiVersion: dbops.dbprovision.io/v1alpha1\nkind: DatabaseInstance\nmetadata:\n  name: instance\n"
                + "  namespace: " + NS + "\n" + spec;
        DatabaseInstance decoded = KubeCodec.standard()
                .decodeYaml(yaml.getBytes(StandardCharsets.UTF_8), DatabaseInstance.getDefaultInstance())
                .object();
        return SchemaDefaulter.apply(decoded);
    }

    /** Secrets of one namespace, in memory. */
    private static final class MapSecrets implements Secrets {
        private final Map<String, Secret> byName = new ConcurrentHashMap<>();

        void put(String name, Map<String, String> data) {
            Secret.Builder secret = Secret.newBuilder()
                    .setMetadata(ObjectMeta.newBuilder().setNamespace(NS).setName(name));
            data.forEach((key, value) -> secret.putData(key, ByteString.copyFromUtf8(value)));
            byName.put(name, secret.build());
        }

        @Override
        public Optional<Secret> get(String namespace, String name) {
            return namespace.equals(NS) ? Optional.ofNullable(byName.get(name)) : Optional.empty();
        }

        @Override
        public Secret create(Secret secret) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Secret update(Secret secret) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(String namespace, String name, String uid) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AutoCloseable watch(String labelSelector, Consumer<NamespacedName> changed) {
            return () -> {};
        }
    }
}
