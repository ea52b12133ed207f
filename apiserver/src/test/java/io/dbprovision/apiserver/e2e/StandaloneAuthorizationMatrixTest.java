package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authorization matrix of standalone mode, over real HTTPS: ten callers (seven users of a token file and the
 * admin, one user impersonating another, one refused the impersonation) × every verb × three kinds (Database,
 * Secret, DatabaseInstance) and the status subresource of two × three namespaces, with the RBAC objects of the
 * seed's security page created by the admin, against the answers written out in {@link #EXPECTED}. An allowed
 * request must succeed with its usual code; a denied one must be 403 with Kubernetes' message, naming the user the
 * request acted as. A second table does the same for cross-namespace references and deletion protection (the
 * admission plugins). Every mismatch is printed; there must be none.
 *
 * <p>The page's {@code resourceNames: ["*-credentials"]} is not a pattern in Kubernetes RBAC (names match exactly),
 * so the developer reads no Secret here, as in a cluster.
 */
class StandaloneAuthorizationMatrixTest {
    private static final String SUFFIX =
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    /** The security page's app-namespace, database-namespace and database. */
    private static final String APP = "app-" + SUFFIX;

    private static final String DBA = "dba-" + SUFFIX;
    private static final String SHARED = "shared-" + SUFFIX;
    private static final List<String> NAMESPACES = List.of(APP, DBA, SHARED);
    /** The page binds instance-reader to the default service account of app-team-a: here, of APP. */
    private static final String SA = "system:serviceaccount:" + APP + ":default";

    private static final String GROUP = "dbops.dbprovision.io";
    private static final List<String> VERBS =
            List.of("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection");
    private static final List<String> STATUS_VERBS = List.of("get", "update", "patch");

    /**
     * What each caller may do, per resource and namespace (APP, DBA, SHARED). A cell lists the verbs allowed; "all"
     * is every verb of the row (get, list, watch, create, update, patch, delete, deletecollection; for a status row
     * get, update, patch), "-" none. Callers: dev (RoleBinding to database-developer in APP), sa (the page's
     * RoleBinding to instance-reader in SHARED, and database-developer in APP), dba (group dbas, RoleBinding to
     * database-admin in DBA), ns-admin (RoleBinding to ClusterRole admin in SHARED), viewer (ClusterRoleBinding to
     * view), nobody (nothing bound), impersonator (may impersonate users, groups and service accounts, nothing
     * else), imp-as-dev (impersonator with Impersonate-User: dev), nobody-as-dev (nobody with Impersonate-User: dev:
     * refused) and admin (system:masters).
     */
    private static final String EXPECTED = """
            # caller        resource                  APP                                        DBA  SHARED
            dev             databases                 get,list,watch,create,update,patch,delete  -    -
            dev             databases/status          -                                          -    -
            dev             secrets                   -                                          -    -
            dev             databaseinstances         -                                          -    -
            dev             databaseinstances/status  -                                          -    -
            sa              databases                 get,list,watch,create,update,patch,delete  -    -
            sa              databases/status          -                                          -    -
            sa              secrets                   -                                          -    -
            sa              databaseinstances         -                                          -    get,list,watch
            sa              databaseinstances/status  -                                          -    -
            dba             databases                 -                                          all  -
            dba             databases/status          -                                          all  -
            dba             secrets                   -                                          all  -
            dba             databaseinstances         -                                          all  -
            dba             databaseinstances/status  -                                          all  -
            ns-admin        databases                 -                                          -    all
            ns-admin        databases/status          -                                          -    get
            ns-admin        secrets                   -                                          -    all
            ns-admin        databaseinstances         -                                          -    all
            ns-admin        databaseinstances/status  -                                          -    get
            viewer          databases                 get,list,watch                             get,list,watch  get,list,watch
            viewer          databases/status          get                                        get  get
            viewer          secrets                   -                                          -    -
            viewer          databaseinstances         get,list,watch                             get,list,watch  get,list,watch
            viewer          databaseinstances/status  get                                        get  get
            nobody          databases                 -                                          -    -
            nobody          databases/status          -                                          -    -
            nobody          secrets                   -                                          -    -
            nobody          databaseinstances         -                                          -    -
            nobody          databaseinstances/status  -                                          -    -
            impersonator    databases                 -                                          -    -
            impersonator    databases/status          -                                          -    -
            impersonator    secrets                   -                                          -    -
            impersonator    databaseinstances         -                                          -    -
            impersonator    databaseinstances/status  -                                          -    -
            imp-as-dev      databases                 get,list,watch,create,update,patch,delete  -    -
            imp-as-dev      databases/status          -                                          -    -
            imp-as-dev      secrets                   -                                          -    -
            imp-as-dev      databaseinstances         -                                          -    -
            imp-as-dev      databaseinstances/status  -                                          -    -
            nobody-as-dev   databases                 -                                          -    -
            nobody-as-dev   databases/status          -                                          -    -
            nobody-as-dev   secrets                   -                                          -    -
            nobody-as-dev   databaseinstances         -                                          -    -
            nobody-as-dev   databaseinstances/status  -                                          -    -
            admin           databases                 all                                        all  all
            admin           databases/status          all                                        all  all
            admin           secrets                   all                                        all  all
            admin           databaseinstances         all                                        all  all
            admin           databaseinstances/status  all                                        all  all
            """;

