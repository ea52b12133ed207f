package io.dbprovision.apiserver.storage.encryption;

import io.dbprovision.apiserver.storage.ObjectKey;
import io.dbprovision.apiserver.storage.StorageException;
import io.dbprovision.apiserver.storage.ValueTransformer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encryption at rest as an {@link EncryptionConfiguration} describes it: values of the resources it names are
 * written in the first form of their provider list and read in whichever listed form they carry; values of every
 * other resource pass unchanged (one map lookup per value that enters or leaves the log). A value read in a form other
 * than the first is stale: readable, and brought to the first form by rewriting it ({@link EncryptionRewriter}).
 *
 * <p>The additional authenticated data of a value is its object's storage key, {@code resource/namespace/name}: none
 * of the three can contain a slash, so two objects never share it, and a value copied onto another object (by someone
 * with write access to the database) fails to decrypt instead of being served as that object.
 */
final class EncryptingTransformer implements ValueTransformer {
    private final EncryptionConfiguration configuration;
    /** The forms of each resource asked about, empty for resources the configuration does not name. */
    private final Map<String, Optional<List<StoredForm>>> formsByResource = new ConcurrentHashMap<>();

    EncryptingTransformer(EncryptionConfiguration configuration) {
        this.configuration = configuration;
    }

    private List<StoredForm> forms(String resource) {
        return formsByResource
                .computeIfAbsent(resource, r -> configuration.formsOf(r))
                .orElse(null);
    }

    @Override
    public byte[] toStorage(ObjectKey key, byte[] value) {
        List<StoredForm> forms = forms(key.resource());
        if (forms == null) {
            return value;
        }
        return forms.getFirst().write(value, authenticatedData(key));
    }

    @Override
    public byte[] fromStorage(ObjectKey key, byte[] stored) {
        List<StoredForm> forms = forms(key.resource());
        if (forms == null) {
            return NONE.fromStorage(key, stored);
        }
        for (StoredForm form : forms) {
            if (form.reads(stored)) {
                try {
                    return form.read(stored, authenticatedData(key));
                } catch (AesGcmKey.DecryptionFailed e) {
                    throw new StorageException.Unreadable(key, e.getMessage());
                }
            }
        }
        throw new StorageException.Unreadable(key, unreadableBecause(stored, forms));
    }

    /** Why no form reads a value: names the stored key (it is in the clear in the prefix) and the configured ones. */
    private static String unreadableBecause(byte[] stored, List<StoredForm> forms) {
        String written = storedUnder(stored);
        return "it is stored " + written + ", and the encryption configuration for this resource lists only " + forms
                + "; add that key back (after the first provider) to read it";
    }

    /** "under aesgcm key k1" for the prefix of an encrypted value, or "encrypted" if the prefix is not ours. */
    private static String storedUnder(byte[] stored) {
        int end = Math.min(stored.length, 8 + 250);
        String head = new String(stored, 0, end, StandardCharsets.ISO_8859_1);
        String[] parts = head.split(":", 6);
        // The prefix comes from the database: named only if it looks like a name, so an error never carries junk.
        if (parts.length == 6
                && parts[0].equals("k8s")
                && parts[1].equals("enc")
                && parts[3].equals("v1")
                && printable(parts[2])
                && printable(parts[4])) {
            return "under " + parts[2] + " key " + parts[4];
        }
        return "encrypted in a form this server does not know";
    }

    private static boolean printable(String name) {
        return !name.isEmpty() && name.length() <= 64 && name.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    @Override
    public boolean isStale(ObjectKey key, byte[] stored) {
        List<StoredForm> forms = forms(key.resource());
        if (forms == null) {
            return false;
        }
        return !forms.getFirst().reads(stored);
    }

    @Override
    public boolean transforms(String resource) {
        return forms(resource) != null;
    }

    static byte[] authenticatedData(ObjectKey key) {
        return (key.resource() + "/" + key.namespace() + "/" + key.name()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "encryption at rest for " + configuration.describeResources();
    }
}
