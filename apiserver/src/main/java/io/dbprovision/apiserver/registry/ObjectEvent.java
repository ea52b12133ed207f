package io.dbprovision.apiserver.registry;

import com.google.protobuf.Message;

/** A watch event with its object (for a BOOKMARK, an empty object carrying only the resourceVersion). */
public record ObjectEvent(Type type, ObjectVersion version) {
    public enum Type {
        ADDED,
        MODIFIED,
        DELETED,
        BOOKMARK
    }

    /** The event's object, decoded. */
    public Message object() {
        return version.object();
    }
}
