package io.dbprovision.apiserver.storage;

import java.util.Comparator;

/**
 * Where an object lives: its resource ({@code databases.dbops.dbprovision.io}), namespace ("" for cluster-scoped
 * kinds) and name. Keys sort by resource, namespace, name, which is the order of lists and continue tokens.
 */
public record ObjectKey(String resource, String namespace, String name) implements Comparable<ObjectKey> {
    private static final Comparator<ObjectKey> ORDER = Comparator.comparing(ObjectKey::resource)
            .thenComparing(ObjectKey::namespace)
            .thenComparing(ObjectKey::name);

    public ObjectKey {
        if (resource == null || resource.isEmpty() || namespace == null || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("incomplete key: " + resource + "/" + namespace + "/" + name);
        }
    }

    @Override
    public int compareTo(ObjectKey other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return namespace.isEmpty() ? resource + "/" + name : resource + "/" + namespace + "/" + name;
    }
}
