package io.dbprovision.apiserver.reconcile;

import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.corev1.Secrets;
import io.dbprovision.proto.k8s.core.v1.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** Secrets that count the reads of each Secret (in a cluster, each read is a GET to the kube-apiserver). */
final class CountingSecrets implements Secrets {
    private final Secrets delegate;
    private final Map<NamespacedName, AtomicInteger> reads = new ConcurrentHashMap<>();

    CountingSecrets(Secrets delegate) {
        this.delegate = delegate;
    }

    /** Reads of the Secret {@code namespace/name} so far. */
    int reads(String namespace, String name) {
        AtomicInteger count = reads.get(new NamespacedName(namespace, name));
        return count == null ? 0 : count.get();
    }

    /** Reads of any Secret so far. */
    int reads() {
        return reads.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Override
    public Optional<Secret> get(String namespace, String name) {
        reads.computeIfAbsent(new NamespacedName(namespace, name), key -> new AtomicInteger())
                .incrementAndGet();
        return delegate.get(namespace, name);
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
