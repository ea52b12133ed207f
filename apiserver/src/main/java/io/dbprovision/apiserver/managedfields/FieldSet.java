package io.dbprovision.apiserver.managedfields;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A set of field paths in the trie shape of Kubernetes' {@code FieldsV1} (structured-merge-diff's
 * {@code fieldpath.Set}): each node is keyed by a path element, {@code f:<field>} for a field or a map key, and is a
 * member when the path ending there belongs to the set. Serialized, a member without children is {@code {}} and a
 * member with children carries {@code ".": {}} beside them.
 *
 * <p>This API's lists are all atomic, so only {@code f:} elements are produced here; {@code k:}, {@code v:} and
 * {@code i:} elements written by clients are kept as they are, and match nothing of ours. Instances are mutable
 * only while being built; the set operations return new sets. Invariant: every node below the root is a member or
 * has children.
 */
public final class FieldSet {
    private final TreeMap<String, FieldSet> children = new TreeMap<>();
    private boolean member;

    public static FieldSet empty() {
        return new FieldSet();
    }

    /** The path element of a field (or map key) named {@code name}. */
    public static String field(String name) {
        return "f:" + name;
    }

    /** A set of the given paths, each a list of path elements. */
    public static FieldSet of(List<List<String>> paths) {
        FieldSet set = new FieldSet();
        paths.forEach(set::insert);
        return set;
    }

    /** A set of dotted field paths such as {@code metadata.labels}; for constants. */
    static FieldSet ofFields(String... dotted) {
        FieldSet set = new FieldSet();
        for (String path : dotted) {
            List<String> elements = new ArrayList<>();
            for (String name : path.split("\\.")) {
                elements.add(field(name));
            }
            set.insert(elements);
        }
        return set;
    }

