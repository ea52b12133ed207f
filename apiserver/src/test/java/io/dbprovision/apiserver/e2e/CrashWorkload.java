package io.dbprovision.apiserver.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * The 200 objects {@link CrashRecoveryTest} applies while it kills the server: a namespace, the admin Secrets of the
 * machine's MariaDB and PostgreSQL, an instance on each, then — interleaved, as teams would apply them — 60
 * Database + DatabaseUser + DatabaseGrant triples on MariaDB and 5 on PostgreSQL. Every name on the engines starts
 * with the run's prefix ({@link io.dbprovision.apiserver.testing.EngineRun#prefix}), so runs never share an object and
 * the test can drop its own whatever state the run left them in.
 */
final class CrashWorkload {
    static final String NAMESPACE = "dbpcr-crash";
    static final int MARIADB_TRIPLES = 60;
    static final int POSTGRES_TRIPLES = 5;
    private static final String DBOPS = "/apis/dbops.dbprovision.io/v1alpha1/namespaces/" + NAMESPACE + "/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String prefix;

    /** @param prefix what every database and account name on the engines starts with */
    CrashWorkload(String prefix) {
        this.prefix = prefix;
    }

    /** One object: where it is POSTed, and what. */
    record Item(String collection, String kind, String name, JsonNode body) {
        String path() {
            return collection + "/" + name;
        }
    }

    /** A DatabaseUser of the workload and what it should lead to on its engine. */
    record User(String objectName, String username, String secretName, String database, boolean mariadb) {}

    static String collection(String plural) {
        return DBOPS + plural;
    }

    static String secrets() {
        return "/api/v1/namespaces/" + NAMESPACE + "/secrets";
    }

    /** Every object, in the order they are applied. */
    List<Item> items() {
        List<Item> items = new ArrayList<>();
        items.add(new Item("/api/v1/namespaces", "Namespace", NAMESPACE, json("""
                        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "%s"}}
                        """.formatted(NAMESPACE))));
        items.add(adminSecret("maria-admin", "root"));
        items.add(adminSecret("pg-admin", "postgres"));
        items.add(instance("maria", "mariadb", 3306, "mysql", "maria-admin"));
        items.add(instance("pg", "postgres", 5432, "postgres", "pg-admin"));
        int postgres = 0;
        for (int i = 0; i < MARIADB_TRIPLES; i++) {
            items.addAll(mariadbTriple(i));
            if (i % 12 == 0 && postgres < POSTGRES_TRIPLES) {
                items.addAll(postgresTriple(postgres++));
            }
        }
        return items;
    }

    /** The users of the workload. */
    List<User> users() {
        List<User> users = new ArrayList<>();
        for (int i = 0; i < MARIADB_TRIPLES; i++) {
            users.add(new User(
                    "m-user-%02d".formatted(i),
                    prefix + "mu_%02d".formatted(i),
                    "m-user-%02d-credentials".formatted(i),
                    prefix + "mdb_%02d".formatted(i),
                    true));
        }
        for (int i = 0; i < POSTGRES_TRIPLES; i++) {
            users.add(new User(
                    "p-user-%02d".formatted(i),
                    prefix + "pu_%02d".formatted(i),
                    "p-user-%02d-credentials".formatted(i),
                    prefix + "pdb_%02d".formatted(i),
                    false));
        }
        return users;
    }

    private static Item adminSecret(String name, String username) {
        return new Item(secrets(), "Secret", name, json("""
                        {"apiVersion": "v1", "kind": "Secret",
                         "metadata": {"name": "%s", "namespace": "%s"},
                         "stringData": {"username": "%s", "password": ""}}
                        """.formatted(name, NAMESPACE, username)));
    }

    private static Item instance(String name, String engine, int port, String database, String secret) {
        return new Item(collection("databaseinstances"), "DatabaseInstance", name, json("""
                        {"apiVersion": "dbops.dbprovision.io/v1alpha1", "kind": "DatabaseInstance",
                         "metadata": {"name": "%s", "namespace": "%s"},
                         "spec": {"engine": "%s",
                                  "connection": {"host": "127.0.0.1", "port": %d, "database": "%s",
                                                 "secretRef": {"name": "%s"}},
                                  "deletionProtection": false}}
                        """.formatted(
                        name, NAMESPACE, engine, port, database, secret)));
    }

