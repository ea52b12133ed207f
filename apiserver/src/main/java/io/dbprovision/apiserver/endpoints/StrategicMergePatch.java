package io.dbprovision.apiserver.endpoints;

import io.dbprovision.apiserver.registry.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strategic merge patch for the core kinds standalone mode serves (Namespace, Secret, Event). kubectl sends it for
 * built-in kinds because it knows their Go types. None of these kinds has a list with a merge key, so the patch is a
 * JSON merge patch plus the directives kubectl may put in it: {@code $patch} (replace or delete an object),
 * {@code $retainKeys}, {@code $deleteFromPrimitiveList/<field>} and {@code $setElementOrder/<field>} (order only;
 * lists here are replaced whole). Our own kinds answer 415 to it, as CRDs do, and kubectl uses merge patch for them.
 */
final class StrategicMergePatch {
    private StrategicMergePatch() {}

    static Object apply(Object target, Object patch) {
        if (!(patch instanceof Map<?, ?> patchMap)) {
            return patch;
        }
        Object directive = patchMap.get("$patch");
        if ("delete".equals(directive)) {
            return null;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        if (!"replace".equals(directive) && target instanceof Map<?, ?> targetMap) {
            targetMap.forEach((key, value) -> result.put((String) key, value));
        }
        if (patchMap.get("$retainKeys") instanceof List<?> retain) {
            result.keySet().retainAll(retain);
        }
        for (Map.Entry<?, ?> entry : patchMap.entrySet()) {
            String key = (String) entry.getKey();
            Object value = entry.getValue();
            if (key.equals("$patch") || key.equals("$retainKeys") || key.startsWith("$setElementOrder/")) {
                continue;
            }
            if (key.startsWith("$deleteFromPrimitiveList/")) {
                String field = key.substring("$deleteFromPrimitiveList/".length());
                if (result.get(field) instanceof List<?> list && value instanceof List<?> remove) {
                    List<Object> kept = new ArrayList<>(list);
                    kept.removeAll(remove);
                    result.put(field, kept);
                }
                continue;
            }
            if (key.startsWith("$")) {
                throw new ApiException.BadRequest("unsupported strategic merge patch directive " + key);
            }
            if (value == null) {
                result.remove(key);
                continue;
            }
            Object merged = apply(result.get(key), value);
            if (merged == null) {
                result.remove(key);
            } else {
                result.put(key, merged);
            }
        }
        return result;
    }
}