    /** Who each caller is: the token's user, and the user it impersonates ("" for none). */
    private record Caller(String user, String impersonates) {
        /** The user requests act as, which refusals name. */
        String actingAs() {
            return impersonates.isEmpty() ? user : impersonates;
        }
    }

    private static final Map<String, Caller> CALLERS = callers();

    private static Map<String, Caller> callers() {
        Map<String, Caller> callers = new LinkedHashMap<>();
        for (String user : List.of("dev", "dba", "ns-admin", "viewer", "nobody", "impersonator", "admin")) {
            callers.put(user, new Caller(user, ""));
        }
        callers.put("sa", new Caller(SA, ""));
        callers.put("imp-as-dev", new Caller("impersonator", "dev"));
        callers.put("nobody-as-dev", new Caller("nobody", "dev"));
        return callers;
    }

    @TempDir
    static Path work;

    private static SecuredServer server;

    @BeforeAll
    static void startAndGrant() {
        server = SecuredServer.start(
                work,
                List.of(
                        new SecuredServer.User("dev", "uid-dev", List.of()),
                        new SecuredServer.User(
                                SA, "uid-sa", List.of("system:serviceaccounts", "system:serviceaccounts:" + APP)),
                        new SecuredServer.User("dba", "uid-dba", List.of("dbas")),
                        new SecuredServer.User("ns-admin", "uid-ns-admin", List.of()),
                        new SecuredServer.User("viewer", "uid-viewer", List.of()),
                        new SecuredServer.User("nobody", "uid-nobody", List.of()),
                        new SecuredServer.User("impersonator", "uid-impersonator", List.of())));
        for (String namespace : NAMESPACES) {
            server.create(
                    "/api/v1/namespaces",
                    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + namespace + "\"}}");
        }
        SecurityPage.grant(server, APP, DBA, SHARED, SA);
        awaitBindings();
        for (String namespace : NAMESPACES) {
            for (String resource : List.of("databases", "secrets", "databaseinstances")) {
                server.create(collection(resource, namespace), object(resource, "target", Map.of()));
                for (String caller : CALLERS.keySet()) {
                    server.create(collection(resource, namespace), object(resource, "del-" + caller, Map.of()));
                    server.create(
                            collection(resource, namespace), object(resource, "dc-" + caller, Map.of("dc", caller)));
                }
            }
        }
    }

    /** RBAC follows its objects through a watch: wait until each binding made above is in force. */
    private static void awaitBindings() {
        await(
                "dev's binding",
                () -> server.as("dev").get(collection("databases", APP)).code() == 200);
        await(
                "sa's bindings",
                () -> server.as(SA).get(collection("databaseinstances", SHARED)).code() == 200
                        && server.as(SA).get(collection("databases", APP)).code() == 200);
        await(
                "dba's binding",
                () -> server.as("dba").get(collection("secrets", DBA)).code() == 200);
        await(
                "ns-admin's binding",
                () -> server.as("ns-admin").get(collection("secrets", SHARED)).code() == 200);
        await(
                "viewer's binding",
                () -> server.as("viewer").get(collection("databases", DBA)).code() == 200);
        await(
                "impersonator's binding",
                () -> server.as("impersonator")
                                .impersonating("dev")
                                .get(collection("databases", APP))
                                .code()
                        == 200);
    }

