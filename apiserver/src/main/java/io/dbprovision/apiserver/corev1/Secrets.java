package io.dbprovision.apiserver.corev1;

import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.proto.k8s.core.v1.Secret;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where the reconcilers read and write core v1 Secrets: admin credentials named by an instance, TLS material, and the
 * credentials Secrets of database users. In standalone mode they live in this server's own core v1 (the registry's
 * {@code secrets} store); in a cluster they are the kube-apiserver's, reached with client-java. Failures are the
 * registry's {@link io.dbprovision.apiserver.registry.ApiException}s (NotFound, AlreadyExists, Conflict, or
 * ServiceUnavailable when the store cannot be reached), so callers handle both modes alike.
 */
public interface Secrets {
    /** The Secret, or empty when there is none. */
    Optional<Secret> get(String namespace, String name);

    /** Stores a new Secret and returns it as stored (uid, resourceVersion); AlreadyExists when the name is taken. */
    Secret create(Secret secret);

    /**
     * Replaces a Secret, on the condition that its {@code metadata.resourceVersion} is still current (Conflict
     * otherwise); returns it as stored.
     */
    Secret update(Secret secret);

    /** Deletes the Secret if it exists and, when {@code uid} is not empty, is still that one. */
    void delete(String namespace, String name, String uid);

    /**
     * Calls {@code changed} with the name of every Secret matching {@code labelSelector} that is added, changed or
     * deleted, from now until the returned handle is closed, across outages (it re-watches by itself). Calls come on
     * one thread, in order, and must not block.
     */
    AutoCloseable watch(String labelSelector, Consumer<NamespacedName> changed);
}
