package io.dbprovision.provisioner.engine.password;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * STUB of the core helper's class (branch wt/core), here only until it lands; delete at merge and keep theirs.
 * The mysql_native_password hash: {@code *} followed by upper-case hex of SHA1(SHA1(password)).
 */
public final class MySqlNativePassword {
    private MySqlNativePassword() {}

    public static String hash(String password) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] once = sha1.digest(password.getBytes(StandardCharsets.UTF_8));
            byte[] twice = MessageDigest.getInstance("SHA-1").digest(once);
            return "*" + HexFormat.of().withUpperCase().formatHex(twice);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
