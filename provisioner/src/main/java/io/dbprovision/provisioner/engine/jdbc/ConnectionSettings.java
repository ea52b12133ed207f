package io.dbprovision.provisioner.engine.jdbc;

import io.dbprovision.proto.engine.v1alpha1.Instance;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.SSLMode;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.tls.InMemoryKeyStoreUrls;
import io.dbprovision.provisioner.engine.tls.PostgresSslSocketFactory;
import io.dbprovision.provisioner.engine.tls.TlsMaterial;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Properties;
import org.jooq.SQLDialect;

/**
 * How to open a JDBC connection to one database of an instance: URL, driver, driver properties (the password among
 * them, so this object is never logged), the statement each new connection runs first, and the pool key. PostgreSQL
 * and CockroachDB go through pgjdbc, MySQL and MariaDB through Connector/J. The connection init statements make jOOQ's
 * literal quoting exact: PostgreSQL must treat backslashes literally ({@code standard_conforming_strings}), MySQL
 * must treat them as escapes (no {@code NO_BACKSLASH_ESCAPES}), because that is what the dialects render for.
 *
 * @param key identifies the pool: engine, host, port, database, user and a SHA-256 over password, TLS material and
 *     options; it never contains the password itself
 * @param tlsId the {@code TlsRegistry} id the driver finds the in-memory TLS material by, or null without TLS
 */
