package io.dbprovision.apiserver.registry;

import com.google.protobuf.Message;
import java.util.List;

/** A page of a list, decoded: items with their resourceVersions set, the list's version and paging state. */
public record Page(List<Message> items, String resourceVersion, String continueToken, long remainingItemCount) {}
