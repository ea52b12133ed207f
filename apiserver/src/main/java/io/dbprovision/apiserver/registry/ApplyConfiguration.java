package io.dbprovision.apiserver.registry;

import com.google.protobuf.Message;
import java.util.Map;

/**
 * The body of a server-side apply, read and checked by the REST layer: the manager's full intent as written (which
 * fields it names) and as the kind's message (their values).
 *
 * @param manager the field manager that applies
 * @param force take over fields other managers own instead of failing with a conflict
 * @param written the document as plain maps, lists and scalars
 * @param object the same document decoded
 */
public record ApplyConfiguration(String manager, boolean force, Map<String, Object> written, Message object) {}
