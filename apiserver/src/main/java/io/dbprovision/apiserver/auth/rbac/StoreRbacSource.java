package io.dbprovision.apiserver.auth.rbac;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.proto.k8s.rbac.v1.ClusterRole;
import io.dbprovision.proto.k8s.rbac.v1.ClusterRoleBinding;
import io.dbprovision.proto.k8s.rbac.v1.Role;
import io.dbprovision.proto.k8s.rbac.v1.RoleBinding;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RBAC objects of the server's own stores, kept in memory as an informer keeps them: each kind is listed once,
 * then watched from the list's version; a watch that ends (storage outage, version too old) is replaced by a new list
 * and watch. {@link #policy()} answers from memory — authorization never reads storage — and indexes the objects
 * again only after they changed, once, on the first request that follows.
 */
public final class StoreRbacSource implements RbacSource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreRbacSource.class);
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final String API_VERSION = "rbac.authorization.k8s.io/v1";

    private final Mirror roles;
    private final Mirror clusterRoles;
    private final Mirror roleBindings;
    private final Mirror clusterRoleBindings;
    /** Bumped on every change; the policy is indexed again when it differs from the indexed one's. */
    private final AtomicLong changes = new AtomicLong();

    private volatile Indexed indexed = new Indexed(-1, RbacPolicy.EMPTY);
    private volatile boolean closed;

    private record Indexed(long changes, RbacPolicy policy) {}

    private StoreRbacSource(ObjectFeed roles, ObjectFeed clusterRoles, ObjectFeed roleBindings, ObjectFeed bindings) {
        this.roles = new Mirror("roles", roles);
        this.clusterRoles = new Mirror("clusterroles", clusterRoles);
        this.roleBindings = new Mirror("rolebindings", roleBindings);
        this.clusterRoleBindings = new Mirror("clusterrolebindings", bindings);
    }

    /**
     * Lists every kind (so the first request already sees the stored policy) and starts watching them.
     *
     * @throws RuntimeException what a list throws when storage is unavailable
     */
    public static StoreRbacSource start(
            ObjectFeed roles, ObjectFeed clusterRoles, ObjectFeed roleBindings, ObjectFeed clusterRoleBindings) {
        StoreRbacSource source = new StoreRbacSource(roles, clusterRoles, roleBindings, clusterRoleBindings);
        for (Mirror mirror : source.mirrors()) {
            mirror.sync();
        }
        return source;
    }

    /** The source over a registry that serves {@code rbac.authorization.k8s.io/v1}. */
    public static StoreRbacSource start(Registry registry) {
        return start(
                feed(registry, "roles"),
                feed(registry, "clusterroles"),
                feed(registry, "rolebindings"),
                feed(registry, "clusterrolebindings"));
    }

    private static ObjectFeed feed(Registry registry, String plural) {
        ResourceStore store = registry.lookup(API_VERSION, plural)
                .orElseThrow(() -> new IllegalArgumentException("the registry does not serve " + API_VERSION));
        return ObjectFeed.of(store);
    }

    @Override
    public RbacPolicy policy() {
        Indexed current = indexed;
        long now = changes.get();
        if (current.changes() == now) {
            return current.policy();
        }
        synchronized (this) {
            current = indexed;
            now = changes.get();
            if (current.changes() != now) {
                // Read the count before the objects: a change meanwhile leaves the count ahead, so it is indexed next.
                current = new Indexed(
                        now,
                        RbacPolicy.of(
                                roles.objects(Role.class),
                                clusterRoles.objects(ClusterRole.class),
                                roleBindings.objects(RoleBinding.class),
                                clusterRoleBindings.objects(ClusterRoleBinding.class)));
                indexed = current;
            }
            return current.policy();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Mirror mirror : mirrors()) {
            mirror.stop();
        }
    }

    private List<Mirror> mirrors() {
        return List.of(roles, clusterRoles, roleBindings, clusterRoleBindings);
    }

    /** One kind's objects by {@code namespace/name}, and the watch that keeps them current. */
    private final class Mirror {
        private final String resource;
        private final ObjectFeed feed;
        private final Map<String, Message> objects = new HashMap<>();
        private AutoCloseable watch;
        /** Which watch is current, so that the end of a replaced one is ignored. */
        private long watchNumber;

        Mirror(String resource, ObjectFeed feed) {
            this.resource = resource;
            this.feed = feed;
        }

        /** Lists, replaces what is held, and watches from the list's version. */
        void sync() {
            AutoCloseable previous;
            synchronized (this) {
                ObjectFeed.Snapshot snapshot = feed.list();
                objects.clear();
                for (Message object : snapshot.objects()) {
                    objects.put(key(object), object);
                }
                changes.incrementAndGet();
                long number = ++watchNumber;
                previous = watch;
                watch = feed.watch(snapshot.resourceVersion(), this::apply, cause -> ended(number, cause));
            }
            closeQuietly(previous);
        }

        private synchronized void apply(ObjectFeed.Change change) {
            if (change.deleted()) {
                objects.remove(key(change.object()));
            } else {
                objects.put(key(change.object()), change.object());
            }
            changes.incrementAndGet();
        }

        private void ended(long number, RuntimeException cause) {
            synchronized (this) {
                if (closed || number != watchNumber) {
                    return;
                }
            }
            LOG.info("RBAC {}: watch ended ({}), listing again", resource, cause.getMessage());
            Thread.ofVirtual().name("rbac-resync-" + resource).start(this::resyncUntilDone);
        }

        private void resyncUntilDone() {
            while (!closed) {
                try {
                    sync();
                    return;
                } catch (RuntimeException e) {
                    LOG.warn("RBAC {}: listing failed, retrying: {}", resource, e.getMessage());
                    try {
                        Thread.sleep(RETRY);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }

        synchronized <T extends Message> List<T> objects(Class<T> type) {
            List<T> typed = new ArrayList<>(objects.size());
            for (Message object : objects.values()) {
                typed.add(type.cast(object));
            }
            return typed;
        }

        /** Ends the watch; closed outside the lock, as its thread may be waiting for it to apply a change. */
        void stop() {
            AutoCloseable current;
            synchronized (this) {
                watchNumber++;
                current = watch;
                watch = null;
            }
            closeQuietly(current);
        }

        private static void closeQuietly(AutoCloseable watch) {
            if (watch != null) {
                try {
                    watch.close();
                } catch (Exception e) {
                    // closing anyway
                }
            }
        }

        private static String key(Message object) {
            ObjectMeta meta =
                    (ObjectMeta) object.getField(object.getDescriptorForType().findFieldByName("metadata"));
            return meta.getNamespace() + "/" + meta.getName();
        }
    }
}