    /** Adds a path (non-empty) to this set being built. */
    void insert(List<String> path) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("the empty path is not a field");
        }
        FieldSet node = this;
        for (String element : path) {
            node = node.children.computeIfAbsent(element, e -> new FieldSet());
        }
        node.member = true;
    }

    public boolean isEmpty() {
        return children.isEmpty();
    }

    public boolean contains(List<String> path) {
        FieldSet node = this;
        for (String element : path) {
            node = node.children.get(element);
            if (node == null) {
                return false;
            }
        }
        return node != this && node.member;
    }

    /** The subtree under one path element, or null. */
    FieldSet child(String element) {
        return children.get(element);
    }

    boolean isMember() {
        return member;
    }

    Map<String, FieldSet> children() {
        return children;
    }

    public FieldSet union(FieldSet other) {
        FieldSet out = copy();
        out.addAll(other);
        return out;
    }

    private void addAll(FieldSet other) {
        member |= other.member;
        other.children.forEach((element, child) ->
                children.computeIfAbsent(element, e -> new FieldSet()).addAll(child));
    }

    /** The members of this set that are not members of {@code other} (other's children do not matter). */
    public FieldSet difference(FieldSet other) {
        FieldSet out = new FieldSet();
        children.forEach((element, child) -> {
            FieldSet otherChild = other.children.get(element);
            FieldSet kept = otherChild == null ? child.copy() : child.difference(otherChild);
            kept.member = child.member && (otherChild == null || !otherChild.member);
            if (kept.member || !kept.children.isEmpty()) {
                out.children.put(element, kept);
            }
        });
        return out;
    }

    /** The members of both sets. */
    public FieldSet intersection(FieldSet other) {
        FieldSet out = new FieldSet();
        children.forEach((element, child) -> {
            FieldSet otherChild = other.children.get(element);
            if (otherChild == null) {
                return;
            }
            FieldSet kept = child.intersection(otherChild);
            kept.member = child.member && otherChild.member;
            if (kept.member || !kept.children.isEmpty()) {
                out.children.put(element, kept);
            }
        });
        return out;
    }

    /** This set without the whole subtree under the top-level {@code element}. */
    FieldSet withoutSubtree(String element) {
        FieldSet out = copy();
        out.children.remove(element);
        return out;
    }

    /** Only the subtree under the top-level {@code element} (its path included). */
    FieldSet onlySubtree(String element) {
        FieldSet out = new FieldSet();
        FieldSet child = children.get(element);
        if (child != null) {
            out.children.put(element, child.copy());
        }
        return out;
    }

    /**
     * Every node of the set as a member: the members with all their ancestors (structured-merge-diff's
     * {@code EnsureNamedFieldsAreMembers}, for a schema whose path elements are all fields).
     */
    FieldSet withAncestors() {
        FieldSet out = new FieldSet();
        children.forEach((element, child) -> {
            FieldSet node = child.withAncestors();
            node.member = true;
            out.children.put(element, node);
        });
        return out;
    }

    /** The members, parents before children: at each level the members in order, then the subtrees in order. */
    public List<List<String>> paths() {
        List<List<String>> out = new ArrayList<>();
        forEachPath(new ArrayList<>(), out::add);
        return out;
    }

    private void forEachPath(List<String> prefix, Consumer<List<String>> sink) {
        children.forEach((element, child) -> {
            if (child.member) {
                List<String> path = new ArrayList<>(prefix);
                path.add(element);
                sink.accept(List.copyOf(path));
            }
        });
        children.forEach((element, child) -> {
            if (!child.children.isEmpty()) {
                List<String> path = new ArrayList<>(prefix);
                path.add(element);
                child.forEachPath(path, sink);
            }
        });
    }

    /** A path as structured-merge-diff prints it: {@code .spec.connection.host}. */
    public static String render(List<String> path) {
        StringBuilder out = new StringBuilder();
        for (String element : path) {
            String body = element.length() >= 2 ? element.substring(2) : element;
            switch (element.length() >= 2 ? element.substring(0, 2) : "") {
                case "f:" -> out.append('.').append(body);
                case "v:" -> out.append("[=").append(body).append(']');
                case "i:" -> out.append('[').append(body).append(']');
                default -> out.append('[').append(body).append(']');
            }
        }
        return out.toString();
    }

    // ---- FieldsV1

    /**
     * Reads a {@code fieldsV1} trie. Keys of unknown element types are dropped, as structured-merge-diff drops them.
     *
     * @throws IllegalArgumentException if a value is not an object
     */
    public static FieldSet fromFieldsV1(Struct fields) {
        FieldSet set = new FieldSet();
        read(fields, set);
        return set;
    }

    private static boolean read(Struct fields, FieldSet into) {
        boolean self = false;
        for (Map.Entry<String, Value> entry : fields.getFieldsMap().entrySet()) {
            String key = entry.getKey();
            if (!entry.getValue().hasStructValue()) {
                throw new IllegalArgumentException("the value of " + key + " must be an object");
            }
            if (key.equals(".")) {
                self = true;
                continue;
            }
            if (!(key.startsWith("f:") || key.startsWith("k:") || key.startsWith("v:") || key.startsWith("i:"))) {
                continue;
            }
            FieldSet child = new FieldSet();
            boolean childSelf = read(entry.getValue().getStructValue(), child);
            child.member = childSelf || child.children.isEmpty();
            into.children.put(key, child);
        }
        return self;
    }

    /** The {@code {}} of a member without children, and of the {@code "."} beside a member's children. */
    private static final Value EMPTY_OBJECT =
            Value.newBuilder().setStructValue(Struct.getDefaultInstance()).build();

    /** Writes the {@code fieldsV1} trie of this set. */
    public Struct toFieldsV1() {
        return fieldsV1().build();
    }

    /**
     * Each level is built once, into its parent's value: building a level and then copying it into a builder to add
     * {@code "."} copied every map of the trie once per level above it (every create writes such a trie).
     */
    private Struct.Builder fieldsV1() {
        Struct.Builder out = Struct.newBuilder();
        children.forEach((element, child) -> {
            if (child.children.isEmpty()) {
                out.putFields(element, EMPTY_OBJECT);
                return;
            }
            Struct.Builder value = child.fieldsV1();
            if (child.member) {
                value.putFields(".", EMPTY_OBJECT);
            }
            out.putFields(element, Value.newBuilder().setStructValue(value).build());
        });
        return out;
    }

    // ----

    FieldSet copy() {
        FieldSet out = new FieldSet();
        out.member = member;
        children.forEach((element, child) -> out.children.put(element, child.copy()));
        return out;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FieldSet set && set.member == member && set.children.equals(children);
    }

    @Override
    public int hashCode() {
        return Objects.hash(member, children);
    }

    @Override
    public String toString() {
        return paths().stream().map(FieldSet::render).toList().toString();
    }
}
