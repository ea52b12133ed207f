package io.dbprovision.provisioner.engine.password;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * PostgreSQL's SCRAM-SHA-256 password verifier, computed here so that {@code CREATE/ALTER ROLE ... PASSWORD} carries
 * {@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>} and the plain password never reaches the server
 * (or its statement log). It follows PostgreSQL's {@code scram_build_secret}: the password prepared with SASLprep as
 * {@code pg_saslprep} does (unchanged when ASCII, and used as given when preparation fails), 4096 iterations of
 * PBKDF2-HMAC-SHA-256 over a 16-byte random salt.
 */
public final class ScramSha256 {
    public static final int ITERATIONS = 4096;
    public static final int SALT_LENGTH = 16;

    private static final Pattern VERIFIER =
            Pattern.compile("SCRAM-SHA-256\\$(\\d+):([A-Za-z0-9+/=]+)\\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ScramSha256() {}

    /** A verifier with a fresh random salt. */
    public static String verifier(String password) {
        byte[] salt = new byte[SALT_LENGTH];
        RANDOM.nextBytes(salt);
        return verifier(password, salt, ITERATIONS);
    }

    /** The verifier for a given salt and iteration count. */
    public static String verifier(String password, byte[] salt, int iterations) {
        byte[][] keys = keys(password, salt, iterations);
        Base64.Encoder base64 = Base64.getEncoder();
        return "SCRAM-SHA-256$" + iterations + ":" + base64.encodeToString(salt) + "$" + base64.encodeToString(keys[0])
                + ":" + base64.encodeToString(keys[1]);
    }

    /**
     * Whether a stored verifier (pg_authid.rolpassword) belongs to the password: recomputed with its salt and
     * iterations. False for anything that is not a SCRAM-SHA-256 verifier (an MD5 hash, null).
     */
    public static boolean matches(String storedVerifier, String password) {
        if (storedVerifier == null) {
            return false;
        }
        Matcher matcher = VERIFIER.matcher(storedVerifier);
        if (!matcher.matches()) {
            return false;
        }
        Base64.Decoder base64 = Base64.getDecoder();
        try {
            int iterations = Integer.parseInt(matcher.group(1));
            byte[][] keys = keys(password, base64.decode(matcher.group(2)), iterations);
            return MessageDigest.isEqual(keys[0], base64.decode(matcher.group(3)))
                    & MessageDigest.isEqual(keys[1], base64.decode(matcher.group(4)));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** StoredKey and ServerKey. */
    private static byte[][] keys(String password, byte[] salt, int iterations) {
        if (password.isEmpty()) {
            throw new IllegalArgumentException("an empty password has no SCRAM verifier");
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be positive");
        }
        try {
            byte[] salted = pbkdf2(saslPrep(password).getBytes(StandardCharsets.UTF_8), salt, iterations);
            byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            byte[] serverKey = hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
            return new byte[][] {storedKey, serverKey};
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 is part of every JDK", e);
        }
    }

    /** PBKDF2 for one output block (32 bytes, the HMAC's size), as PostgreSQL's scram_SaltedPassword. */
    private static byte[] pbkdf2(byte[] password, byte[] salt, int iterations) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(password, "HmacSHA256"));
        mac.update(salt);
        byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
        byte[] result = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = mac.doFinal(u);
            for (int j = 0; j < result.length; j++) {
                result[j] ^= u[j];
            }
        }
        return result;
    }

    private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    /**
     * SASLprep (RFC 4013) the way pg_saslprep applies it: ASCII passes unchanged; otherwise non-ASCII spaces become
     * spaces, "mapped to nothing" characters go, NFKC normalizes; and if the result holds a prohibited character or
     * breaks the bidirectional rule, the original password is used as it is.
     */
    static String saslPrep(String password) {
        if (password.chars().allMatch(c -> c < 0x80)) {
            return password;
        }
        StringBuilder mapped = new StringBuilder();
        password.codePoints().forEach(cp -> {
            if (isNonAsciiSpace(cp)) {
                mapped.append(' ');
            } else if (!isMappedToNothing(cp)) {
                mapped.appendCodePoint(cp);
            }
        });
        String normalized = Normalizer.normalize(mapped, Normalizer.Form.NFKC);
        if (normalized.isEmpty()) {
            return password;
        }
        boolean hasRandAl = false;
        boolean hasL = false;
        for (int i = 0; i < normalized.length(); ) {
            int cp = normalized.codePointAt(i);
            if (isProhibited(cp)) {
                return password;
            }
            byte direction = Character.getDirectionality(cp);
            hasRandAl |= isRandAl(direction);
            hasL |= direction == Character.DIRECTIONALITY_LEFT_TO_RIGHT;
            i += Character.charCount(cp);
        }
        if (hasRandAl) {
            int first = normalized.codePointAt(0);
            int last = normalized.codePointBefore(normalized.length());
            if (hasL || !isRandAl(Character.getDirectionality(first)) || !isRandAl(Character.getDirectionality(last))) {
                return password;
            }
        }
        return normalized;
    }

    private static boolean isRandAl(byte direction) {
        return direction == Character.DIRECTIONALITY_RIGHT_TO_LEFT
                || direction == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
    }

    // RFC 3454 C.1.2
    private static boolean isNonAsciiSpace(int cp) {
        return cp == 0x00A0
                || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200B)
                || cp == 0x202F
                || cp == 0x205F
                || cp == 0x3000;
    }

    // RFC 3454 B.1
    private static boolean isMappedToNothing(int cp) {
        return cp == 0x00AD
                || cp == 0x034F
                || cp == 0x1806
                || (cp >= 0x180B && cp <= 0x180D)
                || (cp >= 0x200B && cp <= 0x200D)
                || cp == 0x2060
                || (cp >= 0xFE00 && cp <= 0xFE0F)
                || cp == 0xFEFF;
    }

    // RFC 3454 C.1.2, C.2.1, C.2.2, C.3 - C.9 and A.1 (unassigned), by the character properties that define them.
    private static boolean isProhibited(int cp) {
        if (isNonAsciiSpace(cp) || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.PRIVATE_USE
                || type == Character.SURROGATE
                || type == Character.UNASSIGNED
                || type == Character.CONTROL
                || (cp >= 0xFDD0 && cp <= 0xFDEF)
                || (cp & 0xFFFE) == 0xFFFE
                || (cp >= 0xFFF9 && cp <= 0xFFFD)
                || (cp >= 0x2FF0 && cp <= 0x2FFB)
                || (cp >= 0x0340 && cp <= 0x0341)
                || (cp >= 0x200E && cp <= 0x200F)
                || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x206A && cp <= 0x206F)
                || cp == 0x06DD
                || cp == 0x070F
                || cp == 0x180E
                || (cp >= 0x2028 && cp <= 0x2029)
                || (cp >= 0x2060 && cp <= 0x2063)
                || (cp >= 0x1D173 && cp <= 0x1D17A)
                || cp == 0xE0001
                || (cp >= 0xE0020 && cp <= 0xE007F);
    }
}
