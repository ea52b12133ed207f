package io.dbprovision.api.schema;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What a hot path reads off a protobuf descriptor (its fields' names, rules, shapes), computed once per descriptor and
 * kept: descriptors are fixed for the life of the JVM, so nothing here goes stale.
 */
public final class DescriptorMemo<K, V> {
    private final ConcurrentHashMap<K, V> values = new ConcurrentHashMap<>();
    private final Function<K, V> read;

    public DescriptorMemo(Function<K, V> read) {
        this.read = read;
    }

    public V get(K key) {
        V value = values.get(key); // get first: computeIfAbsent may lock even when the key is present
        return value != null ? value : values.computeIfAbsent(key, read);
    }
}