    static void await(String what, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not in force after 20s: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyCallerVerbKindAndNamespaceIsAnsweredAsExpected() {
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        for (String line : EXPECTED.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.trim().split("\\s+");
            assertThat(cells).as(line).hasSize(2 + NAMESPACES.size());
            String callerName = cells[0];
            Caller caller = CALLERS.get(callerName);
            assertThat(caller).as(line).isNotNull();
            String[] resourceAndSubresource = cells[1].split("/");
            String resource = resourceAndSubresource[0];
            boolean status = resourceAndSubresource.length > 1;
            List<String> verbs = status ? STATUS_VERBS : VERBS;
            for (int n = 0; n < NAMESPACES.size(); n++) {
                String namespace = NAMESPACES.get(n);
                Set<String> allowed = verbs(cells[2 + n], verbs);
                for (String verb : verbs) {
                    SecuredServer.Response response = send(callerName, caller, verb, resource, status, namespace);
                    checked++;
                    String problem = allowed.contains(verb)
                            ? unlessSucceeded(verb, response)
                            : unlessRefused(caller, verb, resource, status, namespace, response);
                    if (problem != null) {
                        mismatches.add(callerName + " " + verb + " " + cells[1] + " in " + namespace + ": " + problem);
                    }
                }
            }
        }
        System.out.println("authorization matrix: " + checked + " requests, " + mismatches.size() + " mismatches");
        mismatches.forEach(m -> System.out.println("  MISMATCH " + m));
        assertThat(checked).isGreaterThanOrEqualTo(10 * (3 * 8 + 2 * 3) * 3);
        assertThat(mismatches).isEmpty();
    }

    private static Set<String> verbs(String cell, List<String> all) {
        return switch (cell) {
            case "-" -> Set.of();
            case "all" -> Set.copyOf(all);
            default -> Set.copyOf(Arrays.asList(cell.split(",")));
        };
    }

    /** The request for one cell: each caller works on objects of its own (del-, dc-, new-) or on "target". */
    private static SecuredServer.Response send(
            String callerName, Caller caller, String verb, String resource, boolean status, String namespace) {
        SecuredServer.Request request = server.as(caller.user());
        if (!caller.impersonates().isEmpty()) {
            request = request.impersonating(caller.impersonates());
        }
        String collection = collection(resource, namespace);
        String target = collection + "/target" + (status ? "/status" : "");
        return switch (verb) {
            case "get" -> request.get(target);
            case "list" -> request.get(collection);
            case "watch" -> request.get(collection + "?watch=true&timeoutSeconds=5");
            case "create" -> request.post(collection, object(resource, "new-" + callerName, Map.of()));
            case "update" ->
                request.put(
                        target,
                        current(
                                collection + "/target",
                                status
                                        ? object(resource, "target", Map.of()) + "status:\n  message: updated by "
                                                + callerName + "\n"
                                        : object(resource, "target", Map.of("updated-by", callerName))));
            case "patch" ->
                request.mergePatch(
                        target,
                        status
                                ? "{\"status\":{\"message\":\"patched by " + callerName + "\"}}"
                                : "{\"metadata\":{\"labels\":{\"patched-by\":\"" + callerName + "\"}}}");
            case "delete" -> request.delete(collection + "/del-" + callerName);
            case "deletecollection" -> request.delete(collection + "?labelSelector=dc%3D" + callerName);
            default -> throw new IllegalArgumentException(verb);
        };
    }

    /**
     * {@code yaml} with the resourceVersion the object at {@code path} has now: an update must name the version it
     * replaces (as for custom resources in Kubernetes).
     */
    private static String current(String path, String yaml) {
        SecuredServer.Response live = server.as("admin").get(path);
        assertThat(live.code()).as("%s: %s", path, live).isEqualTo(200);
        String version = live.json().path("metadata").path("resourceVersion").asText();
        return yaml.replaceFirst("\nmetadata:\n", "\nmetadata:\n  resourceVersion: \"" + version + "\"\n");
    }

    private static String unlessSucceeded(String verb, SecuredServer.Response response) {
        int expected = verb.equals("create") ? 201 : 200;
        return response.code() == expected ? null : "expected " + expected + ", got " + response;
    }

    private static String unlessRefused(
            Caller caller,
            String verb,
            String resource,
            boolean status,
            String namespace,
            SecuredServer.Response response) {
        String expected;
        if (caller.user().equals("nobody") && !caller.impersonates().isEmpty()) {
            expected = "users \"" + caller.impersonates() + "\" is forbidden: User \"nobody\" cannot impersonate"
                    + " resource \"users\" in API group \"\" at the cluster scope";
        } else {
            String group = resource.equals("secrets") ? "" : GROUP;
            String name = switch (verb) {
                case "get", "update", "patch" -> "target";
                case "delete" -> "del-" + nameOf(caller);
                default -> "";
            };
            expected = resource + (group.isEmpty() ? "" : "." + group) + (name.isEmpty() ? "" : " \"" + name + "\"")
                    + " is forbidden: User \"" + caller.actingAs() + "\" cannot " + verb + " resource \"" + resource
                    + (status ? "/status" : "") + "\" in API group \"" + group + "\" in the namespace \"" + namespace
                    + "\"";
        }
        if (response.code() != 403
                || !response.json().path("kind").asText().equals("Status")
                || !response.json().path("reason").asText().equals("Forbidden")
                || !response.message().equals(expected)) {
            return "expected 403 \"" + expected + "\", got " + response;
        }
        return null;
    }

    private static String nameOf(Caller caller) {
        return CALLERS.entrySet().stream()
                .filter(e -> e.getValue().equals(caller))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElseThrow();
    }

    // ---- cross-namespace references and deletion protection

    /** One row of the admission table: who does what, and the answer expected ("" message: success). */
    private record Row(
            String caller,
            String what,
            Function<SecuredServer, SecuredServer.Response> action,
            int code,
            String message) {}

    @Test
    void crossNamespaceReferencesNeedTheWritersOwnRightToGetTheTarget() {
        String dbs = collection("databases", APP);
        server.create(collection("databaseinstances", SHARED), object("databaseinstances", "shared-pg", Map.of()));
        server.create(collection("databaseinstances", DBA), object("databaseinstances", "dba-pg", Map.of()));
        server.create(collection("databaseinstances", APP), object("databaseinstances", "local-pg", Map.of()));
        server.create(collection("secrets", SHARED), object("secrets", "shared-admin", Map.of()));
        server.create(collection("secrets", APP), object("secrets", "app-admin", Map.of()));
        String clusterInstance = "cluster-pg-" + SUFFIX;
        server.create(
                "/apis/dbops.dbprovision.io/v1alpha1/clusterdatabaseinstances", """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: ClusterDatabaseInstance
                metadata:
                  name: %s
                spec:
                  engine: postgres
                  deletionProtection: false
                  connection:
                    host: cluster.example.com
                    secretRef:
                      name: shared-admin
                      namespace: %s
                """.formatted(clusterInstance, SHARED));

        String refusedShared = "spec.instanceRef refers to databaseinstances.dbops.dbprovision.io \"shared-pg\" in the"
                + " namespace \"" + SHARED + "\", which User \"%s\" cannot get";
        List<Row> rows = List.of(
                new Row(
                        "sa",
                        "create a Database in APP on an instance in SHARED (the page's cross-namespace mode)",
                        s -> s.as(SA).post(dbs, database("x-sa", "shared-pg", SHARED)),
                        201,
                        ""),
                new Row(
                        "dev",
                        "create a Database in APP on an instance in SHARED",
                        s -> s.as("dev").post(dbs, database("x-dev", "shared-pg", SHARED)),
                        403,
                        forbidden("x-dev", refusedShared.formatted("dev"))),
                new Row(
                        "dev",
                        "create a Database in APP on an instance in APP",
                        s -> s.as("dev").post(dbs, database("x-dev", "local-pg", "")),
                        201,
                        ""),
                new Row(
                        "dev",
                        "update (PUT) it to point at the instance in SHARED",
                        s -> s.as("dev")
                                .put(dbs + "/x-dev", current(dbs + "/x-dev", database("x-dev", "shared-pg", SHARED))),
                        403,
                        forbidden("x-dev", refusedShared.formatted("dev"))),
                new Row(
                        "dev",
                        "patch it to point at the instance in SHARED",
                        s -> s.as("dev")
                                .mergePatch(
                                        dbs + "/x-dev",
                                        "{\"spec\":{\"instanceRef\":{\"name\":\"shared-pg\",\"namespace\":\"" + SHARED
                                                + "\"}}}"),
                        403,
                        forbidden("x-dev", refusedShared.formatted("dev"))),
                new Row(
                        "dev",
                        "patch a label of sa's Database, whose reference to SHARED stays as it is",
                        s -> s.as("dev").mergePatch(dbs + "/x-sa", "{\"metadata\":{\"labels\":{\"team\":\"a\"}}}"),
                        200,
                        ""),
                new Row(
                        "dev",
                        "update (PUT) sa's Database with its reference to SHARED unchanged",
                        s -> s.as("dev")
                                .put(
                                        dbs + "/x-sa",
                                        current(
                                                dbs + "/x-sa",
                                                database("x-sa", "shared-pg", SHARED)
                                                        .replace(
                                                                "  name: x-sa\n",
                                                                "  name: x-sa\n  labels:\n    team: b\n"))),
                        200,
                        ""),
                new Row(
                        "sa",
                        "create a Database in APP on an instance in DBA",
                        s -> s.as(SA).post(dbs, database("x-sa-dba", "dba-pg", DBA)),
                        403,
                        forbidden(
                                "x-sa-dba",
                                "spec.instanceRef refers to databaseinstances.dbops.dbprovision.io"
                                        + " \"dba-pg\" in the namespace \"" + DBA + "\", which User \"" + SA
                                        + "\" cannot get")),
                new Row(
                        "imp-as-dev",
                        "create a Database in APP on an instance in SHARED, as dev",
                        s -> s.as("impersonator")
                                .impersonating("dev")
                                .post(dbs, database("x-imp", "shared-pg", SHARED)),
                        403,
                        forbidden("x-imp", refusedShared.formatted("dev"))),
                new Row(
                        "imp-as-sa",
                        "create a Database in APP on an instance in SHARED, as sa",
                        s -> s.as("impersonator")
                                .impersonating(SA)
                                .post(dbs, database("x-imp-sa", "shared-pg", SHARED)),
                        201,
                        ""),
                new Row(
                        "dev",
                        "create a Database in APP on a cluster-scoped instance",
                        s -> s.as("dev").post(dbs, clusterDatabase("x-cluster", clusterInstance)),
                        403,
                        forbidden(
                                "x-cluster",
                                "spec.clusterInstanceRef refers to"
                                        + " clusterdatabaseinstances.dbops.dbprovision.io \"" + clusterInstance
                                        + "\", which User \"dev\" cannot get")),
                new Row(
                        "admin",
                        "create a Database in APP on a cluster-scoped instance",
                        s -> s.as("admin").post(dbs, clusterDatabase("x-cluster", clusterInstance)),
                        201,
                        ""),
                new Row(
                        "dev",
                        "create a DatabaseUser in APP whose password is a Secret in SHARED",
                        s -> s.as("dev").post(collection("databaseusers", APP), """
                                apiVersion: dbops.dbprovision.io/v1alpha1
                                kind: DatabaseUser
                                metadata:
                                  name: x-user
                                spec:
                                  instanceRef:
                                    name: local-pg
                                  username: x_user
                                  existingPasswordSecret:
                                    name: shared-admin
                                    namespace: %s
                                    key: password
                                """.formatted(SHARED)),
                        403,
                        "databaseusers.dbops.dbprovision.io \"x-user\" is forbidden: spec.existingPasswordSecret"
                                + " refers to secrets \"shared-admin\" in the namespace \"" + SHARED
                                + "\", which User \"dev\" cannot get"),
                new Row(
                        "ns-admin",
                        "create a DatabaseInstance in SHARED with its admin Secret in APP",
                        s -> s.as("ns-admin")
                                .post(collection("databaseinstances", SHARED), instance("x-inst", "app-admin", APP)),
                        403,
                        "databaseinstances.dbops.dbprovision.io \"x-inst\" is forbidden: spec.connection.secretRef"
                                + " refers to secrets \"app-admin\" in the namespace \"" + APP
                                + "\", which User \"ns-admin\" cannot get"),
                new Row(
                        "ns-admin",
                        "create a DatabaseInstance in SHARED with its admin Secret in SHARED",
                        s -> s.as("ns-admin")
                                .post(
                                        collection("databaseinstances", SHARED),
                                        instance("x-inst", "shared-admin", SHARED)),
                        201,
                        ""),
                new Row(
                        "dev",
                        "create a Database protected from deletion (the default)",
                        s -> s.as("dev")
                                .post(
                                        dbs,
                                        database("x-protected", "local-pg", "")
                                                .replace("  deletionProtection: false\n", "")),
                        201,
                        ""),
                new Row(
                        "dev",
                        "delete it",
                        s -> s.as("dev").delete(dbs + "/x-protected"),
                        403,
                        "databases.dbops.dbprovision.io \"x-protected\" is forbidden: it is protected from deletion"
                                + " (spec.deletionProtection is true); set spec.deletionProtection to false, or"
                                + " annotate it dbops.dbprovision.io/force-delete=true, to delete it"),
                new Row(
                        "dev",
                        "annotate it dbops.dbprovision.io/force-delete=true",
                        s -> s.as("dev")
                                .mergePatch(
                                        dbs + "/x-protected",
                                        "{\"metadata\":{\"annotations\":{\"dbops.dbprovision.io/force-delete\":\"true\"}}}"),
                        200,
                        ""),
                new Row("dev", "delete it", s -> s.as("dev").delete(dbs + "/x-protected"), 200, ""));

        List<String> mismatches = new ArrayList<>();
        for (Row row : rows) {
            SecuredServer.Response response = row.action().apply(server);
            boolean ok = response.code() == row.code()
                    && (row.message().isEmpty() || response.message().equals(row.message()));
            if (!ok) {
                mismatches.add(row.caller() + ": " + row.what() + ": expected " + row.code()
                        + (row.message().isEmpty() ? "" : " \"" + row.message() + "\"") + ", got " + response);
            }
        }
        System.out.println("admission table: " + rows.size() + " rows, " + mismatches.size() + " mismatches");
        mismatches.forEach(m -> System.out.println("  MISMATCH " + m));
        assertThat(mismatches).isEmpty();
    }

    private static String forbidden(String database, String why) {
        return "databases.dbops.dbprovision.io \"" + database + "\" is forbidden: " + why;
    }

    // ---- objects

    static String collection(String resource, String namespace) {
        return resource.equals("secrets")
                ? "/api/v1/namespaces/" + namespace + "/secrets"
                : "/apis/dbops.dbprovision.io/v1alpha1/namespaces/" + namespace + "/" + resource;
    }

    /** A small object of the kind, unprotected from deletion, with labels. */
    private static String object(String resource, String name, Map<String, String> labels) {
        StringBuilder meta = new StringBuilder("metadata:\n  name: " + name + "\n");
        if (!labels.isEmpty()) {
            meta.append("  labels:\n");
            labels.forEach((k, v) ->
                    meta.append("    ").append(k).append(": ").append(v).append('\n'));
        }
        return switch (resource) {
            case "secrets" -> "apiVersion: v1\nkind: Secret\n" + meta + "type: Opaque\nstringData:\n  password: p\n";
            case "databases" -> """
                    apiVersion: dbops.dbprovision.io/v1alpha1
                    kind: Database
                    %sspec:
                      instanceRef:
                        name: target
                      deletionProtection: false
                    """.formatted(meta);
            case "databaseinstances" -> """
                    apiVersion: dbops.dbprovision.io/v1alpha1
                    kind: DatabaseInstance
                    %sspec:
                      engine: postgres
                      deletionProtection: false
                      connection:
                        host: target.example.com
                        secretRef:
                          name: target
                    """.formatted(meta);
            default -> throw new IllegalArgumentException(resource);
        };
    }

    private static String database(String name, String instance, String instanceNamespace) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata:
                  name: %s
                spec:
                  instanceRef:
                    name: %s
                %s  deletionProtection: false
                """.formatted(
                name, instance, instanceNamespace.isEmpty() ? "" : "    namespace: " + instanceNamespace + "\n");
    }

    private static String clusterDatabase(String name, String clusterInstance) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata:
                  name: %s
                spec:
                  clusterInstanceRef:
                    name: %s
                  deletionProtection: false
                """.formatted(name, clusterInstance);
    }

    private static String instance(String name, String secret, String secretNamespace) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata:
                  name: %s
                spec:
                  engine: postgres
                  deletionProtection: false
                  connection:
                    host: x.example.com
                    secretRef:
                      name: %s
                      namespace: %s
                """.formatted(name, secret, secretNamespace);
    }
}
