package io.dbprovision.apiserver.managedfields;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Objects as plain JSON trees (maps, lists, scalars, in the codec's canonical form) for server-side apply: the
 * applied configuration as the fields a manager specified, its field set, the merge into the live object and the
 * pruning of fields a manager stopped applying.
 */
final class ObjectTrees {
    /**
     * A field the configuration names with no value: {@code null}, or the zero value of a field without presence,
     * which the canonical form omits. Applying it removes the field; the manager still owns it.
     */
    static final Object ABSENT = new Object() {
        @Override
        public String toString() {
            return "<absent>";
        }
    };

    private ObjectTrees() {}

    /**
     * The applied configuration: the fields present in {@code raw} (the document as written, unknown fields
     * dropped by the schema of {@code type}) with their values from {@code canonical} (the same document decoded
     * and encoded again). Objects stay objects (possibly empty); a field that names no value is {@link #ABSENT}.
     */
    static Map<String, Object> applied(Map<?, ?> raw, Map<?, ?> canonical, Descriptor type) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : raw.entrySet()) {
            String name = String.valueOf(entry.getKey());
            FieldDescriptor field = byJsonName(type, name);
            if (field == null) {
                continue; // unknown: dropped (or refused) by field validation
            }
            Object value = entry.getValue();
            Object decoded = canonical == null ? null : canonical.get(name);
            if (field.isMapField()) {
                if (!(value instanceof Map<?, ?> rawMap)) {
                    out.put(name, ABSENT);
                    continue;
                }
                Map<?, ?> decodedMap = decoded instanceof Map<?, ?> m ? m : Map.of();
                FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
                Map<String, Object> items = new LinkedHashMap<>();
                for (Map.Entry<?, ?> item : rawMap.entrySet()) {
                    String key = String.valueOf(item.getKey());
                    Object decodedItem = decodedMap.get(key);
                    if (isObject(valueField) && item.getValue() instanceof Map<?, ?> rawItem) {
                        items.put(
                                key,
                                applied(
                                        rawItem,
                                        decodedItem instanceof Map<?, ?> m ? m : null,
                                        valueField.getMessageType()));
                    } else {
                        items.put(key, decodedItem == null ? ABSENT : decodedItem);
                    }
                }
                out.put(name, items);
            } else if (!field.isRepeated() && isObject(field)) {
                if (value instanceof Map<?, ?> rawObject) {
                    out.put(
                            name,
                            applied(rawObject, decoded instanceof Map<?, ?> m ? m : null, field.getMessageType()));
                } else {
                    out.put(name, ABSENT);
                }
            } else {
                out.put(name, decoded == null ? ABSENT : decoded); // scalar, enum, time, or an atomic list
            }
        }
        return out;
    }

    private static boolean isObject(FieldDescriptor field) {
        return field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                && !field.getMessageType().getFullName().startsWith("google.protobuf.");
    }

    private static FieldDescriptor byJsonName(Descriptor type, String name) {
        for (FieldDescriptor field : type.getFields()) {
            if (field.getJsonName().equals(name)) {
                return field;
            }
        }
        return null;
    }

    /**
     * The fields an applied configuration sets (structured-merge-diff's {@code ToFieldSet}): every leaf, and every
     * object that is empty or absent; non-empty objects only through their fields.
     */
    static FieldSet fieldSet(Map<String, Object> applied) {
        FieldSet set = FieldSet.empty();
        collect(applied, new ArrayList<>(), set);
        return set;
    }

    private static void collect(Map<String, Object> tree, List<String> path, FieldSet into) {
        tree.forEach((name, value) -> {
            List<String> child = new ArrayList<>(path);
            child.add(FieldSet.field(name));
            if (value instanceof Map<?, ?> map && !map.isEmpty()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> object = (Map<String, Object>) map;
                collect(object, child, into);
            } else {
                into.insert(child);
            }
        });
    }

    /** Merges an applied configuration into {@code target}: objects merge field by field, anything else replaces. */
    static void merge(Map<String, Object> target, Map<String, Object> applied) {
        applied.forEach((name, value) -> {
            if (value == ABSENT) {
                target.remove(name);
            } else if (value instanceof Map<?, ?> map) {
                Map<String, Object> into =
                        target.get(name) instanceof Map<?, ?> existing ? copy(existing) : new LinkedHashMap<>();
                @SuppressWarnings("unchecked")
                Map<String, Object> object = (Map<String, Object>) map;
                merge(into, object);
                target.put(name, into);
            } else {
                target.put(name, deepCopy(value));
            }
        });
    }

    /**
     * Removes from {@code target} the fields of {@code last} (a field set with all ancestors as members) that no
     * manager owns any more ({@code owned}, likewise), with everything below them; never the {@code kept} paths.
     */
    static void prune(Map<String, Object> target, FieldSet last, FieldSet owned, FieldSet kept) {
        last.children().forEach((element, lastChild) -> {
            if (!element.startsWith("f:")) {
                return;
            }
            String name = element.substring(2);
            if (!target.containsKey(name)) {
                return;
            }
            FieldSet ownedChild = owned == null ? null : owned.child(element);
            FieldSet keptChild = kept == null ? null : kept.child(element);
            boolean isOwned = ownedChild != null && ownedChild.isMember();
            boolean isKept = keptChild != null && keptChild.isMember();
            if (lastChild.isMember() && !isOwned && !isKept) {
                target.remove(name);
                return;
            }
            if (target.get(name) instanceof Map<?, ?> map
                    && !lastChild.children().isEmpty()) {
                Map<String, Object> object = copy(map);
                prune(object, lastChild, ownedChild, keptChild);
                target.put(name, object);
            }
        });
    }

    /**
     * True when both trees hold the same thing at {@code path}: the same leaf value, objects on both sides, or
     * nothing on both sides.
     */
    static boolean sameAt(Map<String, Object> left, Map<String, Object> right, List<String> path) {
        Object l = at(left, path);
        Object r = at(right, path);
        if (l instanceof Map<?, ?> && r instanceof Map<?, ?>) {
            return true;
        }
        return Objects.equals(l, r);
    }

    private static Object at(Map<String, Object> tree, List<String> path) {
        Object node = tree;
        for (String element : path) {
            if (!element.startsWith("f:") || !(node instanceof Map<?, ?> map)) {
                return ABSENT;
            }
            String name = element.substring(2);
            if (!map.containsKey(name)) {
                return ABSENT;
            }
            node = map.get(name);
        }
        return node == null ? ABSENT : node;
    }

    static Map<String, Object> copy(Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((key, value) -> out.put((String) key, deepCopy(value)));
        return out;
    }

    static Object deepCopy(Object value) {
        if (value instanceof Map<?, ?> map) {
            return copy(map);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(item -> out.add(deepCopy(item)));
            return out;
        }
        return value;
    }
}
