package io.dbprovision.apiserver.reconcile.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dbprovision.apiserver.server.StandaloneServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The system under test: the standalone server as {@code dbprovision standalone} runs it (embedded store with the
 * default fsync, its own Secrets and Events, reconcilers at their default settings: 16 workers and 4 per instance per
 * kind, resync every 10 minutes), calling the {@link BenchProvisioner}; and the benchmark's client with one watch per
 * dbops kind it uses, opened before any object exists.
 */
final class BenchServer implements AutoCloseable {
    final BenchProvisioner provisioner;
    final StandaloneServer server;
    final RestClient rest;
    /** When the server (and so its controllers' resync timers) started, in {@link System#nanoTime()}. */
    final long startedAt;

    final ReadyWatch instances;
    final ReadyWatch databases;
    final ReadyWatch users;
    final ReadyWatch grants;

    BenchServer(Path dir, boolean fsync) throws Exception {
        provisioner = new BenchProvisioner(dir.resolve("provisioner-tls"));
        startedAt = System.nanoTime();
        server = StandaloneServer.start(StandaloneServer.Options.of(dir.resolve("server"), "127.0.0.1", 0, fsync)
                .withProvisioner(provisioner.choice()));
        rest = new RestClient(server.port(), server.caCertificate(), server.adminToken());
        instances = new ReadyWatch(rest, "databaseinstances");
        databases = new ReadyWatch(rest, "databases");
        users = new ReadyWatch(rest, "databaseusers");
        grants = new ReadyWatch(rest, "databasegrants");
    }

    /** Creates the namespace with one admin Secret and the named instances on {@code engine}; waits until Ready. */
    void namespaceWithInstances(String namespace, BenchObjects.Engine engine, List<String> names)
            throws InterruptedException {
        rest.create("/api/v1/namespaces", BenchObjects.namespace(namespace));
        rest.create(
                "/api/v1/namespaces/" + namespace + "/secrets", BenchObjects.adminSecret(namespace, "admin", engine));
        for (String name : names) {
            create("databaseinstances", namespace, BenchObjects.instance(namespace, name, engine, "admin"));
        }
        List<String> keys = names.stream().map(n -> namespace + "/" + n).toList();
        if (!instances.awaitReady(keys, Duration.ofMinutes(1))) {
            throw new IllegalStateException("instances not Ready: " + instances.notReady(keys));
        }
    }

    /** POSTs a dbops object into its namespace. */
    void create(String plural, String namespace, ObjectNode object) {
        rest.create(RestClient.DBOPS + "/namespaces/" + namespace + "/" + plural, object);
    }

    /** Writes seen so far on every watched kind, by plural. */
    Map<String, Long> writes() {
        return Map.of(
                "databaseinstances", instances.writes(),
                "databases", databases.writes(),
                "databaseusers", users.writes(),
                "databasegrants", grants.writes());
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable watch : List.of(instances, databases, users, grants)) {
            watch.close();
        }
        server.close();
        provisioner.close();
    }
}
