package io.dbprovision.apiserver.endpoints;

import java.util.LinkedHashMap;
import java.util.Map;

/** JSON merge patch (RFC 7386) on plain JSON trees: objects merge, null removes, everything else replaces. */
final class MergePatch {
    private MergePatch() {}

    static Object apply(Object target, Object patch) {
        if (!(patch instanceof Map<?, ?> patchMap)) {
            return patch;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        if (target instanceof Map<?, ?> targetMap) {
            targetMap.forEach((key, value) -> result.put((String) key, value));
        }
        for (Map.Entry<?, ?> entry : patchMap.entrySet()) {
            String key = (String) entry.getKey();
            if (entry.getValue() == null) {
                result.remove(key);
            } else {
                result.put(key, apply(result.get(key), entry.getValue()));
            }
        }
        return result;
    }
}
