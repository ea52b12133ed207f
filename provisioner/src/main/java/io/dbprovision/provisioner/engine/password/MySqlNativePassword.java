package io.dbprovision.provisioner.engine.password;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The {@code mysql_native_password} hash MySQL and MariaDB store ({@code PASSWORD()}): {@code *} and the upper-case
 * hex of SHA1(SHA1(password)). Sent as {@code IDENTIFIED BY PASSWORD '<hash>'} (MariaDB) or
 * {@code IDENTIFIED WITH mysql_native_password AS '<hash>'} (MySQL), so the plain password is not in the statement.
 */
public final class MySqlNativePassword {
    private MySqlNativePassword() {}

    public static String hash(String password) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] once = sha1.digest(password.getBytes(StandardCharsets.UTF_8));
            return "*" + HexFormat.of().withUpperCase().formatHex(sha1.digest(once));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }

    /** Whether a stored hash is that of the password. */
    public static boolean matches(String storedHash, String password) {
        return storedHash != null
                && MessageDigest.isEqual(
                        storedHash.toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
                        hash(password).getBytes(StandardCharsets.US_ASCII));
    }
}
