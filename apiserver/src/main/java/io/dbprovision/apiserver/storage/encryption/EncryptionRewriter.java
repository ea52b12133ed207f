package io.dbprovision.apiserver.storage.encryption;

import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageException;
import io.dbprovision.apiserver.storage.StoredObject;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings every stored value to the form the encryption configuration writes now: after a new key is put first, after
 * encryption is turned on for existing data, or after {@code identity} is put first to turn it off. This is what
 * Kubernetes' documentation does with {@code kubectl get secrets -A -o json | kubectl replace -f -}, without rewriting
 * what is already current. Each stale object is rewritten with its own value under the resourceVersion it was found
 * at, so a concurrent writer always wins: its write is in the current form already (or, from a replica still on the
 * old configuration, is found stale again by the next pass). Rewritten objects get a new resourceVersion and their
 * watchers a MODIFIED event, as with Kubernetes' replace.
 *
 * <p>Once it reports nothing remaining, keys that are no longer first may be removed from the configuration. With
 * several replicas, every replica must have the new configuration (new key first) before the rewrite runs, or one on
 * the old configuration keeps writing under the old key.
 */
public final class EncryptionRewriter {
    private static final Logger LOG = LoggerFactory.getLogger(EncryptionRewriter.class);
    private static final int PASSES = 3;

    private final CachingStorage storage;

    /** @param storage a store opened with the configuration to bring values to */
    public EncryptionRewriter(CachingStorage storage) {
        this.storage = storage;
    }

    /**
     * @param rewritten objects rewritten into the current form
     * @param changedMeanwhile objects changed or deleted by someone else between finding and rewriting them
     * @param remaining objects still stale after the last pass (written meanwhile by a replica on an older
     *     configuration): run again once every replica has the new configuration
     */
    public record Result(int rewritten, int changedMeanwhile, int remaining) {}

    /** Rewrites every stale object, in passes until none is left (at most three). */
    public Result rewrite() {
        int rewritten = 0;
        int changedMeanwhile = 0;
        List<CachingStorage.StoredVersion> stale = storage.staleAtRest(0);
        for (int pass = 0; pass < PASSES && !stale.isEmpty(); pass++) {
            for (CachingStorage.StoredVersion found : stale) {
                if (rewrite(found)) {
                    rewritten++;
                } else {
                    changedMeanwhile++;
                }
            }
            stale = storage.staleAtRest(0);
        }
        Result result = new Result(rewritten, changedMeanwhile, stale.size());
        LOG.info(
                "encryption rewrite: {} objects rewritten, {} changed meanwhile, {} still stale",
                result.rewritten(),
                result.changedMeanwhile(),
                result.remaining());
        return result;
    }

    /** Rewrites one object if it is still at the version found stale; false if someone else changed it first. */
    private boolean rewrite(CachingStorage.StoredVersion found) {
        Optional<StoredObject> current = storage.get(found.key());
        if (current.isEmpty() || current.get().resourceVersion() != found.resourceVersion()) {
            return false;
        }
        try {
            storage.update(
                    found.key(),
                    found.resourceVersion(),
                    current.get().value(),
                    current.get().attributes());
            LOG.debug("encryption rewrite: {} rewritten", found.key());
            return true;
        } catch (StorageException.Conflict | StorageException.NotFound e) {
            return false;
        }
    }
}
