package io.dbprovision.apiserver.registry;

import com.google.protobuf.Message;

/** A watch event with its decoded object (for a BOOKMARK, an empty object carrying only the resourceVersion). */
public record ObjectEvent(Type type, Message object) {
    public enum Type {
        ADDED,
        MODIFIED,
        DELETED,
        BOOKMARK
    }
}
