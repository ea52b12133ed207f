package io.dbprovision.apiserver.auth;

import java.util.List;
import java.util.Map;

/** Who makes a request, as Kubernetes describes users: name, uid, groups and extra attributes. */
public record UserInfo(String name, String uid, List<String> groups, Map<String, List<String>> extra) {
    public UserInfo {
        groups = List.copyOf(groups);
        extra = Map.copyOf(extra);
    }

    public boolean inGroup(String group) {
        return groups.contains(group);
    }
}
