package io.dbprovision.provisioner.engine.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.proto.engine.v1alpha1.Tls;
import io.dbprovision.proto.v1alpha1.SSLMode;
import io.dbprovision.provisioner.engine.EngineException;
import java.security.PrivateKey;
import java.security.Signature;
import org.junit.jupiter.api.Test;

class PemTest {
    private static final TestCertificates CA = TestCertificates.newCa("dbpcore pem CA");

    @Test
    void readsRsaAndEcKeysInPkcs8AndTraditionalForm() throws Exception {
        TestCertificates.Issued rsa = CA.client("dbpcore_a", false);
        TestCertificates.Issued ec = CA.client("dbpcore_b", true);
        assertThat(rsa.traditionalKeyPem()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(ec.traditionalKeyPem()).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(rsa.keyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
        for (TestCertificates.Issued issued : new TestCertificates.Issued[] {rsa, ec}) {
            assertThat(signsFor(Pem.privateKey(issued.keyPem(), "key"), issued)).isTrue();
            assertThat(signsFor(Pem.privateKey(issued.traditionalKeyPem(), "key"), issued))
                    .isTrue();
        }
    }

    /** Whether a key's signature verifies with the certificate's public key: the same key, however encoded. */
    private static boolean signsFor(PrivateKey key, TestCertificates.Issued issued) throws Exception {
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(issued.certificate().getPublicKey());
        verifier.update(new byte[] {1, 2, 3});
        return verifier.verify(signature);
    }

    @Test
    void readsCertificateChainsInOrder() {
        TestCertificates.Issued leaf = CA.server("localhost");
        assertThat(Pem.certificates(leaf.certificatePem() + CA.caPem(), "chain"))
                .containsExactly(leaf.certificate(), CA.ca().certificate());
    }

    @Test
    void malformedMaterialIsRefusedWithoutQuotingIt() {
        String secretKey = CA.client("dbpcore_c", false).keyPem();
        assertThatThrownBy(() -> Pem.certificates(secretKey, "CA"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(secretKey.substring(40, 80));
        assertThatThrownBy(() -> Pem.certificates("not pem", "CA")).hasMessageContaining("no certificate");
        assertThatThrownBy(() -> TlsMaterial.of(
                        Tls.newBuilder().setMode(SSLMode.SSL_MODE_VERIFY_FULL).build()))
                .isInstanceOfSatisfying(
                        EngineException.InvalidDefinition.class,
                        e -> assertThat(e.field()).isEqualTo("instance.tls.caPem"));
        assertThatThrownBy(() -> TlsMaterial.of(Tls.newBuilder()
                        .setMode(SSLMode.SSL_MODE_REQUIRE)
                        .setClientCertPem(CA.client("dbpcore_d", false).certificatePem())
                        .build()))
                .isInstanceOf(EngineException.InvalidDefinition.class);
    }
}
