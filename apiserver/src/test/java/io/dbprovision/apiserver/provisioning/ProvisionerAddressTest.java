package io.dbprovision.apiserver.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --provisioner-address}: what a Deployment writes is read; everything else is refused without echoing it. */
class ProvisionerAddressTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "localhost:50051",
                "dbprovision-provisioner.dbprovision.svc:50051",
                "dbprovision-provisioner.dbprovision.svc.cluster.local.:443",
                "10.0.0.5:1",
                "127.0.0.1:65535",
                "[::1]:50051",
                "[fe80::1:2]:443",
                "[2001:db8::8a2e:370:7334]:50051"
            })
    void whatADeploymentWritesIsRead(String text) {
        ProvisionerAddress address = ProvisionerAddress.parse(text);

        assertThat(address.toString()).isEqualTo(text);
        assertThat(ProvisionerAddress.parse(address.toString())).isEqualTo(address);
    }

    @Test
    void theHostIsWhatTheCertificateMustNameAndIpv6LosesItsBrackets() {
        assertThat(ProvisionerAddress.parse("[::1]:50051")).isEqualTo(new ProvisionerAddress("::1", 50051));
        assertThat(ProvisionerAddress.parse("provisioner:7")).isEqualTo(new ProvisionerAddress("provisioner", 7));
    }

    static List<String> hostile() {
        List<String> values = new ArrayList<>(List.of(
                "",
                " ",
                "provisioner",
                "provisioner:",
                ":50051",
                "provisioner:0",
                "provisioner:65536",
                "provisioner:99999",
                "provisioner:123456",
                "provisioner:-1",
                "provisioner:+1",
                "provisioner:1e3",
                "provisioner:0x50",
                "provisioner: 50051",
                "provisioner :50051",
                "::1:50051",
                "[::1]50051",
                "[::1]:",
                "[::1",
                "[zz::1]:50051",
                "[127.0.0.1]:50051",
                "[fe80::1%eth0]:50051",
                "[]:50051",
                "prov isioner:50051",
                "provisioner\n:50051",
                "provisioner\r\nX-Injected: yes:50051",
                "provisioner\u0000:50051",
                "provisioner\u001b[31m:50051",
                "a..b:50051",
                ".a:50051",
                "-a:50051",
                "a-:50051",
                "a_b:50051",
                "a".repeat(64) + ":50051",
                ("a".repeat(63) + ".").repeat(4) + "a:50051",
                "pr\u043evisioner:50051",
                "provisioner\u202e:50051",
                "http://provisioner:50051",
                "dns:///provisioner:50051",
                "provisioner:50051/path",
                "user@provisioner:50051",
                "provisioner:50051?x=1",
                "'; DROP TABLE x; --:50051",
                "${jndi:ldap://x}:50051",
                "%00:50051",
                "x".repeat(1 << 20) + ":50051"));
        return values;
    }

    @ParameterizedTest
    @MethodSource("hostile")
    void anythingElseIsRefusedWithAMessageThatShowsNothingUnprintable(String text) {
        IllegalArgumentException refused =
                catchThrowableOfType(IllegalArgumentException.class, () -> ProvisionerAddress.parse(text));

        assertThat(refused)
                .as("refused: %s", text.length() > 80 ? text.substring(0, 80) : text)
                .isNotNull();
        assertThat(refused.getMessage()).startsWith("--provisioner-address");
        assertThat(refused.getMessage().length()).isLessThan(250);
        assertThat(refused.getMessage().chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    @Test
    void aNullIsRefusedToo() {
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> ProvisionerAddress.parse(null)))
                .hasMessageContaining("host:port");
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> new ProvisionerAddress(null, 1)))
                .hasMessageContaining("host");
    }
}
