package io.dbprovision.apiserver.portal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The names RequestDatabase gives databases and users on the server when the caller names none. Many namespaces share
 * one server, so a name carries its namespace ({@code team-a} asking for {@code orders} gets {@code team_a_orders},
 * never team B's); '-' becomes '_' so that the name needs no quoting in the application's SQL. A name longer than
 * the engine allows keeps a readable head and ends in a hash of the whole, so two long names never meet.
 */
final class EngineNames {
    /** MySQL 8 allows user names of 32 characters (MariaDB 80, PostgreSQL 63): the strictest of the family. */
    static final int MYSQL_USER = 32;
    /** PostgreSQL identifiers are at most 63 bytes; MySQL database names 64 characters. */
    static final int IDENTIFIER = 63;

    private static final int HASH = 8;

    private EngineNames() {}

    /** {@code namespace_name}, '-' as '_', at most {@code max} characters. */
    static String qualified(String namespace, String name, int max) {
        String full = (namespace + "_" + name).replace('-', '_').replace('.', '_');
        if (full.length() <= max) {
            return full;
        }
        return full.substring(0, max - HASH - 1) + "_" + hash(full);
    }

    private static String hash(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
