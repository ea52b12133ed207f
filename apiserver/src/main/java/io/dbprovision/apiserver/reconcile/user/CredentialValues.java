package io.dbprovision.apiserver.reconcile.user;

/**
 * What a credentials Secret is rendered from: the seed's template variables ({@code .Username .Password .Host .Port
 * .Database .SSLMode .Namespace .Name .CA .TLSCert .TLSKey}) plus {@code .DatabaseURL}, in the order of the
 * template engine's {@code TemplateValues}, so that handing them over is one constructor call. {@link #toString()}
 * leaves out the password, the TLS key and the URL (which embeds the password).
 */
public record CredentialValues(
        String username,
        String password,
        String host,
        int port,
        String database,
        String sslMode,
        String namespace,
        String name,
        String ca,
        String tlsCert,
        String tlsKey,
        String databaseUrl) {

    @Override
    public String toString() {
        return "CredentialValues[username=" + username + ", password=<redacted>, host=" + host + ", port=" + port
                + ", database=" + database + ", sslMode=" + sslMode + ", namespace=" + namespace + ", name=" + name
                + ", tlsKey=<redacted>, databaseUrl=<redacted>]";
    }
}
