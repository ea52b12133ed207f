package io.dbprovision.apiserver.endpoints;

import io.dbprovision.apiserver.registry.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * JSON patch (RFC 6902) on plain JSON trees: add, remove, replace, move, copy and test, with JSON pointers
 * (RFC 6901, {@code ~0} and {@code ~1} escapes, {@code -} for the end of an array). Any failing operation fails the
 * whole patch; nothing is applied half-way because the tree is a copy.
 *
 * <p>A patch is bounded before anything it asks for is built, as Kubernetes bounds it: at most {@value
 * #MAX_OPERATIONS} operations, and the copies of one patch together no larger than the largest body accepted (the
 * json-patch library's {@code AccumulatedCopySizeLimit}), each copy measured before it is made; without that, 40
 * copies of 80 bytes each double an object 40 times. Adds bring only what the patch itself holds, so the patched
 * object is at most the object, the patch and the copy limit. No operation may nest the object deeper than the
 * codec reads ({@value Json#MAX_DEPTH} levels): moves can otherwise wrap a value one level deeper each.
 */
final class JsonPatch {
    static final int MAX_OPERATIONS = 10_000;

    private JsonPatch() {}

    /** Refuses what is not a list of operations (400) or is too long a list (413), before the object is read. */
    static void checkOperations(Object patch) {
        if (!(patch instanceof List<?> operations)) {
            throw new ApiException.BadRequest("a JSON patch must be an array of operations");
        }
        if (operations.size() > MAX_OPERATIONS) {
            throw new ApiException.RequestEntityTooLarge("The allowed maximum operations in a JSON patch is "
                    + MAX_OPERATIONS + ", got " + operations.size());
        }
    }

    /** @param copyLimit the most bytes (of JSON) the copies of the patch may add up to */
    static Object apply(Object document, Object patch, long copyLimit) {
        checkOperations(patch);
        List<?> operations = (List<?>) patch;
        Object root = deepCopy(document);
        long copied = 0;
        for (int i = 0; i < operations.size(); i++) {
            if (!(operations.get(i) instanceof Map<?, ?> operation)) {
                throw bad(i, "is not an object");
            }
            String op = string(operation, "op", i);
            String path = string(operation, "path", i);
            root = switch (op) {
                case "add" -> add(root, pointer(path, i), value(operation, i), i);
                case "remove" -> remove(root, pointer(path, i), i);
                case "replace" -> add(remove(root, pointer(path, i), i), pointer(path, i), value(operation, i), i);
                case "move" -> {
                    List<String> from = pointer(string(operation, "from", i), i);
                    List<String> to = pointer(path, i);
                    if (to.size() > from.size() && to.subList(0, from.size()).equals(from)) {
                        throw bad(i, "moves a value into itself");
                    }
                    Object moved = get(root, from, i);
                    yield add(remove(root, from, i), to, moved, i);
                }
                case "copy" -> {
                    Object source = get(root, pointer(string(operation, "from", i), i), i);
                    long size = Measure.size(source, copyLimit - copied);
                    copied += size;
                    if (copied > copyLimit) {
                        throw new ApiException.RequestEntityTooLarge(
                                "the JSON patch operation " + i + " copies more than the " + copyLimit
                                        + " bytes all the copies of a patch may add up to");
                    }
                    yield add(root, pointer(path, i), deepCopy(source), i);
                }
                case "test" -> {
                    if (!Objects.equals(normalize(get(root, pointer(path, i), i)), normalize(value(operation, i)))) {
                        throw new ApiException.Conflict(
                                ApiException.Subject.NONE, "the JSON patch test at " + path + " failed");
                    }
                    yield root;
                }
                default -> throw bad(i, "has an unknown op \"" + PublicMessages.printable(op) + "\"");
            };
        }
        return root;
    }

    /** How large and how deep a value is, measured only as far as needed. */
    private static final class Measure {
        private Measure() {}

        /** The length of the value as JSON (near enough), or a number past {@code budget} once it is past it. */
        static long size(Object value, long budget) {
            long size;
            if (value instanceof Map<?, ?> map) {
                size = 2;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    size += String.valueOf(entry.getKey()).length() + 4 + size(entry.getValue(), budget - size);
                    if (size > budget) {
                        return size;
                    }
                }
            } else if (value instanceof List<?> list) {
                size = 2;
                for (Object item : list) {
                    size += 1 + size(item, budget - size);
                    if (size > budget) {
                        return size;
                    }
                }
            } else if (value instanceof String text) {
                size = text.length() + 2L;
            } else {
                size = String.valueOf(value).length();
            }
            return size;
        }

        /** How many levels of objects and arrays the value has (a scalar has none). */
        static int depth(Object value) {
            int deepest = 0;
            if (value instanceof Map<?, ?> map) {
                for (Object child : map.values()) {
                    deepest = Math.max(deepest, depth(child));
                }
                return deepest + 1;
            }
            if (value instanceof List<?> list) {
                for (Object child : list) {
                    deepest = Math.max(deepest, depth(child));
                }
                return deepest + 1;
            }
            return 0;
        }
    }

    private static Object add(Object root, List<String> path, Object value, int index) {
        if (path.size() + Measure.depth(value) > Json.MAX_DEPTH) {
            throw bad(index, "would nest the object deeper than " + Json.MAX_DEPTH + " levels");
        }
        if (path.isEmpty()) {
            return value;
        }
        Object parent = get(root, path.subList(0, path.size() - 1), index);
        String last = path.getLast();
        if (parent instanceof Map<?, ?> map) {
            @SuppressWarnings("unchecked")
            Map<String, Object> object = (Map<String, Object>) map;
            object.put(last, value);
        } else if (parent instanceof List<?> list) {
            @SuppressWarnings("unchecked")
            List<Object> array = (List<Object>) list;
            int position = last.equals("-") ? array.size() : arrayIndex(last, array.size() + 1, index);
            array.add(position, value);
        } else {
            throw bad(index, "adds below a value that is not an object or array");
        }
        return root;
    }

    private static Object remove(Object root, List<String> path, int index) {
        if (path.isEmpty()) {
            throw bad(index, "cannot remove the whole document");
        }
        Object parent = get(root, path.subList(0, path.size() - 1), index);
        String last = path.getLast();
        if (parent instanceof Map<?, ?> map) {
            if (!map.containsKey(last)) {
                throw bad(index, "removes \"" + PublicMessages.printable(last) + "\", which does not exist");
            }
            map.remove(last);
        } else if (parent instanceof List<?> list) {
            list.remove(arrayIndex(last, list.size(), index));
        } else {
            throw bad(index, "removes below a value that is not an object or array");
        }
        return root;
    }

    private static Object get(Object root, List<String> path, int index) {
        Object current = root;
        for (String token : path) {
            if (current instanceof Map<?, ?> map) {
                if (!map.containsKey(token)) {
                    throw bad(index, "refers to \"" + PublicMessages.printable(token) + "\", which does not exist");
                }
                current = map.get(token);
            } else if (current instanceof List<?> list) {
                current = list.get(arrayIndex(token, list.size(), index));
            } else {
                throw bad(index, "refers below a value that is not an object or array");
            }
        }
        return current;
    }

    private static int arrayIndex(String token, int size, int index) {
        try {
            int position = Integer.parseInt(token);
            if (position < 0 || position >= size || !token.equals(String.valueOf(position))) {
                throw bad(index, "uses the array index " + token + " outside 0.." + (size - 1));
            }
            return position;
        } catch (NumberFormatException e) {
            throw bad(index, "uses \"" + PublicMessages.printable(token) + "\" as an array index");
        }
    }

    private static List<String> pointer(String path, int index) {
        if (path.isEmpty()) {
            return List.of();
        }
        if (!path.startsWith("/")) {
            throw bad(index, "has a path that does not start with /");
        }
        List<String> tokens = new ArrayList<>();
        for (String token : path.substring(1).split("/", -1)) {
            tokens.add(token.replace("~1", "/").replace("~0", "~"));
        }
        return tokens;
    }

    private static String string(Map<?, ?> operation, String field, int index) {
        if (!(operation.get(field) instanceof String value)) {
            throw bad(index, "needs a string \"" + field + "\"");
        }
        return value;
    }

    private static Object value(Map<?, ?> operation, int index) {
        if (!operation.containsKey("value")) {
            throw bad(index, "needs a \"value\"");
        }
        return deepCopy(operation.get("value"));
    }

    /** Numbers compare by value, whatever Java type the parser chose. */
    private static Object normalize(Object value) {
        if (value instanceof Number number) {
            return new java.math.BigDecimal(number.toString()).stripTrailingZeros();
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, normalize(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(JsonPatch::normalize).toList();
        }
        return value;
    }

    static Object deepCopy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put((String) k, deepCopy(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(deepCopy(v)));
            return copy;
        }
        return value;
    }

    private static ApiException bad(int index, String detail) {
        return new ApiException.BadRequest("the JSON patch operation " + index + " " + detail);
    }
}
