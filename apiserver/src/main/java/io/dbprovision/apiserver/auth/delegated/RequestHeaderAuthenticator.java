package io.dbprovision.apiserver.auth.delegated;

import io.dbprovision.apiserver.auth.Authenticator;
import io.dbprovision.apiserver.auth.CaBundle;
import io.dbprovision.apiserver.auth.Credentials;
import io.dbprovision.apiserver.auth.RequestHeaders;
import io.dbprovision.apiserver.auth.UserInfo;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity a front proxy (the kube-apiserver's aggregator) asserts in {@code X-Remote-User},
 * {@code X-Remote-Group} and {@code X-Remote-Extra-*}, believed only from a connection whose client certificate
 * chains to the request-header CA and, when allowed names are configured, whose CN is one of them. Anyone can send
 * these headers: from any other connection they are ignored (empty: the next authenticator tries, and sees an
 * ordinary client).
 *
 * <p>As k8s.io/apiserver reads them: the user is the first username header that has a value; groups are every
 * value of every group header; an extra key is the rest of the header name after the prefix, lower-cased then
 * percent-decoded, with every value of such headers. Stricter in one point: when the username header appears more
 * than once with different values the request is not authenticated, since which one the proxy meant is unknowable.
 */
public final class RequestHeaderAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHeaderAuthenticator.class);

    private final Supplier<Optional<RequestHeaderConfig>> config;
    private volatile KnownCertificate lastProxy;

    /** {@code config} is asked on every request (it may change as the ConfigMap does); empty turns this off. */
    public RequestHeaderAuthenticator(Supplier<Optional<RequestHeaderConfig>> config) {
        this.config = config;
    }

    @Override
    public Optional<UserInfo> authenticate(Credentials credentials) {
        Optional<RequestHeaderConfig> current = config.get();
        if (current.isEmpty() || credentials.clientChain().isEmpty()) {
            return Optional.empty();
        }
        RequestHeaderConfig proxy = current.get();
        if (!trustedProxy(proxy, credentials.clientChain())) {
            return Optional.empty();
        }
        // read from the request's own header map, by name in any case: nothing is copied but the values used
        RequestHeaders headers = credentials.headers();
        Optional<String> user = single(headers, proxy.usernameHeaders());
        if (user.isEmpty()) {
            return Optional.empty();
        }
        String uid = single(headers, proxy.uidHeaders()).orElse("");
        List<String> groups = new ArrayList<>();
        for (String name : proxy.groupHeaders()) {
            for (String value : headers.values(name)) {
                if (!value.isEmpty()) {
                    groups.add(value);
                }
            }
        }
        Map<String, List<String>> extra = new LinkedHashMap<>();
        for (String prefix : proxy.extraHeaderPrefixes()) {
            headers.forEachWithPrefix(prefix, (rest, values) -> {
                if (!rest.isEmpty()) {
                    extra.computeIfAbsent(extraKey(rest), k -> new ArrayList<>())
                            .addAll(values);
                }
            });
        }
        return Optional.of(new UserInfo(user.get(), uid, groups, extra));
    }

    private boolean trustedProxy(RequestHeaderConfig proxy, List<X509Certificate> chain) {
        if (!proxy.ca().verifiesClient(chain)) {
            return false;
        }
        if (proxy.allowedNames().isEmpty()) {
            return true;
        }
        Optional<String> cn = commonName(chain.getFirst());
        if (cn.isPresent() && proxy.allowedNames().contains(cn.get())) {
            return true;
        }
        LOG.debug(
                "a client certificate from the request-header CA has CN {}, not an allowed name: headers ignored",
                cn.orElse("(none)"));
        return false;
    }

    /**
     * The CN of the proxy's certificate, parsed once for the certificate it presents on every request (a pure
     * function of the certificate: remembering the last one changes no answer).
     */
    private Optional<String> commonName(X509Certificate certificate) {
        KnownCertificate known = lastProxy;
        if (known != null && known.certificate().equals(certificate)) {
            return known.commonName();
        }
        Optional<String> cn = CaBundle.commonName(certificate);
        lastProxy = new KnownCertificate(certificate, cn);
        return cn;
    }

    private record KnownCertificate(X509Certificate certificate, Optional<String> commonName) {}

    /**
     * The value of the first of {@code names} present with a non-empty value; empty when none, or when that header
     * was sent several times with different values.
     */
    private static Optional<String> single(RequestHeaders headers, List<String> names) {
        for (String name : names) {
            String found = null;
            for (String value : headers.values(name)) {
                if (value.isBlank() || value.equals(found)) {
                    continue;
                }
                if (found != null) {
                    LOG.debug("header {} sent with different values: not authenticated", name);
                    return Optional.empty();
                }
                found = value;
            }
            if (found != null) {
                return Optional.of(found);
            }
        }
        return Optional.empty();
    }

    /**
     * An extra key as Kubernetes decodes it: lower-cased, then percent-decoded (so that a proxy can send keys with
     * characters a header name cannot hold, such as {@code /}); a malformed escape leaves the key as it came.
     */
    static String extraKey(String encoded) {
        String lower = encoded.toLowerCase(Locale.ROOT);
        if (lower.indexOf('%') < 0) {
            return lower;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c == '%') {
                if (i + 2 >= lower.length()) {
                    return lower;
                }
                int high = Character.digit(lower.charAt(i + 1), 16);
                int low = Character.digit(lower.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return lower;
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else {
                byte[] encodedChar = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encodedChar, 0, encodedChar.length);
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return lower;
        }
    }
}
