package io.dbprovision.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.server.Pki;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Client certificates verified against a CA bundle, and the verdicts it remembers: a remembered success holds only
 * while every certificate of the chain is within its dates, as a validation at that time would say.
 */
class CaBundleTest {
    private final Pki.Issued ca = Pki.newCa("bundle-test-ca", Duration.ofDays(10));
    private final Pki.Issued client = Pki.newClient(ca, "alice", List.of("developers"), Duration.ofDays(1));
    private final AtomicLong now = new AtomicLong(System.currentTimeMillis());
    private final CaBundle bundle = CaBundle.of(List.of(ca.certificate()), now::get);

    @Test
    void aClientCertificateOfTheCaIsVerifiedEveryTimeItIsPresented() {
        assertThat(bundle.verifiesClient(List.of(client.certificate()))).isTrue();
        assertThat(bundle.verifiesClient(List.of(client.certificate()))).isTrue();
        assertThat(bundle.verifiesClient(List.of(client.certificate(), ca.certificate())))
                .isTrue();
    }

    @Test
    void aRememberedVerdictEndsWhenTheCertificateExpires() {
        X509Certificate certificate = client.certificate();
        assertThat(bundle.verifiesClient(List.of(certificate))).isTrue();

        now.set(certificate.getNotAfter().getTime() + 1);
        assertThat(bundle.verifiesClient(List.of(certificate))).isFalse();
        assertThat(bundle.verifiesClient(List.of(certificate))).isFalse();
    }

    @Test
    void aRememberedVerdictDoesNotHoldBeforeTheCertificateIsValid() {
        X509Certificate certificate = client.certificate();
        assertThat(bundle.verifiesClient(List.of(certificate))).isTrue();

        now.set(certificate.getNotBefore().getTime() - 1);
        assertThat(bundle.verifiesClient(List.of(certificate))).isFalse();
    }

    @Test
    void certificatesOfAnotherCaOrForServingAreRefusedEveryTime() {
        Pki.Issued other = Pki.newCa("another-ca", Duration.ofDays(10));
        Pki.Issued stranger = Pki.newClient(other, "mallory", List.of("system:masters"), Duration.ofDays(1));
        Pki.Issued serving =
                Pki.newServing(ca, "server", List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1));
        for (int i = 0; i < 2; i++) {
            assertThat(bundle.verifiesClient(List.of(stranger.certificate()))).isFalse();
            assertThat(bundle.verifiesClient(List.of(serving.certificate()))).isFalse();
        }
        assertThat(CaBundle.empty().verifiesClient(List.of(client.certificate())))
                .isFalse();
    }

    @Test
    void anotherBundleRemembersNothingOfThisOne() {
        assertThat(bundle.verifiesClient(List.of(client.certificate()))).isTrue();
        Pki.Issued other = Pki.newCa("replacement-ca", Duration.ofDays(10));
        CaBundle replaced = CaBundle.of(List.of(other.certificate()), now::get);
        assertThat(replaced.verifiesClient(List.of(client.certificate()))).isFalse();
    }
}
