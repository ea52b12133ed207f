package io.dbprovision.apiserver.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates for standalone mode: a CA, a serving certificate for localhost and the machine's names, and client
 * certificates. EC P-256 keys, PEM files, private keys in PKCS#8 (what Netty and Go both read).
 */
public final class Pki {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** A certificate with its private key. */
    public record Issued(X509Certificate certificate, PrivateKey key) {
        public String certificatePem() {
            return pem(certificate);
        }

        public String keyPem() {
            try {
                return pem(new JcaPKCS8Generator(key, null).generate());
            } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
                throw new IllegalStateException(e);
            }
        }

        public void write(Path certificateFile, Path keyFile) {
            writeFile(certificateFile, certificatePem(), false);
            writeFile(keyFile, keyPem(), true);
        }
    }

    private Pki() {}

    public static Issued newCa(String commonName, Duration validity) {
        KeyPair keys = keyPair();
        X500Name name = new X500Name("CN=" + commonName);
        try {
            X509v3CertificateBuilder builder = builder(name, name, keys, validity);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(
                    Extension.subjectKeyIdentifier,
                    false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            return new Issued(sign(builder, keys.getPrivate()), keys.getPrivate());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a CA", e);
        }
    }

    /** A server certificate for {@code dnsNames} and {@code ipAddresses}. */
    public static Issued newServing(
            Issued ca, String commonName, List<String> dnsNames, List<String> ipAddresses, Duration validity) {
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
        ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        return leaf(
                ca,
                new X500Name("CN=" + commonName),
                KeyPurposeId.id_kp_serverAuth,
                new GeneralNames(names.toArray(GeneralName[]::new)),
                validity);
    }

    /** A client certificate: Kubernetes reads the user from CN and the groups from O. */
    public static Issued newClient(Issued ca, String user, List<String> groups, Duration validity) {
        StringBuilder subject = new StringBuilder();
        for (String group : groups) {
            subject.append("O=").append(group).append(',');
        }
        subject.append("CN=").append(user);
        return leaf(ca, new X500Name(subject.toString()), KeyPurposeId.id_kp_clientAuth, null, validity);
    }

    private static Issued leaf(
            Issued ca, X500Name subject, KeyPurposeId purpose, GeneralNames sans, Duration validity) {
        KeyPair keys = keyPair();
        try {
            X500Name issuer = new JcaX509CertificateHolder(ca.certificate()).getSubject();
            X509v3CertificateBuilder builder = builder(issuer, subject, keys, validity);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(
                    Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            builder.addExtension(
                    Extension.authorityKeyIdentifier,
                    false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.certificate()));
            if (sans != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, sans);
            }
            return new Issued(sign(builder, ca.key()), keys.getPrivate());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a certificate", e);
        }
    }

    /** The names a local server is reached by: localhost, this host's name, and the loopback addresses. */
    public static List<String> localDnsNames() {
        List<String> names = new ArrayList<>(List.of("localhost"));
        try {
            String host = InetAddress.getLocalHost().getHostName();
            if (!names.contains(host)) {
                names.add(host);
            }
        } catch (IOException ignored) {
            // no resolvable host name: localhost and the addresses still work
        }
        return names;
    }

    public static Issued read(Path certificateFile, Path keyFile) {
        try (Reader certReader = Files.newBufferedReader(certificateFile);
                PEMParser certParser = new PEMParser(certReader);
                Reader keyReader = Files.newBufferedReader(keyFile);
                PEMParser keyParser = new PEMParser(keyReader)) {
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate((org.bouncycastle.cert.X509CertificateHolder) certParser.readObject());
            Object key = keyParser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            PrivateKey privateKey = key instanceof PEMKeyPair pair
                    ? converter.getKeyPair(pair).getPrivate()
                    : converter.getPrivateKey((PrivateKeyInfo) key);
            return new Issued(certificate, privateKey);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + certificateFile + " and " + keyFile, e);
        }
    }

    /**
     * The certificates of a PEM text, in order (a chain leaf first, or a CA bundle). {@code what} names the source in
     * the message when there is none.
     */
    public static X509Certificate[] certificates(byte[] pem, String what) {
        try {
            List<X509Certificate> certificates = new ArrayList<>();
            for (java.security.cert.Certificate certificate :
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(what + " holds no PEM certificate");
            }
            return certificates.toArray(X509Certificate[]::new);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException(what + " is not a PEM certificate list");
        }
    }

    /**
     * The private key of a PEM text: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC 1
     * ({@code EC PRIVATE KEY}), unencrypted. A failure names {@code what}, never any of the text.
     */
    public static PrivateKey privateKey(byte[] pem, String what) {
        try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
        } catch (IOException | RuntimeException e) {
            // the message below says what is wrong without echoing any of the key
        }
        throw new IllegalArgumentException(what + " is not an unencrypted PEM private key");
    }

    /**
     * Whether {@code key} belongs to {@code certificate}: a random challenge signed with the key verifies with the
     * certificate's public key. A rotation that has replaced one file of a pair but not yet the other fails here.
     */
    public static boolean keyBelongsTo(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    public static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Writes a file; a {@code secret} one (a private key, a token, a kubeconfig with a client key) is readable by the
     * server's user only from its first byte: it is written to a temporary file created with mode 0600 and then moved
     * into place, so no other user can open it in between (setting the mode after writing left a window, and kept the
     * mode of a file that existed before). A directory created for it is 0700.
     */
    static void writeFile(Path file, String content, boolean secret) {
        try {
            Path directory = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(directory)) {
                createDirectories(directory, secret);
            }
            if (!secret) {
                Files.writeString(file, content, StandardCharsets.UTF_8);
                return;
            }
            Path temporary;
            try {
                temporary = Files.createTempFile(
                        directory, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (UnsupportedOperationException e) {
                temporary = Files.createTempFile(directory, "." + file.getFileName(), ".tmp"); // not POSIX
            }
            try {
                Files.writeString(temporary, content, StandardCharsets.UTF_8);
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void createDirectories(Path directory, boolean secret) throws IOException {
        if (!secret) {
            Files.createDirectories(directory);
            return;
        }
        Files.createDirectories(directory.getParent());
        try {
            Files.createDirectory(
                    directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectory(directory);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // created meanwhile
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509v3CertificateBuilder builder(
            X500Name issuer, X500Name subject, KeyPair keys, Duration validity) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                new BigInteger(127, RANDOM),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(validity)),
                subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
