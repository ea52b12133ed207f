package io.dbprovision.client;

import io.dbprovision.proto.portal.v1alpha1.EventType;

/**
 * One change a watch reports: ADDED, MODIFIED or DELETED with the object after the change (its last state for
 * DELETED), or BOOKMARK, whose object carries only {@code metadata.resource_version}.
 */
public record WatchEvent<T>(EventType type, T object, String resourceVersion) {}
