package io.dbprovision.apiserver.storage;

/**
 * One version of an object as storage holds it: the serialized object, the resourceVersion that wrote it, and the
 * attributes selectors read. Storage never looks inside {@code value}.
 */
public record StoredObject(ObjectKey key, long resourceVersion, byte[] value, Attributes attributes) {}
