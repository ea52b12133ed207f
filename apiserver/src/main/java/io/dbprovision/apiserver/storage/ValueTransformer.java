package io.dbprovision.apiserver.storage;

import java.nio.charset.StandardCharsets;

/**
 * How object values are kept at rest: the one place bytes change form on their way into the SQL log and back. The
 * watch cache holds what callers wrote (as Kubernetes' watch cache holds decrypted objects); only the log's rows are
 * transformed, so gets, lists and watches are the same for callers whatever the transformer. The encryption of
 * configured resources ({@code storage.encryption}) is one; {@link #NONE}, the default, stores values as they are.
 *
 * <p>Every method must be safe to call from several threads at once.
 */
public interface ValueTransformer {

    /**
     * The prefix of every encrypted value, as Kubernetes writes it ({@code k8s:enc:<provider>:v1:<key>:}): nothing a
     * serialized object starts with, so a reader can tell an encrypted value from a plain one without a key.
     */
    byte[] ENCRYPTED_PREFIX = "k8s:enc:".getBytes(StandardCharsets.US_ASCII);

    /**
     * Values as they are, for every resource. It still refuses to hand out a value that was stored encrypted: a
     * server started without the encryption configuration it ran with must not serve ciphertext as an object.
     */
    ValueTransformer NONE = new ValueTransformer() {
        @Override
        public byte[] toStorage(ObjectKey key, byte[] value) {
            return value;
        }

        @Override
        public byte[] fromStorage(ObjectKey key, byte[] stored) {
            if (isEncrypted(stored)) {
                throw new StorageException.Unreadable(
                        key, "it is stored encrypted, but no encryption configuration covers " + key.resource());
            }
            return stored;
        }

        @Override
        public boolean isStale(ObjectKey key, byte[] stored) {
            return false;
        }

        @Override
        public boolean transforms(String resource) {
            return false;
        }

        @Override
        public String toString() {
            return "values stored as they are";
        }
    };

    /** The form a write of {@code value} under {@code key} is stored in. */
    byte[] toStorage(ObjectKey key, byte[] value);

    /**
     * The value stored as {@code stored} under {@code key}.
     *
     * @throws StorageException.Unreadable if it cannot be turned back (tampered with, moved from another key, or
     *     under an encryption key that is no longer configured)
     */
    byte[] fromStorage(ObjectKey key, byte[] stored);

    /**
     * True if {@code stored} is readable but not in the form a write would store now (under an older key or
     * provider): rewriting the object brings it to the current form. Encryption key rotation rewrites these.
     */
    boolean isStale(ObjectKey key, byte[] stored);

    /** True if values of {@code resource} may be stored in another form than written (so they may be stale). */
    boolean transforms(String resource);

    /** Whether {@code stored} carries the prefix of an encrypted value. */
    static boolean isEncrypted(byte[] stored) {
        if (stored.length < ENCRYPTED_PREFIX.length) {
            return false;
        }
        for (int i = 0; i < ENCRYPTED_PREFIX.length; i++) {
            if (stored[i] != ENCRYPTED_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }
}
