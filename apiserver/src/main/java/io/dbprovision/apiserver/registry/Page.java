package io.dbprovision.apiserver.registry;

import com.google.protobuf.Message;
import java.util.List;

/**
 * A page of a list: its objects (decoded when asked for), the list's version and paging state.
 *
 * @param versions the page's objects in order, each with its resourceVersion
 */
public record Page(
        List<ObjectVersion> versions, String resourceVersion, String continueToken, long remainingItemCount) {
    /** The page's objects, decoded. */
    public List<Message> items() {
        return versions.stream().map(ObjectVersion::object).toList();
    }
}
