package io.dbprovision.client.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything needed to reach the portal API: where ({@code https://host:port}), whom to trust (a CA bundle in PEM)
 * and who we are (a bearer token, a client certificate and key in PEM, or both), plus the namespace a context names
 * as its default. Built from a kubeconfig by {@link KubeconfigReader} or explicitly; {@link #toString()} never shows
 * the token or the key.
 */
public record ConnectionConfig(
        URI endpoint,
        Optional<String> caPem,
        Optional<String> token,
        Optional<String> clientCertificatePem,
        Optional<String> clientKeyPem,
        Optional<String> namespace) {

    public ConnectionConfig {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(caPem, "caPem");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(clientCertificatePem, "clientCertificatePem");
        Objects.requireNonNull(clientKeyPem, "clientKeyPem");
        Objects.requireNonNull(namespace, "namespace");
        checkEndpoint(endpoint);
        if (clientCertificatePem.isPresent() != clientKeyPem.isPresent()) {
            throw new ConfigException("a client certificate needs its key, and a key its certificate");
        }
    }

    /** Only an endpoint: trust the JDK's CAs, no credentials yet. */
    public static ConnectionConfig of(URI endpoint) {
        return new ConnectionConfig(
                endpoint, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Parses {@code https://host:port} (the port defaults to 443), refusing anything else. */
    public static URI parseEndpoint(String endpoint) {
        URI uri;
        try {
            uri = URI.create(endpoint.strip());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("endpoint is not a URL; expected https://host:port");
        }
        checkEndpoint(uri);
        return uri;
    }

    private static void checkEndpoint(URI endpoint) {
        if (!"https".equalsIgnoreCase(endpoint.getScheme()) || endpoint.getHost() == null) {
            throw new ConfigException("endpoint must be https://host:port (the portal API is served over TLS only)");
        }
        if (endpoint.getUserInfo() != null) {
            throw new ConfigException("endpoint must not carry credentials; use a token or a client certificate");
        }
        String path = endpoint.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || endpoint.getRawQuery() != null) {
            throw new ConfigException("endpoint must be https://host:port without a path or query");
        }
    }

    /** The host, without the brackets of an IPv6 literal. */
    public String host() {
        String host = endpoint.getHost();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    public int port() {
        return endpoint.getPort() == -1 ? 443 : endpoint.getPort();
    }

    public ConnectionConfig withEndpoint(URI endpoint) {
        return new ConnectionConfig(endpoint, caPem, token, clientCertificatePem, clientKeyPem, namespace);
    }

    public ConnectionConfig withCaPem(String pem) {
        return new ConnectionConfig(endpoint, Optional.of(pem), token, clientCertificatePem, clientKeyPem, namespace);
    }

    public ConnectionConfig withToken(String bearer) {
        return new ConnectionConfig(
                endpoint, caPem, Optional.of(bearer), clientCertificatePem, clientKeyPem, namespace);
    }

    public ConnectionConfig withoutToken() {
        return new ConnectionConfig(endpoint, caPem, Optional.empty(), clientCertificatePem, clientKeyPem, namespace);
    }

    public ConnectionConfig withClientCertificate(String certificatePem, String keyPem) {
        return new ConnectionConfig(
                endpoint, caPem, token, Optional.of(certificatePem), Optional.of(keyPem), namespace);
    }

    public ConnectionConfig withoutClientCertificate() {
        return new ConnectionConfig(endpoint, caPem, token, Optional.empty(), Optional.empty(), namespace);
    }

    public ConnectionConfig withNamespace(String defaultNamespace) {
        return new ConnectionConfig(
                endpoint, caPem, token, clientCertificatePem, clientKeyPem, Optional.of(defaultNamespace));
    }

    @Override
    public String toString() {
        return "ConnectionConfig[endpoint=" + endpoint + ", ca=" + (caPem.isPresent() ? "given" : "system")
                + ", token=" + (token.isPresent() ? "<redacted>" : "none")
                + ", clientCertificate=" + (clientCertificatePem.isPresent() ? "given" : "none")
                + ", namespace=" + namespace.orElse("") + "]";
    }
}
