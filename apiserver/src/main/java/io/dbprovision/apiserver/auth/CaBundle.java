package io.dbprovision.apiserver.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * An immutable set of CA certificates that client certificates are verified against: the chain must reach one of
 * them under PKIX rules (validity dates included) and the leaf must carry the client-auth extended key usage, as
 * Kubernetes' x509 authenticator requires. Bundles are swapped whole when a CA file or ConfigMap changes, so a
 * verification never sees half of an old and half of a new set.
 *
 * <p>A bundle remembers the chains it has verified until the first of their certificates expires: a front proxy (the
 * kube-aggregator) or a kubectl presents the same chain on every request, and a PKIX validation with its ECDSA or RSA
 * signature checks costs more than the rest of authenticating and authorizing a request together. The verdict depends
 * on nothing else (the anchors are this bundle's, fixed; revocation is not checked; the dates are), so a remembered
 * one is the one a validation would give. Only successes are kept, so that nobody can fill the memory with chains
 * that fail.
 */
public final class CaBundle {
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final CaBundle EMPTY = new CaBundle(List.of(), System::currentTimeMillis);
    /** Chains remembered at most; when full the memory starts again (a miss only costs a validation). */
    private static final int MAX_REMEMBERED = 1024;

    private final List<X509Certificate> certificates;
    private final Set<TrustAnchor> anchors;
    /** Chains verified (leaf first) → when their certificates are all valid. */
    private final ConcurrentHashMap<List<X509Certificate>, Validity> verified = new ConcurrentHashMap<>();
    /** The time certificates are checked at, in epoch milliseconds (tests move it). */
    private final LongSupplier clock;

    /** From the latest notBefore to the earliest notAfter of a chain's certificates, in epoch milliseconds. */
    private record Validity(long from, long until) {
        static Validity of(List<X509Certificate> chain) {
            long from = Long.MIN_VALUE;
            long until = Long.MAX_VALUE;
            for (X509Certificate certificate : chain) {
                from = Math.max(from, certificate.getNotBefore().getTime());
                until = Math.min(until, certificate.getNotAfter().getTime());
            }
            return new Validity(from, until);
        }

        boolean covers(long time) {
            return from <= time && time <= until;
        }
    }

    private CaBundle(List<X509Certificate> certificates, LongSupplier clock) {
        this.clock = clock;
        this.certificates = List.copyOf(certificates);
        Set<TrustAnchor> set = new HashSet<>();
        certificates.forEach(ca -> set.add(new TrustAnchor(ca, null)));
        this.anchors = Set.copyOf(set);
    }

    public static CaBundle of(List<X509Certificate> certificates) {
        return certificates.isEmpty() ? EMPTY : new CaBundle(certificates, System::currentTimeMillis);
    }

    /** A bundle that checks validity dates at {@code clock}'s time (epoch milliseconds): for tests. */
    static CaBundle of(List<X509Certificate> certificates, LongSupplier clock) {
        return new CaBundle(certificates, clock);
    }

    /** Trusts nobody: every verification fails. */
    public static CaBundle empty() {
        return EMPTY;
    }

    /** The certificates of a PEM bundle; anything that is not a certificate is refused. */
    public static CaBundle parsePem(String pem) {
        if (pem.isBlank()) {
            return EMPTY;
        }
        try {
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("the CA bundle holds no certificate");
            }
            return of(certificates);
        } catch (CertificateException | ClassCastException e) {
            throw new IllegalArgumentException("the CA bundle is not a list of PEM certificates", e);
        }
    }

    public static CaBundle read(Path file) {
        try {
            return parsePem(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the CA bundle " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public List<X509Certificate> certificates() {
        return certificates;
    }

    public boolean isEmpty() {
        return certificates.isEmpty();
    }

    /** Whether {@code chain} (leaf first) is a client certificate issued, directly or not, by one of these CAs. */
    public boolean verifiesClient(List<X509Certificate> chain) {
        if (chain.isEmpty() || anchors.isEmpty()) {
            return false;
        }
        long now = clock.getAsLong();
        Validity remembered = verified.get(chain);
        if (remembered != null && remembered.covers(now)) {
            return true;
        }
        if (!validates(chain, now)) {
            return false;
        }
        if (verified.size() >= MAX_REMEMBERED) {
            verified.clear();
        }
        verified.put(List.copyOf(chain), Validity.of(chain));
        return true;
    }

    private boolean validates(List<X509Certificate> chain, long now) {
        try {
            List<String> usages = chain.getFirst().getExtendedKeyUsage();
            if (usages == null || !usages.contains(CLIENT_AUTH)) {
                return false;
            }
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(new Date(now));
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * The subject's common name, as Kubernetes reads the user of a client certificate: when a subject carries several
     * CNs, the last one, as Go's {@code pkix.Name} keeps it.
     */
    public static Optional<String> commonName(X509Certificate certificate) {
        List<String> names = attributes(certificate, "CN");
        return names.isEmpty() ? Optional.empty() : Optional.of(names.getLast());
    }

    /** The values of one attribute type (CN, O) of the subject, in the certificate's (ASN.1) order. */
    public static List<String> attributes(X509Certificate certificate, String type) {
        List<String> values = new ArrayList<>();
        try {
            // LdapName's RDN list runs in ASN.1 order, the reverse of the RFC 2253 string
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase(type)) {
                    values.add(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            return List.of();
        }
        return values;
    }
}
