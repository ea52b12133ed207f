package io.dbprovision.apiserver.registry;

import com.google.protobuf.Message;
import java.util.List;

/**
 * The outcome of a write: the object as stored (or as it would be, for a dry run), the warnings to send back,
 * and whether the write created the object (201) or, for a delete, only marked it for deletion (finalizers pending).
 */
public record Written(ObjectVersion version, List<String> warnings, boolean created, boolean pendingFinalizers) {
    /** The written object, with its resourceVersion set. */
    public Message object() {
        return version.object();
    }
}
