package io.dbprovision.provisioner.engine.tls;

import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads the PEM text TLS material arrives in: certificate chains, and private keys as PKCS#8 ({@code BEGIN PRIVATE
 * KEY}) or PKCS#1 / SEC1 ({@code BEGIN RSA PRIVATE KEY}, {@code BEGIN EC PRIVATE KEY}), RSA or EC. BouncyCastle
 * parses, so the JDK's PKCS#8-only key factories are no limit. Errors name what was wrong but never quote the text,
 * since a key is a secret.
 */
public final class Pem {
    private Pem() {}

    /** Every certificate in the text, in order; an error if there is none. */
    public static List<X509Certificate> certificates(String pem, String what) {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof X509CertificateHolder holder) {
                    certificates.add(converter.getCertificate(holder));
                } else {
                    throw new IllegalArgumentException(what + ": expected certificates, found " + kind(object));
                }
            }
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException(
                    what + ": not valid PEM certificates (" + e.getClass().getSimpleName() + ")");
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(what + ": no certificate found");
        }
        return certificates;
    }

    /** The one private key in the text. */
    public static PrivateKey privateKey(String pem, String what) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (object instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
                if (!(object instanceof org.bouncycastle.asn1.x9.X9ECParameters)
                        && !(object instanceof org.bouncycastle.asn1.ASN1ObjectIdentifier)) {
                    throw new IllegalArgumentException(
                            what + ": expected an unencrypted private key, found " + kind(object));
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    what + ": not a valid PEM private key (" + e.getClass().getSimpleName() + ")");
        }
        throw new IllegalArgumentException(what + ": no private key found");
    }

    private static String kind(Object object) {
        return object.getClass().getSimpleName();
    }
}
