package io.dbprovision.apiserver.registry;

import io.dbprovision.api.codec.KubeCodec;
import io.dbprovision.api.codec.Limits;
import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.registry.admission.Admission;
import io.dbprovision.apiserver.storage.Storage;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The stores of every kind served, by group-version and plural, and the one codec that knows them all; the REST
 * and gRPC layers look resources up here. Which group-versions are served is the server's choice (standalone mode
 * adds core v1 and RBAC to the dbops kinds); discovery and OpenAPI are made from {@link #schemas()}.
 */
public final class Registry {
    /** One group-version to serve, with its rules. */
    public record Served(Schema schema, ObjectRules rules) {}

    private final Map<String, ResourceStore> byPath = new LinkedHashMap<>();
    private final List<Schema> schemas;
    private final KubeCodec codec;
    private final AtomicReference<Admission> admission = new AtomicReference<>(Admission.NONE);

    public Registry(List<Served> served, Storage storage, Clock clock) {
        this.schemas = served.stream().map(Served::schema).toList();
        // One codec that knows every schema served: server-side apply of a core kind decodes through it too.
        this.codec = new KubeCodec(schemas, Limits.defaults());
        for (Served entry : served) {
            for (Kind kind : entry.schema().kinds()) {
                if (kind.createOnly()) {
                    continue; // a review: answered by the server's create-only endpoints, never stored
                }
                byPath.put(
                        entry.schema().apiVersion() + "/" + kind.plural(),
                        new ResourceStore(kind, storage, entry.rules(), codec, admission::get, clock));
            }
        }
    }

    public Registry(Schema schema, Storage storage, ObjectRules rules, Clock clock) {
        this(List.of(new Served(schema, rules)), storage, clock);
    }

    /**
     * Sets the admission plugins every write goes through. Set once when the server is assembled, before it serves:
     * plugins are made after the registry because they read its stores.
     */
    public void useAdmission(Admission plugins) {
        admission.set(plugins);
    }

    /** The store of a resource of a group-version ({@code v1} or {@code dbops.dbprovision.io/v1alpha1}). */
    public Optional<ResourceStore> lookup(String apiVersion, String plural) {
        return Optional.ofNullable(byPath.get(apiVersion + "/" + plural));
    }

    public Optional<ResourceStore> byPlural(String plural) {
        return lookup(Schema.API_VERSION, plural);
    }

    /** The codec of every kind served: requests are decoded and responses encoded with it. */
    public KubeCodec codec() {
        return codec;
    }

    public List<Schema> schemas() {
        return schemas;
    }

    /** Every store, in the order served. */
    public List<ResourceStore> stores() {
        return List.copyOf(byPath.values());
    }
}
