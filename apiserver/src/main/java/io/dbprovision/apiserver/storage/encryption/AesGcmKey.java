package io.dbprovision.apiserver.storage.encryption;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One named key of an {@code aesgcm} provider, and the stored form Kubernetes gives its values: the prefix
 * {@code k8s:enc:aesgcm:v1:<name>:}, a 12-byte nonce, then the ciphertext with its 16-byte tag. The object's storage
 * key is the additional authenticated data, so a value copied onto another object fails to decrypt, as Kubernetes
 * binds a value to its etcd key.
 *
 * <p><b>Nonces are random</b>, 96 bits from {@link SecureRandom} per write, as Kubernetes' aesgcm provider does. GCM
 * breaks if a nonce repeats under one key, and with random nonces the chance of any repeat among n writes is about
 * n²/2⁹⁷: NIST SP 800-38D §8.3 allows 2³² writes per key that way (a chance below 2⁻³²). Only writes of the
 * configured resources count, and the store commits a few thousand writes a second at most (docs/performance.md);
 * Secrets are a small share of those, so 2³² is years of continuous writing even at full speed. A counter would allow
 * more, but it must never repeat across restarts and across replicas sharing PostgreSQL, which needs persistent,
 * coordinated state for no gain at these volumes; random nonces need none. Rotate keys well before 2³² writes
 * (docs/storage.md) — rotation is cheap.
 *
 * <p>The key material never leaves this class: {@link #toString} names the key only, and {@link SecretKeySpec} is
 * kept private because its {@code hashCode} (and so the default {@code toString}) is computed from the key bytes.
 */
final class AesGcmKey {
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final SecretKey key;
    private final byte[] prefix;

    AesGcmKey(String name, byte[] secret) {
        if (secret.length != 16 && secret.length != 24 && secret.length != 32) {
            throw new IllegalArgumentException(
                    "must be 16, 24 or 32 bytes (AES-128, -192 or -256), not " + secret.length + " bytes");
        }
        this.name = name;
        this.key = new SecretKeySpec(secret, "AES");
        this.prefix = ("k8s:enc:aesgcm:v1:" + name + ":").getBytes(StandardCharsets.US_ASCII);
    }

    String name() {
        return name;
    }

    /** Whether {@code stored} was written under this key (by its prefix; the tag decides whether it is intact). */
    boolean wrote(byte[] stored) {
        return stored.length >= prefix.length && Arrays.equals(stored, 0, prefix.length, prefix, 0, prefix.length);
    }

    byte[] encrypt(byte[] plaintext, byte[] authenticatedData) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(authenticatedData);
            byte[] out = new byte[prefix.length + NONCE_BYTES + cipher.getOutputSize(plaintext.length)];
            System.arraycopy(prefix, 0, out, 0, prefix.length);
            System.arraycopy(nonce, 0, out, prefix.length, NONCE_BYTES);
            int written = cipher.doFinal(plaintext, 0, plaintext.length, out, prefix.length + NONCE_BYTES);
            return written == out.length - prefix.length - NONCE_BYTES
                    ? out
                    : Arrays.copyOf(out, prefix.length + NONCE_BYTES + written);
        } catch (GeneralSecurityException e) {
            // AES/GCM is a required JCA algorithm and the key length was checked: this is not the data's fault.
            throw new IllegalStateException("AES-GCM encryption failed with key " + name, e);
        }
    }

    /**
     * The plaintext of a value this key {@link #wrote}.
     *
     * @throws DecryptionFailed if the value is cut short or its tag does not match (tampered with, or bound to
     *     another object's key)
     */
    byte[] decrypt(byte[] stored, byte[] authenticatedData) {
        int offset = prefix.length + NONCE_BYTES;
        if (stored.length < offset + TAG_BITS / 8) {
            throw new DecryptionFailed("the value is too short to be AES-GCM under key " + name);
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, prefix.length, NONCE_BYTES));
            cipher.updateAAD(authenticatedData);
            return cipher.doFinal(stored, offset, stored.length - offset);
        } catch (AEADBadTagException e) {
            throw new DecryptionFailed("it fails AES-GCM authentication under key " + name
                    + " (the value was altered, or belongs to another object)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed with key " + name, e);
        }
    }

    @Override
    public String toString() {
        return "aesgcm key " + name;
    }

    /** A value that this key cannot turn back; the message says why without any key material. */
    static final class DecryptionFailed extends RuntimeException {
        DecryptionFailed(String message) {
            super(message, null, false, false);
        }
    }
}