record ConnectionSettings(
        EngineType engine,
        String host,
        int port,
        String database,
        String user,
        SQLDialect dialect,
        String jdbcUrl,
        String driverClassName,
        Properties properties,
        String initSql,
        Duration connectTimeout,
        String key,
        String tlsId,
        TlsMaterial tls,
        String password) {

    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    static final String DEFAULT_APPLICATION_NAME = "db-provision-operator";

    private static final String PG_INIT = "SET standard_conforming_strings = on";
    // Removes NO_BACKSLASH_ESCAPES wherever it stands in the list (commas around it included).
    private static final String MYSQL_INIT = "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE("
            + "CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','))";

    /** The dialect jOOQ renders in for an engine. */
    static SQLDialect dialect(EngineType engine) {
        return switch (engine) {
            case ENGINE_TYPE_POSTGRES, ENGINE_TYPE_COCKROACHDB -> SQLDialect.POSTGRES;
            case ENGINE_TYPE_MYSQL -> SQLDialect.MYSQL;
            case ENGINE_TYPE_MARIADB -> SQLDialect.MARIADB;
            default -> throw new EngineException.Unsupported("engine " + engine + " has no JDBC connections here");
        };
    }

    static int defaultPort(EngineType engine) {
        return switch (engine) {
            case ENGINE_TYPE_COCKROACHDB -> 26257;
            case ENGINE_TYPE_MYSQL, ENGINE_TYPE_MARIADB -> 3306;
            default -> 5432;
        };
    }

    /** The database an admin connection uses when the request names none. */
    static String adminDatabase(Instance instance) {
        if (!instance.getDatabase().isEmpty()) {
            return instance.getDatabase();
        }
        return switch (instance.getEngine()) {
            case ENGINE_TYPE_POSTGRES -> "postgres";
            case ENGINE_TYPE_COCKROACHDB -> "defaultdb";
            default -> "";
        };
    }

    /** Settings for a database of the instance; an empty name is the admin database. */
    static ConnectionSettings of(Instance instance, String database) {
        EngineType engine = instance.getEngine();
        SQLDialect dialect = dialect(engine);
        if (instance.getHost().isBlank()) {
            throw new EngineException.InvalidDefinition("instance.host", "a host is required");
        }
        if (instance.getPort() < 0 || instance.getPort() > 65535) {
            throw new EngineException.InvalidDefinition("instance.port", "not a TCP port");
        }
        String host = instance.getHost().strip();
        int port = instance.getPort() == 0 ? defaultPort(engine) : instance.getPort();
        String db = database == null || database.isEmpty() ? adminDatabase(instance) : database;
        SSLMode mode = TlsMaterial.mode(instance.getTls());
        TlsMaterial tls = mode == SSLMode.SSL_MODE_DISABLE ? null : TlsMaterial.of(instance.getTls());
        String digest = digest(instance);
        String key = engineName(engine) + "://" + instance.getUsername() + "@" + host + ":" + port + "/" + db + "#"
                + digest.substring(0, 16);
        String tlsId = tls == null ? null : digest;
        Properties properties = new Properties();
        String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        String path = URLEncoder.encode(db, StandardCharsets.UTF_8);
        if (dialect == SQLDialect.POSTGRES) {
            Duration connectTimeout = instance.getPostgres().hasConnectTimeout()
                    ? Duration.ofSeconds(Math.max(1, instance.getPostgres().getConnectTimeout()))
                    : DEFAULT_CONNECT_TIMEOUT;
            properties.setProperty("user", instance.getUsername());
            properties.setProperty("password", instance.getPassword());
            String applicationName = instance.getPostgres().getApplicationName();
            properties.setProperty(
                    "ApplicationName", applicationName.isBlank() ? DEFAULT_APPLICATION_NAME : applicationName);
            properties.setProperty("connectTimeout", String.valueOf(connectTimeout.toSeconds()));
            properties.setProperty("gssEncMode", "disable");
            properties.setProperty("tcpKeepAlive", "true");
            properties.setProperty("sslmode", TlsMaterial.modeName(mode));
            if (tls != null) {
                properties.setProperty("sslfactory", PostgresSslSocketFactory.class.getName());
                properties.setProperty(PostgresSslSocketFactory.PROPERTY, tlsId);
            }
            return new ConnectionSettings(
                    engine,
                    host,
                    port,
                    db,
                    instance.getUsername(),
                    dialect,
                    "jdbc:postgresql://" + hostPart + ":" + port + "/" + path,
                    "org.postgresql.Driver",
                    properties,
                    PG_INIT,
                    connectTimeout,
                    key,
                    tlsId,
                    tls,
                    instance.getPassword());
        }
        Duration connectTimeout =
                GoDuration.parse(instance.getMysql().getTimeout(), DEFAULT_CONNECT_TIMEOUT, "instance.mysql.timeout");
        Duration readTimeout = GoDuration.parse(
                instance.getMysql().getReadTimeout(), DEFAULT_READ_TIMEOUT, "instance.mysql.readTimeout");
        if (connectTimeout.isZero()) {
            connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        }
        properties.setProperty("user", instance.getUsername());
        properties.setProperty("password", instance.getPassword());
        properties.setProperty("allowMultiQueries", "false");
        properties.setProperty("allowLoadLocalInfile", "false");
        properties.setProperty("connectTimeout", String.valueOf(connectTimeout.toMillis()));
        properties.setProperty("socketTimeout", String.valueOf(readTimeout.toMillis()));
        properties.setProperty(
                "characterEncoding", javaEncoding(instance.getMysql().getCharset()));
        if (!instance.getMysql().getCollation().isBlank()) {
            properties.setProperty("connectionCollation", instance.getMysql().getCollation());
        }
        properties.setProperty("sslMode", mysqlSslMode(mode));
        if (tls != null) {
            properties.setProperty("tlsVersions", "TLSv1.2,TLSv1.3");
            properties.setProperty("fallbackToSystemTrustStore", "false");
            properties.setProperty("fallbackToSystemKeyStore", "false");
            if (tls.verifiesChain()) {
                properties.setProperty("trustCertificateKeyStoreUrl", InMemoryKeyStoreUrls.trustStoreUrl(tlsId));
                properties.setProperty("trustCertificateKeyStoreType", "PKCS12");
            }
            if (tls.hasClientCertificate()) {
                properties.setProperty("clientCertificateKeyStoreUrl", InMemoryKeyStoreUrls.keyStoreUrl(tlsId));
                properties.setProperty("clientCertificateKeyStoreType", "PKCS12");
            }
        }
        return new ConnectionSettings(
                engine,
                host,
                port,
                db,
                instance.getUsername(),
                dialect,
                "jdbc:mysql://" + hostPart + ":" + port + "/" + path,
                "com.mysql.cj.jdbc.Driver",
                properties,
                MYSQL_INIT,
                connectTimeout,
                key,
                tlsId,
                tls,
                instance.getPassword());
    }

    /**
     * The driver properties with the store password filled in (it belongs to the TLS registration, which exists only
     * while a pool holds it) and the connect timeout shortened to {@code timeout}.
     */
    Properties driverProperties(String storePassword, Duration timeout) {
        Properties copy = new Properties();
        copy.putAll(properties);
        if (storePassword != null && dialect != SQLDialect.POSTGRES) {
            if (copy.containsKey("trustCertificateKeyStoreUrl")) {
                copy.setProperty("trustCertificateKeyStorePassword", storePassword);
            }
            if (copy.containsKey("clientCertificateKeyStoreUrl")) {
                copy.setProperty("clientCertificateKeyStorePassword", storePassword);
            }
        }
        if (timeout != null) {
            if (dialect == SQLDialect.POSTGRES) {
                copy.setProperty("connectTimeout", String.valueOf(Math.max(1, ceilSeconds(timeout))));
            } else {
                copy.setProperty("connectTimeout", String.valueOf(Math.max(1, timeout.toMillis())));
            }
        }
        return copy;
    }

    private static long ceilSeconds(Duration duration) {
        return (duration.toMillis() + 999) / 1000;
    }

    /** Connector/J names the connection character set by its Java encoding. */
    private static String javaEncoding(String mysqlCharset) {
        return switch (mysqlCharset.isBlank() ? "utf8mb4" : mysqlCharset.toLowerCase(java.util.Locale.ROOT)) {
            case "utf8mb4", "utf8", "utf8mb3" -> "UTF-8";
            case "latin1" -> "Cp1252";
            case "ascii" -> "US-ASCII";
            case "latin2" -> "ISO8859_2";
            case "ucs2", "utf16" -> "UTF-16";
            default ->
                throw new EngineException.InvalidDefinition(
                        "instance.mysql.charset",
                        "use utf8mb4, utf8mb3, latin1, latin2, ascii or utf16 for connections");
        };
    }

    private static String mysqlSslMode(SSLMode mode) {
        return switch (mode) {
            case SSL_MODE_ALLOW, SSL_MODE_PREFER -> "PREFERRED";
            case SSL_MODE_REQUIRE -> "REQUIRED";
            case SSL_MODE_VERIFY_CA -> "VERIFY_CA";
            case SSL_MODE_VERIFY_FULL -> "VERIFY_IDENTITY";
            default -> "DISABLED";
        };
    }

    static String engineName(EngineType engine) {
        return engine.name().replace("ENGINE_TYPE_", "").toLowerCase(java.util.Locale.ROOT);
    }

    /** SHA-256 over everything of the instance that changes what a connection is, secrets included. */
    private static String digest(Instance instance) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            update(sha, instance.getPassword().getBytes(StandardCharsets.UTF_8));
            update(sha, instance.getTls().toByteArray());
            update(sha, instance.getPostgres().toByteArray());
            update(sha, instance.getMysql().toByteArray());
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void update(MessageDigest sha, byte[] bytes) {
        int length = bytes.length;
        sha.update(new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
        sha.update(bytes);
    }

    @Override
    public String toString() {
        return key;
    }
}
