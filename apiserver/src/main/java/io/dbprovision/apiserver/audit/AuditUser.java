package io.dbprovision.apiserver.audit;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A user as an audit event names it ({@code authentication.k8s.io/v1} {@code UserInfo}): the authenticated caller in
 * {@code user}, or the user they impersonate in {@code impersonatedUser}. Kept apart from the authenticators' own type
 * so that this package depends on nothing else in the server. Extra keys are kept sorted, so that a line is the same
 * for the same user.
 */
public record AuditUser(String username, String uid, List<String> groups, Map<String, List<String>> extra) {
    public AuditUser {
        username = username == null ? "" : username;
        uid = uid == null ? "" : uid;
        groups = groups == null ? List.of() : List.copyOf(groups);
        if (extra == null || extra.isEmpty()) {
            extra = Map.of(); // most users have none: no sorted copy of nothing per request
        } else {
            TreeMap<String, List<String>> sorted = new TreeMap<>();
            extra.forEach((key, values) -> sorted.put(key, values == null ? List.of() : List.copyOf(values)));
            extra = java.util.Collections.unmodifiableMap(sorted);
        }
    }

    /** A user with a name and groups only (no uid, no extra). */
    public static AuditUser of(String username, List<String> groups) {
        return new AuditUser(username, "", groups, Map.of());
    }
}
