package io.dbprovision.apiserver.reconcile.instance;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.controller.Informer;
import io.dbprovision.apiserver.controller.NamespacedName;
import io.dbprovision.apiserver.corev1.Secrets;
import io.dbprovision.apiserver.reconcile.Dependants;
import io.dbprovision.apiserver.reconcile.InstanceKey;
import io.dbprovision.apiserver.reconcile.Instances;
import io.dbprovision.apiserver.registry.ApiException;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.proto.k8s.core.v1.Secret;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseInstance;
import io.dbprovision.proto.v1alpha1.CredentialSecretRef;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseInstanceSpec;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the Secrets an instance connects with — its admin credentials and its TLS material — for as long as the
 * instance or anything on it needs them, as Kubernetes keeps a PersistentVolumeClaim a pod uses: the instance's
 * reconcile puts the finalizer {@value #FINALIZER} (and the label {@value #LABEL}{@code =true}, by which they are
 * watched) on each of them. Deleting a whole set of manifests at once ({@code kubectl delete -f dir/}, the admin
 * Secret included) then leaves the Secret readable, marked for deletion, while the databases, users, roles and grants
 * on the instance are dropped on the server with it; the finalizer comes off when no instance needs the Secret any
 * more, and the Secret goes.
 *
 * <p>An instance needs a Secret it names unless it is being deleted and nothing lives on it any more. The finalizer
 * is taken off (with the label) when an instance finishes its deletion and no other instance needs the Secret, and
 * when a watched Secret is marked for deletion and none needs it (an instance that named it before its spec moved to
 * another Secret, or one deleted while this server was down). A Secret the instances still need stays marked for
 * deletion until they are deleted or name another one; the instance keeps working with it meanwhile.
 *
 * <p>Works the same on this server's own core v1 Secrets and, through {@code corev1.ClusterSecrets}, on a cluster's:
 * only {@link Secrets#get} and {@link Secrets#update} are used, and the kube-apiserver keeps a Secret with a finalizer
 * as the embedded store does.
 */
public final class InstanceSecrets implements AutoCloseable {
    public static final String FINALIZER = "dbops.dbprovision.io/instance-credentials";
    public static final String LABEL = "dbops.dbprovision.io/instance-credentials";
    /** Instance informers' index: the {@code namespace/name} of each Secret the instance names. */
    public static final String INDEX = "secrets";

    private static final Logger LOG = LoggerFactory.getLogger(InstanceSecrets.class);
    private static final int ATTEMPTS = 5;

    private final Secrets secrets;
    private final Informer<DatabaseInstance> namespaced;
    private final Informer<ClusterDatabaseInstance> cluster;
    private final Dependants dependants;
    /** The Secrets of each instance (by uid) protected at which generation: one look per generation, not per check. */
    private final Map<String, Long> protectedAt = new ConcurrentHashMap<>();
    /** Where the checks a watch event asks for run: off the watch's thread, one at a time. */
    private final ExecutorService checks = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("instance-secrets").factory());

    /** Indexes both instance informers by the Secrets they name. */
    public InstanceSecrets(
            Secrets secrets,
            Informer<DatabaseInstance> namespaced,
            Informer<ClusterDatabaseInstance> cluster,
            Dependants dependants) {
        this.secrets = secrets;
        this.namespaced = namespaced;
        this.cluster = cluster;
        this.dependants = dependants;
        namespaced.addIndex(
                INDEX,
                instance ->
                        namedBy(instance).stream().map(NamespacedName::toString).toList());
        cluster.addIndex(
                INDEX,
                instance ->
                        namedBy(instance).stream().map(NamespacedName::toString).toList());
    }

    /**
     * Starts watching the protected Secrets: one marked for deletion loses the finalizer when no instance needs it.
     * The returned handle stops the watch and the checks.
     */
    public AutoCloseable start() {
        AutoCloseable watch = secrets.watch(LABEL + "=true", secret -> {
            if (!checks.isShutdown()) {
                checks.execute(() -> releaseIfDeletedAndUnneeded(secret));
            }
        });
        return () -> {
            watch.close();
            close();
        };
    }

    @Override
    public void close() {
        checks.shutdownNow();
        try {
            checks.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The Secrets {@code instance} names: its admin credentials and, when set, its TLS Secret. */
    public static List<NamespacedName> namedBy(Message instance) {
        DatabaseInstanceSpec spec = Instances.specOf(instance);
        CredentialSecretRef ref = spec.getConnection().hasSecretRef()
                ? spec.getConnection().getSecretRef()
                : spec.getConnection().getExistingSecret();
        String namespace = ref.getNamespace().isEmpty() ? Objects.meta(instance).getNamespace() : ref.getNamespace();
        if (namespace.isEmpty()) {
            return List.of(); // a cluster instance without secretRef.namespace: refused by its reconcile
        }
        Set<NamespacedName> names = new LinkedHashSet<>();
        if (!ref.getName().isEmpty()) {
            names.add(new NamespacedName(namespace, ref.getName()));
        }
        if (spec.getTls().hasSecretRef()
                && !spec.getTls().getSecretRef().getName().isEmpty()) {
            names.add(new NamespacedName(namespace, spec.getTls().getSecretRef().getName()));
        }
        return List.copyOf(names);
    }

    /**
     * Puts the finalizer on each Secret {@code instance} names that exists and is not being deleted (once per
     * generation of the instance in this process). Failures are logged, not thrown: the instance works without it,
     * and its next generation or this server's next start tries again.
     */
    public void protect(Message instance) {
        ObjectMeta meta = Objects.meta(instance);
        Long done = protectedAt.get(meta.getUid());
        if (done != null && done == meta.getGeneration()) {
            return;
        }
        boolean all = true;
        for (NamespacedName name : namedBy(instance)) {
            try {
                change(name, secret -> {
                    ObjectMeta secretMeta = secret.getMetadata();
                    if (secretMeta.hasDeletionTimestamp()
                            || (secretMeta.getFinalizersList().contains(FINALIZER)
                                    && "true".equals(secretMeta.getLabelsOrDefault(LABEL, "")))) {
                        return secret;
                    }
                    ObjectMeta.Builder next = secretMeta.toBuilder().putLabels(LABEL, "true");
                    if (!secretMeta.getFinalizersList().contains(FINALIZER)) {
                        next.addFinalizers(FINALIZER);
                    }
                    return secret.toBuilder().setMetadata(next).build();
                });
            } catch (ApiException e) {
                all = false;
                LOG.warn("{}: cannot protect Secret({}): {}", describe(instance), name, e.getMessage());
            }
        }
        if (all) {
            protectedAt.put(meta.getUid(), meta.getGeneration());
        }
    }

    /**
     * {@code instance} finished its deletion: each Secret it names loses the finalizer unless another instance needs
     * it. Throws the store's failure, so the deletion is retried.
     */
    public void release(Message instance) {
        String uid = Objects.meta(instance).getUid();
        protectedAt.remove(uid);
        for (NamespacedName name : namedBy(instance)) {
            if (neededBy(name, uid).isEmpty()) {
                unprotect(name);
            }
        }
    }

    /** Instances other than the one with {@code exceptUid} that need the Secret {@code name}. */
    List<String> neededBy(NamespacedName name, String exceptUid) {
        List<String> needing = new ArrayList<>();
        List<Message> naming = new ArrayList<>(namespaced.byIndex(INDEX, name.toString()));
        naming.addAll(cluster.byIndex(INDEX, name.toString()));
        for (Message instance : naming) {
            ObjectMeta meta = Objects.meta(instance);
            if (meta.getUid().equals(exceptUid)) {
                continue;
            }
            boolean stillUsed = !meta.hasDeletionTimestamp()
                    || !dependants
                            .of(InstanceLogic.INDEX, keyOf(instance).index())
                            .isEmpty();
            if (stillUsed) {
                needing.add(describe(instance));
            }
        }
        return needing;
    }

    private void releaseIfDeletedAndUnneeded(NamespacedName name) {
        try {
            // Before the informers have listed every instance, "no instance needs it" would not be known.
            while (!namespaced.awaitSynced(Duration.ofSeconds(1)) || !cluster.awaitSynced(Duration.ofSeconds(1))) {
                if (checks.isShutdown()) {
                    return;
                }
            }
            Optional<Secret> secret = secrets.get(name.namespace(), name.name());
            if (secret.isEmpty()
                    || !secret.get().getMetadata().hasDeletionTimestamp()
                    || !secret.get().getMetadata().getFinalizersList().contains(FINALIZER)) {
                return;
            }
            List<String> needing = neededBy(name, "");
            if (needing.isEmpty()) {
                unprotect(name);
            } else {
                LOG.info("Secret({}) is being deleted; kept while {} need it", name, needing);
            }
        } catch (ApiException e) {
            // The next change to the Secret, or the deletion of an instance naming it, looks again.
            LOG.warn("Secret({}): cannot check whether an instance still needs it: {}", name, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("Secret({}): checking whether an instance still needs it failed", name, e);
        }
    }

    private void unprotect(NamespacedName name) {
        change(name, secret -> {
            ObjectMeta meta = secret.getMetadata();
            if (!meta.getFinalizersList().contains(FINALIZER) && !meta.containsLabels(LABEL)) {
                return secret;
            }
            ObjectMeta.Builder next = meta.toBuilder().clearFinalizers().removeLabels(LABEL);
            meta.getFinalizersList().stream().filter(f -> !f.equals(FINALIZER)).forEach(next::addFinalizers);
            return secret.toBuilder().setMetadata(next).build();
        });
        LOG.info("Secret({}): no instance needs it any more; finalizer {} removed", name, FINALIZER);
    }

    /** Reads, changes and writes the Secret, again on a conflict; nothing when it is absent or the change is none. */
    private void change(NamespacedName name, UnaryOperator<Secret> change) {
        for (int attempt = 1; ; attempt++) {
            Optional<Secret> current = secrets.get(name.namespace(), name.name());
            if (current.isEmpty()) {
                return;
            }
            Secret next = change.apply(current.get());
            if (next.equals(current.get())) {
                return;
            }
            try {
                secrets.update(next);
                return;
            } catch (ApiException.Conflict | ApiException.NotFound e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private static InstanceKey keyOf(Message instance) {
        NamespacedName name = NamespacedName.of(instance);
        return instance instanceof ClusterDatabaseInstance
                ? InstanceKey.cluster(name.name())
                : InstanceKey.namespaced(name.namespace(), name.name());
    }

    private static String describe(Message instance) {
        return Dependants.describe(instance);
    }
}
