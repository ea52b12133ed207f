package io.dbprovision.apiserver.auth;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * x509 client certificates signed by a trusted CA, with the client-auth usage: the user is the subject's CN, the
 * groups its O values, as Kubernetes reads them. The TLS layer accepts any certificate at handshake time (so that a
 * foreign certificate never aborts the handshake); the chain is verified here.
 */
public final class ClientCertificateAuthenticator implements Authenticator {
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private final Set<TrustAnchor> anchors;

    public ClientCertificateAuthenticator(List<X509Certificate> trustedCas) {
        Set<TrustAnchor> set = new java.util.HashSet<>();
        trustedCas.forEach(ca -> set.add(new TrustAnchor(ca, null)));
        this.anchors = Set.copyOf(set);
    }

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        List<X509Certificate> chain = credentials.clientChain();
        if (chain.isEmpty() || !verified(chain)) {
            return Optional.empty();
        }
        X509Certificate leaf = chain.getFirst();
        String user = null;
        List<String> groups = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    user = rdn.getValue().toString();
                } else if (rdn.getType().equalsIgnoreCase("O")) {
                    groups.add(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        return user == null ? Optional.empty() : Optional.of(new UserInfo(user, "", groups, Map.of()));
    }

    private boolean verified(List<X509Certificate> chain) {
        try {
            X509Certificate leaf = chain.getFirst();
            List<String> usages = leaf.getExtendedKeyUsage();
            if (usages == null || !usages.contains(CLIENT_AUTH)) {
                return false;
            }
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
