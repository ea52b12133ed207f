package io.dbprovision.apiserver.storage.encryption;

import io.dbprovision.apiserver.storage.ValueTransformer;

/**
 * One form a value of an encrypted resource may be stored in: plain ({@code identity}), or AES-GCM under one named
 * key. A provider list flattens into these, in order (an {@code aesgcm} provider gives one per key, first key first),
 * as Kubernetes' prefix transformers do: the first form writes, and a stored value is read by the first form whose
 * prefix it carries.
 */
sealed interface StoredForm {

    /** Whether this form reads {@code stored}. */
    boolean reads(byte[] stored);

    byte[] write(byte[] value, byte[] authenticatedData);

    byte[] read(byte[] stored, byte[] authenticatedData);

    /** Values as written. It reads whatever does not carry the encrypted prefix, so data stored before encryption. */
    record Identity() implements StoredForm {
        @Override
        public boolean reads(byte[] stored) {
            return !ValueTransformer.isEncrypted(stored);
        }

        @Override
        public byte[] write(byte[] value, byte[] authenticatedData) {
            return value;
        }

        @Override
        public byte[] read(byte[] stored, byte[] authenticatedData) {
            return stored;
        }

        @Override
        public String toString() {
            return "identity";
        }
    }

    /** AES-GCM under one key of an {@code aesgcm} provider. */
    record AesGcm(AesGcmKey key) implements StoredForm {
        @Override
        public boolean reads(byte[] stored) {
            return key.wrote(stored);
        }

        @Override
        public byte[] write(byte[] value, byte[] authenticatedData) {
            return key.encrypt(value, authenticatedData);
        }

        @Override
        public byte[] read(byte[] stored, byte[] authenticatedData) {
            return key.decrypt(stored, authenticatedData);
        }

        @Override
        public String toString() {
            return key.toString();
        }
    }
}
