package io.dbprovision.apiserver.reconcile;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.controller.Informer;
import io.dbprovision.apiserver.registry.Objects;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Who depends on an object, read from the informers' indexes: the databases, users and roles on an instance (in
 * every namespace, cluster-scoped roles and grants included — the system we re-create only looked in the
 * instance's own namespace), the grants on a database, a user or a role. What blocks a deletion and what a confirmed
 * forced deletion removes.
 */
public final class Dependants {
    /** One kind of dependant: its informer, and the index that maps a parent's index value to it. */
    public record Source(Informer<? extends Message> informer, String index) {}

    private final List<Source> sources = new ArrayList<>();

    /** Adds {@code informer} as a source of dependants under {@code index}, indexing it by {@code parentsOf}. */
    public <T extends Message> Dependants add(
            Informer<T> informer, String index, Function<? super T, ? extends java.util.Collection<String>> parentsOf) {
        informer.addIndex(index, parentsOf);
        sources.add(new Source(informer, index));
        return this;
    }

    /** The dependants of the parent whose index value is {@code parent}, under {@code index}. */
    public List<Message> of(String index, String parent) {
        List<Message> out = new ArrayList<>();
        for (Source source : sources) {
            if (source.index().equals(index)) {
                out.addAll(source.informer().byIndex(index, parent));
            }
        }
        return out;
    }

    /** {@code namespace/name} of an object: how grants index the database, user or role they name. */
    public static String key(Message object) {
        var meta = Objects.meta(object);
        return meta.getNamespace() + "/" + meta.getName();
    }

    /** {@code Kind/namespace/name} (or {@code Kind/name} when cluster-scoped), as deletionConfirmation lists them. */
    public static String describe(Message object) {
        var meta = Objects.meta(object);
        String kind = InstanceKey.string(object, "kind");
        if (kind.isEmpty()) {
            kind = object.getDescriptorForType().getName();
        }
        return meta.getNamespace().isEmpty()
                ? kind + "/" + meta.getName()
                : kind + "/" + meta.getNamespace() + "/" + meta.getName();
    }
}
