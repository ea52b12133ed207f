package io.dbprovision.apiserver.controller;

import io.dbprovision.api.kinds.ObjectRules;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.registry.Objects;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.apiserver.registry.WriteOptions;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.storage.CachingStorage;
import io.dbprovision.apiserver.storage.StorageSettings;
import io.dbprovision.apiserver.storage.sql.EmbeddedBackend;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabasePhase;
import io.dbprovision.proto.v1alpha1.DatabaseSpec;
import io.dbprovision.proto.v1alpha1.DatabaseStatus;
import io.dbprovision.proto.v1alpha1.InstanceReference;
import io.dbprovision.proto.v1alpha1.ObjectMeta;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.UnaryOperator;

/** A registry of the dbops and core kinds on an embedded store in a temporary directory, and Databases to put in it. */
final class RegistryFixture implements AutoCloseable {
    static final RequestContext CTX = RequestContext.internal("test");

    final CachingStorage storage;
    final Registry registry;
    final ResourceStore databases;

    RegistryFixture(Path dir, StorageSettings settings) {
        storage = CachingStorage.open(new EmbeddedBackend(dir, false), settings);
        registry = new Registry(
                List.of(
                        new Registry.Served(Schema.get(), ObjectRules.standard()),
                        new Registry.Served(Schema.core(), ObjectRules.core())),
                storage,
                Clock.systemUTC());
        databases = registry.byPlural("databases").orElseThrow();
    }

    RegistryFixture(Path dir) {
        this(dir, StorageSettings.defaults());
    }

    Informer<Database> databaseInformer() {
        return new Informer<>(databases, Database.class, RequestContext.internal("system:dbprovision:test-informer"));
    }

    static Database database(String namespace, String name, String instance) {
        return Database.newBuilder()
                .setMetadata(ObjectMeta.newBuilder().setNamespace(namespace).setName(name))
                .setSpec(DatabaseSpec.newBuilder()
                        .setInstanceRef(InstanceReference.newBuilder().setName(instance)))
                .build();
    }

    Database create(String namespace, String name, String instance) {
        return (Database) databases
                .create(CTX, namespace, database(namespace, name, instance), WriteOptions.DEFAULT)
                .object();
    }

    Database update(String namespace, String name, UnaryOperator<Database> change) {
        return (Database) databases
                .patch(CTX, namespace, name, current -> change.apply((Database) current), WriteOptions.DEFAULT, false)
                .object();
    }

    /** Writes the status as a reconciler does: through the status subresource, observing the generation. */
    Database writeStatus(String namespace, String name, String message) {
        return (Database) databases
                .patch(
                        CTX,
                        namespace,
                        name,
                        current -> ((Database) current)
                                .toBuilder()
                                        .setStatus(DatabaseStatus.newBuilder()
                                                .setPhase(DatabasePhase.DATABASE_PHASE_READY)
                                                .setObservedGeneration(
                                                        Objects.meta(current).getGeneration())
                                                .setMessage(message))
                                        .build(),
                        new WriteOptions(false, "test-reconciler"),
                        true)
                .object();
    }

    Database withLabel(Database database, String key, String value) {
        return database.toBuilder()
                .setMetadata(database.getMetadata().toBuilder().putLabels(key, value))
                .build();
    }

    void delete(String namespace, String name) {
        databases.delete(CTX, namespace, name, io.dbprovision.apiserver.registry.DeleteOptions.DEFAULT);
    }

    @Override
    public void close() {
        storage.close();
    }
}
