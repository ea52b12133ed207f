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
import io.dbprovision.provisioner.engine.password.ScramSha256;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS from JdbcSession to a PostgreSQL server of the test's own, with certificates of the test's own CA. */
class TlsPostgresTest {
    private static final String SCRAM_PASSWORD = "dbpcore-scram-'\\-pw";

    private static TestCertificates ca;
    private static TlsPostgres server;
    private static ConnectionPools pools;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(TlsPostgres.binaries().isPresent(), "PostgreSQL binaries are installed");
        ca = TestCertificates.newCa("dbpcore test CA");
        server = TlsPostgres.start(ca);
        server.psql("CREATE ROLE dbpcore_cert LOGIN");
        server.psql("CREATE ROLE dbpcore_scram LOGIN PASSWORD '" + ScramSha256.verifier(SCRAM_PASSWORD) + "'");
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
                .setEngine(EngineType.ENGINE_TYPE_POSTGRES)
                .setHost(host)
                .setPort(server.port())
                .setUsername(user)
                .setTls(tls)
                .build();
    }

    private static Tls tls(SSLMode mode, String caPem) {
        return Tls.newBuilder().setMode(mode).setCaPem(caPem).build();
    }

    private static boolean sslInUse(Instance instance) {
        try (JdbcSession session = new JdbcSession(instance, false, pools)) {
            return session.<Boolean>read(
                    "", ctx -> (Boolean) ctx.fetchValue("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));
        }
    }

    @Test
    void theServerKeyFileIsReadableByItsOwnerOnly() throws Exception {
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(server.root().resolve("server.key"))))
                .isEqualTo("rw-------");
    }

    @Test
    void verifyFullToAHostNameTheCertificateDoesNotNameFails() {
        Instance byAddress = instance("127.0.0.1", "postgres", tls(SSLMode.SSL_MODE_VERIFY_FULL, ca.caPem()));
        assertThatThrownBy(() -> sslInUse(byAddress))
                .isInstanceOf(EngineException.InstanceUnavailable.class)
                .hasMessageContaining("127.0.0.1");
    }

    @Test
    void verifyFullToTheCertificatesHostNameSucceeds() {
        assertThat(sslInUse(instance("localhost", "postgres", tls(SSLMode.SSL_MODE_VERIFY_FULL, ca.caPem()))))
                .isTrue();
    }

    @Test
    void verifyCaChecksTheChainButNotTheHostName() {
        assertThat(sslInUse(instance("127.0.0.1", "postgres", tls(SSLMode.SSL_MODE_VERIFY_CA, ca.caPem()))))
                .isTrue();
    }

    @Test
    void aCaThatDidNotSignTheServerCertificateFails() {
        String otherCa = TestCertificates.newCa("dbpcore other CA").caPem();
        for (SSLMode mode : new SSLMode[] {SSLMode.SSL_MODE_VERIFY_CA, SSLMode.SSL_MODE_VERIFY_FULL}) {
            Instance wrongCa = instance("localhost", "postgres", tls(mode, otherCa));
            assertThatThrownBy(() -> sslInUse(wrongCa)).isInstanceOf(EngineException.InstanceUnavailable.class);
        }
    }

    @Test
    void requireEncryptsWithoutACaAndDisableDoesNot() {
        assertThat(sslInUse(instance("127.0.0.1", "postgres", tls(SSLMode.SSL_MODE_REQUIRE, ""))))
                .isTrue();
        assertThat(sslInUse(instance("127.0.0.1", "postgres", Tls.getDefaultInstance())))
                .isFalse();
    }

    @Test
    void aUserWhoMayOnlyUseAClientCertificateLogsInWithOne() {
        for (boolean ec : new boolean[] {false, true}) {
            TestCertificates.Issued client = ca.client("dbpcore_cert", ec);
            Tls withCertificate = tls(SSLMode.SSL_MODE_VERIFY_FULL, ca.caPem()).toBuilder()
                    .setClientCertPem(client.certificatePem())
                    .setClientKeyPem(ec ? client.keyPem() : client.traditionalKeyPem())
                    .build();
            try (JdbcSession session =
                    new JdbcSession(instance("localhost", "dbpcore_cert", withCertificate), false, pools)) {
                assertThat(session.<Object>read("", ctx -> ctx.fetchValue("SELECT current_user")))
                        .isEqualTo("dbpcore_cert");
            }
        }
    }

    @Test
    void aUserWhoMayOnlyUseAClientCertificateIsRefusedWithoutOne() {
        Instance without = instance("localhost", "dbpcore_cert", tls(SSLMode.SSL_MODE_VERIFY_FULL, ca.caPem()));
        assertThatThrownBy(() -> sslInUse(without))
                .isInstanceOf(EngineException.InstanceUnavailable.class)
                .hasMessageContaining("admin login refused");
        TestCertificates.Issued foreign =
                TestCertificates.newCa("dbpcore foreign CA").client("dbpcore_cert", false);
        Tls foreignCertificate = tls(SSLMode.SSL_MODE_VERIFY_FULL, ca.caPem()).toBuilder()
                .setClientCertPem(foreign.certificatePem())
                .setClientKeyPem(foreign.keyPem())
                .build();
        assertThatThrownBy(() -> sslInUse(instance("localhost", "dbpcore_cert", foreignCertificate)))
                .isInstanceOf(EngineException.InstanceUnavailable.class);
    }

    @Test
    void aClientSideScramVerifierLetsTheUserLogInWithThePassword() {
        Instance right =
                instance("localhost", "dbpcore_scram", tls(SSLMode.SSL_MODE_VERIFY_FULL, ca.caPem())).toBuilder()
                        .setPassword(SCRAM_PASSWORD)
                        .build();
        assertThat(sslInUse(right)).isTrue();
        Instance wrong = right.toBuilder().setPassword(SCRAM_PASSWORD + "x").build();
        assertThatThrownBy(() -> sslInUse(wrong))
                .isInstanceOf(EngineException.InstanceUnavailable.class)
                .hasMessageContaining("admin login refused")
                .hasMessageNotContaining(SCRAM_PASSWORD);
    }
}
