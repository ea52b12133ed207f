package io.dbprovision.apiserver.reconcile.credentials;

/**
 * What a {@code secretTemplate} can read: the fields {@code .Username .Password .Host .Port .Database .SSLMode
 * .Namespace .Name .CA .TLSCert .TLSKey} of the seed's {@code TemplateData}, in its order, plus our
 * {@code .DatabaseURL}, a ready connection URL that the caller computes. A {@code null} is taken as Go's zero value, the
 * empty string. {@link #toString()} leaves out the password, the TLS key and the URL (which may embed the password), so
 * the values can be logged by accident without harm.
 */
public record TemplateValues(
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

    public TemplateValues {
        username = orEmpty(username);
        password = orEmpty(password);
        host = orEmpty(host);
        database = orEmpty(database);
        sslMode = orEmpty(sslMode);
        namespace = orEmpty(namespace);
        name = orEmpty(name);
        ca = orEmpty(ca);
        tlsCert = orEmpty(tlsCert);
        tlsKey = orEmpty(tlsKey);
        databaseUrl = orEmpty(databaseUrl);
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    @Override
    public String toString() {
        return "TemplateValues[username=" + username + ", password=<redacted>, host=" + host + ", port=" + port
                + ", database=" + database + ", sslMode=" + sslMode + ", namespace=" + namespace + ", name=" + name
                + ", ca=" + ca.length() + " chars, tlsCert=" + tlsCert.length() + " chars, tlsKey=<redacted>"
                + ", databaseUrl=<redacted>]";
    }
}
