package io.dbprovision.apiserver.reconcile.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The objects the benchmark creates, as the JSON a user's manifests become: namespaces, the instances' admin Secrets,
 * DatabaseInstances on the machine's servers (no {@code healthCheck} block: the default 60 s interval), and the
 * Database, DatabaseUser and DatabaseGrant of one application.
 */
final class BenchObjects {
    static final String API_VERSION = "dbops.dbprovision.io/v1alpha1";

    private BenchObjects() {}

    /** One of the machine's servers. */
    record Engine(String title, String json, String host, int port, String adminUser, String adminDatabase) {
        static final Engine POSTGRES = new Engine("PostgreSQL", "postgres", "127.0.0.1", 5432, "postgres", "postgres");
        static final Engine MARIADB = new Engine("MariaDB", "mariadb", "127.0.0.1", 3306, "root", "");

        boolean postgres() {
            return json.equals("postgres");
        }
    }

    static ObjectNode namespace(String name) {
        ObjectNode object = object("v1", "Namespace");
        object.putObject("metadata").put("name", name);
        return object;
    }

    static ObjectNode adminSecret(String namespace, String name, Engine engine) {
        ObjectNode object = object("v1", "Secret");
        meta(object, namespace, name);
        object.putObject("stringData")
                .put("username", engine.adminUser())
                // trust on the machine's PostgreSQL, an empty root password on its MariaDB
                .put("password", engine.postgres() ? "unused-with-trust" : "");
        return object;
    }

    static ObjectNode instance(String namespace, String name, Engine engine, String secret) {
        ObjectNode object = object(API_VERSION, "DatabaseInstance");
        meta(object, namespace, name);
        ObjectNode spec = object.putObject("spec").put("engine", engine.json());
        ObjectNode connection =
                spec.putObject("connection").put("host", engine.host()).put("port", engine.port());
        if (!engine.adminDatabase().isEmpty()) {
            connection.put("database", engine.adminDatabase());
        }
        connection.putObject("secretRef").put("name", secret);
        return object;
    }

    static ObjectNode database(String namespace, String name, String instance, String databaseName) {
        ObjectNode object = object(API_VERSION, "Database");
        meta(object, namespace, name);
        ObjectNode spec = object.putObject("spec");
        spec.putObject("instanceRef").put("name", instance);
        spec.put("name", databaseName).put("deletionProtection", false);
        return object;
    }

    static ObjectNode user(String namespace, String name, String instance, String username) {
        ObjectNode object = object(API_VERSION, "DatabaseUser");
        meta(object, namespace, name);
        ObjectNode spec = object.putObject("spec");
        spec.putObject("instanceRef").put("name", instance);
        spec.put("username", username);
        return object;
    }

    /** CONNECT on the database (PostgreSQL), SELECT on {@code database.*} (MariaDB), for the user. */
    static ObjectNode grant(
            String namespace, String name, String user, String database, Engine engine, String databaseName) {
        ObjectNode object = object(API_VERSION, "DatabaseGrant");
        meta(object, namespace, name);
        ObjectNode spec = object.putObject("spec");
        spec.putObject("userRef").put("name", user);
        spec.putObject("databaseRef").put("name", database);
        spec.put("deletionProtection", false);
        ArrayNode grants =
                spec.putObject(engine.postgres() ? "postgres" : "mysql").putArray("grants");
        ObjectNode grant = grants.addObject();
        if (engine.postgres()) {
            grant.put("database", databaseName).putArray("privileges").add("CONNECT");
        } else {
            grant.put("level", "database").put("database", databaseName);
            grant.putArray("privileges").add("SELECT");
        }
        return object;
    }

    private static ObjectNode object(String apiVersion, String kind) {
        ObjectNode object = RestClient.json().createObjectNode();
        object.put("apiVersion", apiVersion).put("kind", kind);
        return object;
    }

    private static void meta(ObjectNode object, String namespace, String name) {
        object.putObject("metadata").put("name", name).put("namespace", namespace);
    }
}
