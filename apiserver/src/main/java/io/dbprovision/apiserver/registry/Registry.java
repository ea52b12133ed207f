package io.dbprovision.apiserver.registry;

import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.codec.Limits;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.storage.Storage;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stores of every kind served, by group-version and plural; the REST and gRPC layers look resources up here.
 * Standalone mode adds the core v1 kinds to the dbops ones.
 */
public final class Registry {
    /** One group-version to serve, with its rules. */
    public record Served(Schema schema, ObjectRules rules) {}

    private final Map<String, ResourceStore> byPath = new LinkedHashMap<>();
    private final List<Schema> schemas;
    private final NamespaceLifecycle namespaceLifecycle;

    public Registry(List<Served> served, Storage storage, Clock clock) {
        this.schemas = served.stream().map(Served::schema).toList();
        // One codec that knows every schema served: server-side apply of a core kind decodes through it too.
        KubeCodec codec = new KubeCodec(schemas, Limits.defaults());
        for (Served entry : served) {
            for (Kind kind : entry.schema().kinds()) {
                byPath.put(
                        entry.schema().apiVersion() + "/" + kind.plural(),
                        new ResourceStore(kind, storage, entry.rules(), codec, clock));
            }
        }
        this.namespaceLifecycle = new NamespaceLifecycle(byPath.get("v1/namespaces"));
    }

    public Registry(Schema schema, Storage storage, ObjectRules rules, Clock clock) {
        this(List.of(new Served(schema, rules)), storage, clock);
    }

    /** The store of a resource of a group-version ({@code v1} or {@code dbops.dbprovision.io/v1alpha1}). */
    public Optional<ResourceStore> lookup(String apiVersion, String plural) {
        return Optional.ofNullable(byPath.get(apiVersion + "/" + plural));
    }

    public Optional<ResourceStore> byPlural(String plural) {
        return lookup(Schema.API_VERSION, plural);
    }

    public List<Schema> schemas() {
        return schemas;
    }

    /** Every store, in the order served. */
    public List<ResourceStore> stores() {
        return List.copyOf(byPath.values());
    }

    /** Namespace admission: auto-provisioning, no creates in terminating namespaces, immortal system namespaces. */
    public NamespaceLifecycle namespaceLifecycle() {
        return namespaceLifecycle;
    }

    /**
     * Creates a namespace on first use, as Kubernetes' NamespaceAutoProvision admission does: standalone mode has no
     * cluster administrator to create them beforehand. A no-op when namespaces are not served here.
     *
     * @throws ApiException.Forbidden when the namespace is being deleted
     */
    public void ensureNamespace(String namespace) {
        namespaceLifecycle.ensureActive(namespace, "namespace " + namespace);
    }
}
