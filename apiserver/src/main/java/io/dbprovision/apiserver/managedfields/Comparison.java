package io.dbprovision.apiserver.managedfields;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What changed between two objects in JSON tree form (structured-merge-diff's {@code Comparison}): objects are
 * compared field by field; anything else (scalars and, this API's lists being atomic, whole lists) is a leaf.
 * A field present only on the right is added with everything below it, one present only on the left is removed
 * with everything below it, and a leaf present on both sides with different values is modified.
 */
public record Comparison(FieldSet added, FieldSet modified, FieldSet removed) {

    public static Comparison of(Map<String, Object> lhs, Map<String, Object> rhs) {
        FieldSet added = FieldSet.empty();
        FieldSet modified = FieldSet.empty();
        FieldSet removed = FieldSet.empty();
        compare(lhs, rhs, new ArrayList<>(), added, modified, removed);
        return new Comparison(added, modified, removed);
    }

    /** Added or modified: the fields the right side sets to something new. */
    public FieldSet changed() {
        return added.union(modified);
    }

    public boolean isSame() {
        return added.isEmpty() && modified.isEmpty() && removed.isEmpty();
    }

    /** The comparison restricted by {@code filter} (applied to each of the three sets). */
    Comparison filter(UnaryOperator<FieldSet> filter) {
        return new Comparison(filter.apply(added), filter.apply(modified), filter.apply(removed));
    }

    private static void compare(
            Map<?, ?> lhs, Map<?, ?> rhs, List<String> path, FieldSet added, FieldSet modified, FieldSet removed) {
        Set<Object> keys = new LinkedHashSet<>(lhs.keySet());
        keys.addAll(rhs.keySet());
        for (Object key : keys) {
            List<String> child = new ArrayList<>(path);
            child.add(FieldSet.field((String) key));
            boolean left = lhs.containsKey(key);
            boolean right = rhs.containsKey(key);
            Object l = lhs.get(key);
            Object r = rhs.get(key);
            if (!left) {
                all(r, child, added);
            } else if (!right) {
                all(l, child, removed);
            } else if (l instanceof Map<?, ?> lm && r instanceof Map<?, ?> rm) {
                compare(lm, rm, child, added, modified, removed);
            } else if (!Objects.equals(l, r)) {
                modified.insert(child);
            }
        }
    }

    private static void all(Object value, List<String> path, FieldSet into) {
        into.insert(path);
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                List<String> child = new ArrayList<>(path);
                child.add(FieldSet.field((String) entry.getKey()));
                all(entry.getValue(), child, into);
            }
        }
    }
}
