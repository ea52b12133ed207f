package io.dbprovision.apiserver.corev1;

import io.dbprovision.proto.k8s.core.v1.Event;

/**
 * Where a {@link CorrelatingEventRecorder} writes core v1 Events: this server's own store in standalone mode
 * ({@link RegistryEventSink}), the kube-apiserver in a cluster ({@link ClusterEventSink}). Called from the recorder's
 * one background thread; failures are the registry's {@link io.dbprovision.apiserver.registry.ApiException}s.
 */
public interface EventSink {
    /** Stores a new Event (its namespace and name set) and returns it as stored; AlreadyExists when the name is taken. */
    Event create(Event event);

    /**
     * Records another occurrence on the stored Event of {@code event}'s namespace and name: its {@code count},
     * {@code lastTimestamp} and {@code message} become {@code event}'s, whatever its resourceVersion (only the recorder
     * writes its Events). Returns it as stored; NotFound when it is gone (Events expire).
     */
    Event update(Event event);
}
