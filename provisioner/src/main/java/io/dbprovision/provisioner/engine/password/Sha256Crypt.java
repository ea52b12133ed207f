package io.dbprovision.provisioner.engine.password;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256-crypt (Ulrich Drepper's "Unix crypt using SHA-256", the {@code $5$} of glibc): the digest MySQL 8's
 * {@code caching_sha2_password} stores, with a 20-byte salt where glibc allows at most 16. Written from the public
 * specification, checked against glibc's output ({@code Sha256CryptTest}).
 */
public final class Sha256Crypt {
    private static final String ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    /** The byte order of the final digest's 24-bit groups, as the specification lists them. */
    private static final int[][] GROUPS = {
        {0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
        {15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29}
    };

    private Sha256Crypt() {}

    /** The 43-character digest of {@code password} with {@code salt} and {@code rounds}. */
    public static String digest(byte[] password, byte[] salt, int rounds) {
        byte[] p = password;
        byte[] s = salt;
        byte[] b = sha256(p, s, p);
        MessageDigest a = newDigest();
        a.update(p);
        a.update(s);
        for (int left = p.length; left > 0; left -= 32) {
            a.update(b, 0, Math.min(32, left));
        }
        for (int length = p.length; length > 0; length >>= 1) {
            if ((length & 1) != 0) {
                a.update(b);
            } else {
                a.update(p);
            }
        }
        byte[] c = a.digest();

        MessageDigest dp = newDigest();
        for (int i = 0; i < p.length; i++) {
            dp.update(p);
        }
        byte[] pSequence = repeat(dp.digest(), p.length);
        MessageDigest ds = newDigest();
        for (int i = 0; i < 16 + (c[0] & 0xff); i++) {
            ds.update(s);
        }
        byte[] sSequence = repeat(ds.digest(), s.length);

        MessageDigest round = newDigest();
        for (int i = 0; i < rounds; i++) {
            round.update((i & 1) != 0 ? pSequence : c);
            if (i % 3 != 0) {
                round.update(sSequence);
            }
            if (i % 7 != 0) {
                round.update(pSequence);
            }
            round.update((i & 1) != 0 ? c : pSequence);
            c = round.digest();
        }

        StringBuilder out = new StringBuilder(43);
        for (int[] group : GROUPS) {
            encode(out, c[group[0]], c[group[1]], c[group[2]], 4);
        }
        encode(out, (byte) 0, c[31], c[30], 3);
        return out.toString();
    }

    /** Convenience for text: the password in UTF-8, the salt's characters as bytes (ASCII in every stored form). */
    public static String digest(String password, String salt, int rounds) {
        return digest(password.getBytes(StandardCharsets.UTF_8), salt.getBytes(StandardCharsets.ISO_8859_1), rounds);
    }

    private static void encode(StringBuilder out, byte b2, byte b1, byte b0, int characters) {
        int w = ((b2 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b0 & 0xff);
        for (int i = 0; i < characters; i++) {
            out.append(ITOA64.charAt(w & 0x3f));
            w >>>= 6;
        }
    }

    private static byte[] repeat(byte[] digest, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = digest[i % digest.length];
        }
        return out;
    }

    private static byte[] sha256(byte[]... parts) {
        MessageDigest digest = newDigest();
        for (byte[] part : parts) {
            digest.update(part);
        }
        return digest.digest();
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
