package io.dbprovision.provisioner.engine.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.engine.v1alpha1.Tls;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.SSLMode;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.jdbc.ConnectionPools;
import io.dbprovision.provisioner.engine.jdbc.JdbcSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS from JdbcSession (Connector/J, stores served from memory) to a MariaDB server of the test's own. */
class TlsMariaDbTest {
    private static TestCertificates ca;
    private static TlsMariaDb server;
    private static ConnectionPools pools;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(TlsMariaDb.installed(), "MariaDB server binaries are installed");
        ca = TestCertificates.newCa("dbpcore test CA");
        server = TlsMariaDb.start(ca);
        server.execute("CREATE USER 'dbpcore_x509'@'%' REQUIRE X509");
        pools = new ConnectionPools();
    }

    @AfterAll
    static void stop() {
        if (pools != null) {
            pools.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static Instance instance(String host, String user, Tls tls) {
        return Instance.newBuilder()
                .setEngine(EngineType.ENGINE_TYPE_MARIADB)
                .setHost(host)
                .setPort(server.port())
                .setUsername(user)
                .setTls(tls)
                .build();
    }

    private static Tls tls(SSLMode mode, String caPem) {
        return Tls.newBuilder().setMode(mode).setCaPem(caPem).build();
    }

    private static String cipher(Instance instance) {
        try (JdbcSession session = new JdbcSession(instance, false, pools)) {
            return session.<String>read(
                    "",
                    ctx -> String.valueOf(
                            ctx.fetch("SHOW STATUS LIKE 'Ssl_cipher'").getValue(0, 1)));
        }
    }

    @Test
    void verifyFullToAHostNameTheCertificateDoesNotNameFails() {
        Instance byAddress = instance("127.0.0.1", "root", tls(SSLMode.SSL_MODE_VERIFY_FULL, ca.caPem()));
        assertThatThrownBy(() -> cipher(byAddress)).isInstanceOf(EngineException.InstanceUnavailable.class);
    }

    @Test
    void verifyFullToTheCertificatesHostNameSucceeds() {
        assertThat(cipher(instance("localhost", "root", tls(SSLMode.SSL_MODE_VERIFY_FULL, ca.caPem()))))
                .isNotBlank();
    }

    @Test
    void verifyCaChecksTheChainButNotTheHostName() {
        assertThat(cipher(instance("127.0.0.1", "root", tls(SSLMode.SSL_MODE_VERIFY_CA, ca.caPem()))))
                .isNotBlank();
    }

    @Test
    void aCaThatDidNotSignTheServerCertificateFails() {
        String otherCa = TestCertificates.newCa("dbpcore other CA").caPem();
        Instance wrongCa = instance("localhost", "root", tls(SSLMode.SSL_MODE_VERIFY_FULL, otherCa));
        assertThatThrownBy(() -> cipher(wrongCa)).isInstanceOf(EngineException.InstanceUnavailable.class);
    }

    @Test
    void requireEncryptsWithoutACaAndDisableDoesNot() {
        assertThat(cipher(instance("127.0.0.1", "root", tls(SSLMode.SSL_MODE_REQUIRE, ""))))
                .isNotBlank();
        assertThat(cipher(instance("127.0.0.1", "root", Tls.getDefaultInstance())))
                .isBlank();
    }

    @Test
    void aUserWhoMustPresentACertificateLogsInWithOneAndIsRefusedWithout() {
        TestCertificates.Issued client = ca.client("dbpcore_x509", false);
        Tls withCertificate = tls(SSLMode.SSL_MODE_VERIFY_FULL, ca.caPem()).toBuilder()
                .setClientCertPem(client.certificatePem())
                .setClientKeyPem(client.traditionalKeyPem())
                .build();
        try (JdbcSession session =
                new JdbcSession(instance("localhost", "dbpcore_x509", withCertificate), false, pools)) {
            assertThat(session.<String>read("", ctx -> String.valueOf(ctx.fetchValue("SELECT current_user()"))))
                    .isEqualTo("dbpcore_x509@%");
        }

        Instance without = instance("localhost", "dbpcore_x509", tls(SSLMode.SSL_MODE_VERIFY_FULL, ca.caPem()));
        assertThatThrownBy(() -> cipher(without))
                .isInstanceOf(EngineException.InstanceUnavailable.class)
                .hasMessageContaining("admin login refused");
    }
}
