package io.dbprovision.apiserver.provisioning;

import io.dbprovision.apiserver.server.Pki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two certificates of a provisioner inside the API server, issued by one CA: the provisioner's serving
 * certificate, good only for the loopback names it listens on (127.0.0.1 and localhost, nothing else), and the API
 * server's client certificate ({@value EmbeddedProvisioner#CLIENT_USER}). In standalone mode they live in the data
 * directory's {@code pki/} next to the server's other certificates (keys readable by the owner only) and are reused on
 * restart; a certificate that is near its end, not signed by the CA (the CA was replaced), made for other names, or
 * unreadable is issued again. Without a directory (an in-memory CA) they are issued at every start.
 */
final class ProvisionerCertificates {
    private static final Logger LOG = LoggerFactory.getLogger(ProvisionerCertificates.class);

    static final Duration LEAF_VALIDITY = Duration.ofDays(365);
    /** Issued again when less than this is left, at start and by the renewal check while running. */
    static final Duration RENEW_BEFORE = Duration.ofDays(90);

    static final String SERVING_NAME = "dbprovision-provisioner";
    static final String SERVING_FILE = "provisioner";
    static final String CLIENT_FILE = "provisioner-client";
    private static final Set<String> SERVING_NAMES = Set.of("dns:localhost", "ip:127.0.0.1");
    private static final X500Principal CLIENT_SUBJECT = new X500Principal("CN=" + EmbeddedProvisioner.CLIENT_USER);

    private final Pki.Issued ca;
    private final Optional<Path> directory;
    private final Supplier<Instant> clock;
    private volatile Pki.Issued serving;
    private volatile Pki.Issued client;

    private ProvisionerCertificates(Pki.Issued ca, Optional<Path> directory, Supplier<Instant> clock) {
        this.ca = ca;
        this.directory = directory;
        this.clock = clock;
        this.serving = servingCertificate(true);
        this.client = clientCertificate(true);
    }

    /** Kept in {@code directory} ({@code <data-dir>/pki}), issued by {@code ca} (the standalone server's CA). */
    static ProvisionerCertificates inDirectory(Path directory, Pki.Issued ca) {
        return new ProvisionerCertificates(ca, Optional.of(directory), Instant::now);
    }

    static ProvisionerCertificates inDirectory(Path directory, Pki.Issued ca, Supplier<Instant> clock) {
        return new ProvisionerCertificates(ca, Optional.of(directory), clock);
    }

    /** A CA made now and held in memory only, with the certificates it issues: nothing is written anywhere. */
    static ProvisionerCertificates inMemory() {
        Pki.Issued ca =
                Pki.newCa("dbprovision-provisioner-ca@" + Instant.now().getEpochSecond(), Duration.ofDays(3650));
        return new ProvisionerCertificates(ca, Optional.empty(), Instant::now);
    }

    X509Certificate ca() {
        return ca.certificate();
    }

    Pki.Issued serving() {
        return serving;
    }

    Pki.Issued client() {
        return client;
    }

    /** Issues again whichever certificate is near its end; returns whether either was. */
    synchronized boolean renewIfDue() {
        boolean renewed = false;
        if (nearEnd(serving.certificate())) {
            serving = servingCertificate(false);
            renewed = true;
        }
        if (nearEnd(client.certificate())) {
            client = clientCertificate(false);
            renewed = true;
        }
        return renewed;
    }

    private Pki.Issued servingCertificate(boolean reuse) {
        return reuse
                ? stored(SERVING_FILE, this::problemWithServing).orElseGet(() -> issue(SERVING_FILE, this::newServing))
                : issue(SERVING_FILE, this::newServing);
    }

    private Pki.Issued clientCertificate(boolean reuse) {
        return reuse
                ? stored(CLIENT_FILE, this::problemWithClient).orElseGet(() -> issue(CLIENT_FILE, this::newClient))
                : issue(CLIENT_FILE, this::newClient);
    }

    private Pki.Issued newServing() {
        return Pki.newServing(ca, SERVING_NAME, List.of("localhost"), List.of("127.0.0.1"), LEAF_VALIDITY);
    }

    private Pki.Issued newClient() {
        return Pki.newClient(ca, EmbeddedProvisioner.CLIENT_USER, List.of(), LEAF_VALIDITY);
    }

    private Pki.Issued issue(String name, Supplier<Pki.Issued> issuer) {
        Pki.Issued issued = issuer.get();
        directory.ifPresent(dir -> issued.write(dir.resolve(name + ".crt"), dir.resolve(name + ".key")));
        LOG.info(
                "issued the in-process provisioner's {} certificate {} (until {})",
                label(name),
                issued.certificate().getSubjectX500Principal().getName(),
                issued.certificate().getNotAfter().toInstant());
        return issued;
    }

    /** The pair kept in the directory, when there is one that can still be used. */
    private Optional<Pki.Issued> stored(String name, Function<X509Certificate, String> problemWith) {
        if (directory.isEmpty()) {
            return Optional.empty();
        }
        Path certificate = directory.get().resolve(name + ".crt");
        Path key = directory.get().resolve(name + ".key");
        if (!Files.exists(certificate) || !Files.exists(key)) {
            return Optional.empty();
        }
        String problem;
        Pki.Issued issued = null;
        try {
            issued = Pki.read(certificate, key);
            problem = problemWith.apply(issued.certificate());
            if (problem == null && !Pki.keyBelongsTo(issued.key(), issued.certificate())) {
                problem = "its key does not belong to it";
            }
        } catch (RuntimeException e) {
            problem = "it cannot be read";
        }
        if (problem != null) {
            LOG.info("issuing the in-process provisioner's {} certificate again: {}", label(name), problem);
            return Optional.empty();
        }
        return Optional.of(issued);
    }

    private static String label(String file) {
        return file.equals(SERVING_FILE) ? "serving" : "client";
    }

    private String problemWithServing(X509Certificate certificate) {
        String common = problemWithAny(certificate);
        if (common != null) {
            return common;
        }
        return SERVING_NAMES.equals(names(certificate)) ? null : "it is not for exactly 127.0.0.1 and localhost";
    }

    private String problemWithClient(X509Certificate certificate) {
        String common = problemWithAny(certificate);
        if (common != null) {
            return common;
        }
        return CLIENT_SUBJECT.equals(certificate.getSubjectX500Principal())
                ? null
                : "it is not " + EmbeddedProvisioner.CLIENT_USER + "'s";
    }

    private String problemWithAny(X509Certificate certificate) {
        try {
            certificate.verify(ca.certificate().getPublicKey());
        } catch (GeneralSecurityException e) {
            return "it was not issued by the current CA";
        }
        if (!certificate.getIssuerX500Principal().equals(ca.certificate().getSubjectX500Principal())) {
            return "it was not issued by the current CA";
        }
        if (nearEnd(certificate)) {
            return "it ends at " + certificate.getNotAfter().toInstant();
        }
        return null;
    }

    private boolean nearEnd(X509Certificate certificate) {
        return certificate.getNotAfter().toInstant().isBefore(clock.get().plus(RENEW_BEFORE));
    }

    private static Set<String> names(X509Certificate certificate) {
        Set<String> names = new HashSet<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    int type = (Integer) alternative.get(0);
                    String value = String.valueOf(alternative.get(1));
                    names.add((type == 2 ? "dns:" : type == 7 ? "ip:" : "other:") + value);
                }
            }
        } catch (CertificateParsingException e) {
            names.add("unreadable");
        }
        return names;
    }
}
