package io.dbprovision.apiserver.provisioning;

import static io.dbprovision.apiserver.provisioning.EmbeddedProvisionerTest.POSTGRES;
import static io.dbprovision.apiserver.provisioning.EmbeddedProvisionerTest.assertRefused;
import static io.dbprovision.apiserver.provisioning.EmbeddedProvisionerTest.check;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dbprovision.apiserver.server.Pki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's TLS material from files: rotated files are used by new connections, a half-done rotation keeps the
 * previous pair, and files that cannot be used stop the start with a message naming the file, never its content.
 */
class ProvisionerClientTest {
    private static final Pki.Issued CA = Pki.newCa("dbppv-client-test-ca", Duration.ofDays(30));
    private static final Pki.Issued OTHER_CA = Pki.newCa("dbppv-client-test-other-ca", Duration.ofDays(30));

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
    }

    @Test
    void replacedFilesAreUsedByNewConnections() throws IOException {
        EmbeddedProvisioner provisioner = provisioner();
        Pki.Issued apiServer = Pki.newClient(CA, EmbeddedProvisioner.CLIENT_USER, List.of(), Duration.ofDays(1));
        write("ca.crt", CA.certificatePem());
        write("client.crt", apiServer.certificatePem());
        write("client.key", apiServer.keyPem());
        ProvisionerClientTls tls = filesTls();
        assertThat(check(connect(provisioner, tls), POSTGRES).getVersion()).isNotEmpty();

        // rotated to a certificate the provisioner does not accept: new connections present it and are refused
        Pki.Issued stranger = Pki.newClient(OTHER_CA, EmbeddedProvisioner.CLIENT_USER, List.of(), Duration.ofDays(1));
        replace("client.key", stranger.keyPem());
        replace("client.crt", stranger.certificatePem());
        assertThat(tls.reloadIfChanged()).isTrue();
        assertThat(tls.reloadIfChanged()).as("nothing changed since").isFalse();

        assertRefused(() -> check(connect(provisioner, tls), POSTGRES));
    }

    @Test
    void aHalfReplacedPairKeepsThePreviousOneUntilTheKeyMatches() throws IOException {
        EmbeddedProvisioner provisioner = provisioner();
        Pki.Issued first = Pki.newClient(CA, EmbeddedProvisioner.CLIENT_USER, List.of(), Duration.ofDays(1));
        Pki.Issued second = Pki.newClient(CA, EmbeddedProvisioner.CLIENT_USER, List.of(), Duration.ofDays(2));
        write("ca.crt", CA.certificatePem());
        write("client.crt", first.certificatePem());
        write("client.key", first.keyPem());
        ProvisionerClientTls tls = filesTls();

        replace("client.crt", second.certificatePem());
        assertThat(tls.reloadIfChanged())
                .as("a certificate without its key is not loaded")
                .isFalse();
        assertThat(check(connect(provisioner, tls), POSTGRES).getVersion()).isNotEmpty();

        replace("client.key", second.keyPem());
        assertThat(tls.reloadIfChanged()).isTrue();
        assertThat(check(connect(provisioner, tls), POSTGRES).getVersion()).isNotEmpty();

        replace("client.key", "");
        assertThat(tls.reloadIfChanged())
                .as("an emptied key file is not loaded")
                .isFalse();
        assertThat(check(connect(provisioner, tls), POSTGRES).getVersion()).isNotEmpty();
    }

    @Test
    void filesThatCannotBeUsedStopTheStartNamingTheFileButNotItsContent() throws IOException {
        Pki.Issued client = Pki.newClient(CA, "reconciler", List.of(), Duration.ofDays(1));
        Pki.Issued other = Pki.newClient(CA, "reconciler", List.of(), Duration.ofDays(1));
        write("ca.crt", CA.certificatePem());
        write("client.crt", client.certificatePem());

        assertStartRefused("client.key", "NoSuchFile", "client.key");
        write("client.key", "-----BEGIN PRIVATE KEY-----\nTOP-SECRET-KEY-MATERIAL\n-----END PRIVATE KEY-----\n");
        assertStartRefused("client.key", "TOP-SECRET", "not an unencrypted PEM private key");
        write("client.key", other.keyPem());
        assertStartRefused(
                "client.key", other.keyPem().lines().skip(1).findFirst().orElseThrow(), "does not belong");
        write("client.key", client.keyPem());
        write("ca.crt", "");
        assertStartRefused("ca.crt", "BEGIN", "no PEM certificate");
        write("ca.crt", client.keyPem());
        assertStartRefused("ca.crt", client.keyPem().lines().skip(1).findFirst().orElseThrow(), "ca.crt");
    }

    @Test
    void pemTextOfEverySizeAndShapeIsRefusedCleanly() {
        SecureRandom random = new SecureRandom();
        List<String> hostile = new ArrayList<>(List.of(
                "",
                "\u0000",
                "-----BEGIN CERTIFICATE-----",
                "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
                "-----BEGIN CERTIFICATE-----\n" + "A".repeat(1 << 16) + "\n-----END CERTIFICATE-----\n",
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
                "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
                "\u202e\ud800 not PEM at all",
                "x".repeat(1 << 20)));
        byte[] bytes = new byte[1 << 16];
        random.nextBytes(bytes);
        hostile.add(new String(bytes, StandardCharsets.ISO_8859_1));
        Pki.Issued client = Pki.newClient(CA, "reconciler", List.of(), Duration.ofDays(1));

        for (String text : hostile) {
            String shown = text.length() > 40 ? text.substring(0, 40) : text;
            assertThat(catchThrowableOfType(
                            IllegalArgumentException.class,
                            () -> ProvisionerClientTls.fromPem(text, client.certificatePem(), client.keyPem())))
                    .as("CA %s", shown)
                    .isNotNull();
            assertThat(catchThrowableOfType(
                            IllegalArgumentException.class,
                            () -> ProvisionerClientTls.fromPem(CA.certificatePem(), text, client.keyPem())))
                    .as("certificate %s", shown)
                    .isNotNull();
            IllegalArgumentException key = catchThrowableOfType(
                    IllegalArgumentException.class,
                    () -> ProvisionerClientTls.fromPem(CA.certificatePem(), client.certificatePem(), text));
            assertThat(key).as("key %s", shown).isNotNull();
            assertThat(key.getMessage()).hasSizeLessThan(200);
        }
    }

    @Test
    void keepalivePingsMoreOftenThanTheProvisionerAllowsAreRefused() {
        ProvisionerClient.Settings defaults = ProvisionerClient.Settings.defaults();

        assertThat(catchThrowableOfType(
                        IllegalArgumentException.class,
                        () -> new ProvisionerClient.Settings(
                                defaults.maxInboundMessageBytes(),
                                Duration.ofSeconds(5),
                                defaults.keepAliveTimeout(),
                                defaults.reloadInterval(),
                                defaults.closeTimeout())))
                .hasMessageContaining("20s");
        assertThat(catchThrowableOfType(
                        IllegalArgumentException.class,
                        () -> new ProvisionerClient.Settings(
                                0,
                                defaults.keepAliveTime(),
                                defaults.keepAliveTimeout(),
                                defaults.reloadInterval(),
                                defaults.closeTimeout())))
                .isNotNull();
    }

    private void assertStartRefused(String file, String notShown, String shown) {
        IllegalArgumentException refused = catchThrowableOfType(IllegalArgumentException.class, this::filesTls);
        assertThat(refused).as("refused because of " + file).isNotNull();
        assertThat(refused.getMessage()).contains(file).contains(shown).doesNotContain(notShown);
    }

    private EmbeddedProvisioner provisioner() {
        EmbeddedProvisioner provisioner = EmbeddedProvisioner.startWithCaIn(dir.resolve("pki"), CA);
        open.add(provisioner);
        return provisioner;
    }

    private ProvisionerClientTls filesTls() {
        return ProvisionerClientTls.fromFiles(
                dir.resolve("ca.crt"), dir.resolve("client.crt"), dir.resolve("client.key"));
    }

    /** A new channel, so a new handshake with what the material holds now. */
    private ProvisionerClient connect(EmbeddedProvisioner provisioner, ProvisionerClientTls tls) {
        ProvisionerClient client = ProvisionerClient.connect(ProvisionerAddress.loopback(provisioner.port()), tls);
        open.add(client);
        return client;
    }

    private void write(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content);
    }

    /** As a Secret mount or cert-manager replaces a file: written aside, then renamed over. */
    private void replace(String name, String content) throws IOException {
        Path aside = dir.resolve(name + ".new");
        Files.writeString(aside, content);
        Files.move(aside, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
