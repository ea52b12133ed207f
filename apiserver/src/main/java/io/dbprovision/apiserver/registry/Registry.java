package io.dbprovision.apiserver.registry;

import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.storage.Storage;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The stores of every kind of the schema, by plural; the REST and gRPC layers look resources up here. */
public final class Registry {
    private final Map<String, ResourceStore> byPlural = new LinkedHashMap<>();

    public Registry(Schema schema, Storage storage, ObjectRules rules, Clock clock) {
        for (Kind kind : schema.kinds()) {
            byPlural.put(kind.plural(), new ResourceStore(kind, storage, rules, clock));
        }
    }

    public Optional<ResourceStore> byPlural(String plural) {
        return Optional.ofNullable(byPlural.get(plural));
    }
}
