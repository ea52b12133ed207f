package io.dbprovision.provisioner.engine.password;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * What MySQL 8's {@code caching_sha2_password} stores in {@code mysql.user.authentication_string}: {@code $A$}, the
 * rounds in thousands as three hex digits ({@code 005}), {@code $}, a 20-byte salt and the 43-character SHA-256-crypt
 * digest ({@link Sha256Crypt}) of the password with that salt. Comparing a password with it lets EnsureUser set a
 * password only when it differs, as for {@code mysql_native_password}, instead of never (the salted string cannot be
 * recomputed, only checked).
 */
public final class MySqlCachingSha2Password {
    private static final int SALT = 20;
    private static final int DIGEST = 43;
    private static final int LENGTH = 7 + SALT + DIGEST;

    private MySqlCachingSha2Password() {}

    /** Whether {@code stored} is the password's; empty when {@code stored} is not in the form above. */
    public static Optional<Boolean> matches(String stored, String password) {
        if (stored == null || stored.length() != LENGTH || !stored.startsWith("$A$") || stored.charAt(6) != '$') {
            return Optional.empty();
        }
        int thousands;
        try {
            thousands = Integer.parseInt(stored.substring(3, 6), 16);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (thousands < 5 || thousands > 4095) {
            return Optional.empty(); // MySQL allows 5,000 to 4,095,000 rounds
        }
        String salt = stored.substring(7, 7 + SALT);
        String digest = Sha256Crypt.digest(password, salt, thousands * 1000);
        return Optional.of(MessageDigest.isEqual(
                digest.getBytes(StandardCharsets.US_ASCII),
                stored.substring(7 + SALT).getBytes(StandardCharsets.ISO_8859_1)));
    }
}
