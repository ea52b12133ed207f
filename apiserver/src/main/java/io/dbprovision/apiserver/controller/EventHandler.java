package io.dbprovision.apiserver.controller;

/**
 * What an {@link Informer} tells about the objects it caches. Called on the informer's watch thread, in the order of
 * the changes, with the cache already updated: handlers must be quick (a controller's only enqueues a key) — a slow
 * one delays every other handler, and a watch that falls too far behind is cut off and resumed.
 */
public interface EventHandler<T> {
    /** An object appeared: created, or found when the informer (re)listed. */
    default void onAdd(T object) {}

    /** An object changed; {@code oldObject} is the version the cache held before. */
    default void onUpdate(T oldObject, T newObject) {}

    /** An object was deleted; {@code lastKnown} is its last version (after a relist, the last one cached). */
    default void onDelete(T lastKnown) {}
}