    private List<Item> mariadbTriple(int i) {
        String database = prefix + "mdb_%02d".formatted(i);
        String db = "m-db-%02d".formatted(i);
        String user = "m-user-%02d".formatted(i);
        return List.of(
                new Item(collection("databases"), "Database", db, json("""
                        {"apiVersion": "dbops.dbprovision.io/v1alpha1", "kind": "Database",
                         "metadata": {"name": "%s", "namespace": "%s"},
                         "spec": {"instanceRef": {"name": "maria"}, "name": "%s", "deletionProtection": false,
                                  "mysql": {"charset": "utf8mb4", "collation": "utf8mb4_unicode_ci"}}}
                        """.formatted(db, NAMESPACE, database))),
                new Item(collection("databaseusers"), "DatabaseUser", user, json("""
                        {"apiVersion": "dbops.dbprovision.io/v1alpha1", "kind": "DatabaseUser",
                         "metadata": {"name": "%s", "namespace": "%s"},
                         "spec": {"instanceRef": {"name": "maria"}, "username": "%s",
                                  "passwordSecret": {"secretName": "%s-credentials"},
                                  "mysql": {"allowedHosts": ["%%"]}}}
                        """.formatted(
                                user, NAMESPACE, prefix + "mu_%02d".formatted(i), user))),
                new Item(collection("databasegrants"), "DatabaseGrant", "m-grant-%02d".formatted(i), json("""
                        {"apiVersion": "dbops.dbprovision.io/v1alpha1", "kind": "DatabaseGrant",
                         "metadata": {"name": "m-grant-%02d", "namespace": "%s"},
                         "spec": {"userRef": {"name": "%s"}, "databaseRef": {"name": "%s"},
                                  "deletionProtection": false,
                                  "mysql": {"grants": [{"level": "database", "database": "%s",
                                                        "privileges": ["SELECT", "INSERT", "CREATE"]}]}}}
                        """.formatted(
                                i, NAMESPACE, user, db, database))));
    }

    private List<Item> postgresTriple(int i) {
        String database = prefix + "pdb_%02d".formatted(i);
        String db = "p-db-%02d".formatted(i);
        String user = "p-user-%02d".formatted(i);
        return List.of(
                new Item(collection("databases"), "Database", db, json("""
                        {"apiVersion": "dbops.dbprovision.io/v1alpha1", "kind": "Database",
                         "metadata": {"name": "%s", "namespace": "%s"},
                         "spec": {"instanceRef": {"name": "pg"}, "name": "%s", "deletionProtection": false}}
                        """.formatted(db, NAMESPACE, database))),
                new Item(collection("databaseusers"), "DatabaseUser", user, json("""
                        {"apiVersion": "dbops.dbprovision.io/v1alpha1", "kind": "DatabaseUser",
                         "metadata": {"name": "%s", "namespace": "%s"},
                         "spec": {"instanceRef": {"name": "pg"}, "username": "%s",
                                  "passwordSecret": {"secretName": "%s-credentials"}}}
                        """.formatted(
                                user, NAMESPACE, prefix + "pu_%02d".formatted(i), user))),
                new Item(collection("databasegrants"), "DatabaseGrant", "p-grant-%02d".formatted(i), json("""
                        {"apiVersion": "dbops.dbprovision.io/v1alpha1", "kind": "DatabaseGrant",
                         "metadata": {"name": "p-grant-%02d", "namespace": "%s"},
                         "spec": {"userRef": {"name": "%s"}, "databaseRef": {"name": "%s"},
                                  "deletionProtection": false,
                                  "postgres": {"grants": [{"database": "%s",
                                                           "privileges": ["CONNECT", "TEMPORARY"]}]}}}
                        """.formatted(
                                i, NAMESPACE, user, db, database))));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException("bad test JSON: " + text, e);
        }
    }
}
