package io.dbprovision.apiserver.reconcile;

import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.corev1.Secrets;
import io.dbprovision.proto.k8s.core.v1.Secret;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Secrets that count the reads of each Secret (in a cluster, each read is a GET to the kube-apiserver), in all and on
 * the calling thread — a test that calls a reconciler itself counts its reads alone, not those of controllers running
 * meanwhile —, and that can hide a Secret from the reconcilers as if it had vanished, without the watch events or
 * finalizers a real deletion brings.
 */
final class CountingSecrets implements Secrets {
    private final Secrets delegate;
    private final Map<NamespacedName, AtomicInteger> reads = new ConcurrentHashMap<>();
    private final ThreadLocal<Map<NamespacedName, Integer>> readsHere = ThreadLocal.withInitial(HashMap::new);
    private final Set<NamespacedName> hidden = ConcurrentHashMap.newKeySet();

    CountingSecrets(Secrets delegate) {
        this.delegate = delegate;
    }

    /** Reads of the Secret {@code namespace/name} so far. */
    int reads(String namespace, String name) {
        AtomicInteger count = reads.get(new NamespacedName(namespace, name));
        return count == null ? 0 : count.get();
    }

    /** Reads of the Secret {@code namespace/name} on the calling thread so far. */
    int readsHere(String namespace, String name) {
        return readsHere.get().getOrDefault(new NamespacedName(namespace, name), 0);
    }

    /** From now on the Secret {@code namespace/name} is not found, until {@link #reveal}. */
    void hide(String namespace, String name) {
        hidden.add(new NamespacedName(namespace, name));
    }

    void reveal(String namespace, String name) {
        hidden.remove(new NamespacedName(namespace, name));
    }

    /** Reads of any Secret so far. */
    int reads() {
        return reads.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Override
    public Optional<Secret> get(String namespace, String name) {
        NamespacedName key = new NamespacedName(namespace, name);
        reads.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        readsHere.get().merge(key, 1, Integer::sum);
        return hidden.contains(key) ? Optional.empty() : delegate.get(namespace, name);
    }

    @Override
    public Secret create(Secret secret) {
        return delegate.create(secret);
    }

    @Override
    public Secret update(Secret secret) {
        return delegate.update(secret);
    }

    @Override
    public void delete(String namespace, String name, String uid) {
        delegate.delete(namespace, name, uid);
    }

    @Override
    public AutoCloseable watch(String labelSelector, Consumer<NamespacedName> changed) {
        return delegate.watch(labelSelector, changed);
    }
}
