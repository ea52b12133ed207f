package io.dbprovision.apiserver.storage;

import java.util.function.Function;

/**
 * One version of an object as storage holds it: the serialized object, the resourceVersion that wrote it, and the
 * attributes selectors read. Storage never looks inside {@code value}.
 *
 * <p>A version never changes, and the same instance is what the cache serves to every reader and every watcher of
 * it. So it also carries one slot for a value the layers above derive from it (the API server keeps the version's
 * JSON there): computed at most about once, however many lists, gets and watch streams send it, and gone with the
 * version. This is what Kubernetes' watch cache does with its cached serializations, without a separate cache to
 * bound and invalidate.
 */
public final class StoredObject {
    private final ObjectKey key;
    private final long resourceVersion;
    private final byte[] value;
    private final Attributes attributes;
    /** The derived value and the key it was derived for; null until someone asks. */
    private volatile Derived derived;

    private record Derived(Object key, Object value) {}

    public StoredObject(ObjectKey key, long resourceVersion, byte[] value, Attributes attributes) {
        this.key = key;
        this.resourceVersion = resourceVersion;
        this.value = value;
        this.attributes = attributes;
    }

    public ObjectKey key() {
        return key;
    }

    public long resourceVersion() {
        return resourceVersion;
    }

    /** The serialized object; callers must not modify it. */
    public byte[] value() {
        return value;
    }

    public Attributes attributes() {
        return attributes;
    }

    /**
     * The value {@code derive} computes from this version, computed on first use and kept with the version. One value
     * is kept, for one {@code key} (a constant of the caller's): asked for another key, it is computed and not kept.
     * Two threads asking at once may both compute it; {@code derive} must be a pure function of this version.
     */
    @SuppressWarnings("unchecked")
    public <T> T derived(Object key, Function<StoredObject, T> derive) {
        Derived current = derived;
        if (current != null && current.key() == key) {
            return (T) current.value();
        }
        T computed = derive.apply(this);
        if (current == null) {
            derived = new Derived(key, computed);
        }
        return computed;
    }

    @Override
    public String toString() {
        return "StoredObject[" + key + "@" + resourceVersion + ", " + value.length + " bytes]";
    }
}
