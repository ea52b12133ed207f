package io.dbprovision.api.field;

/**
 * Path of a field within an object, written as Kubernetes writes it: {@code spec.connection.port},
 * {@code spec.postgres.extensions[0].name}, {@code metadata.labels[app]}.
 */
public final class FieldPath {
    private static final FieldPath ROOT = new FieldPath(null, "");

    private final FieldPath parent;
    private final String text;

    private FieldPath(FieldPath parent, String text) {
        this.parent = parent;
        this.text = text;
    }

    /** The object itself. */
    public static FieldPath root() {
        return ROOT;
    }

    /** A path from its dotted form, such as {@code spec.connection}. */
    public static FieldPath of(String dotted) {
        FieldPath path = ROOT;
        for (String part : dotted.split("\\.")) {
            path = path.child(part);
        }
        return path;
    }

    public FieldPath child(String name) {
        return new FieldPath(this, isRoot() ? name : text + "." + name);
    }

    public FieldPath index(int index) {
        return new FieldPath(this, text + "[" + index + "]");
    }

    public FieldPath key(String key) {
        return new FieldPath(this, text + "[" + key + "]");
    }

    public boolean isRoot() {
        return parent == null;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FieldPath path && path.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
