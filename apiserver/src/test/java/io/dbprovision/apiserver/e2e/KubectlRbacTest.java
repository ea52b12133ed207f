package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real kubectl as a user of the token file bound to the security page's database-developer role (a kubeconfig with
 * the user's bearer token): the developer creates a Database in their namespace, cannot read a Secret, cannot point
 * a Database at an instance in a namespace they cannot read; {@code kubectl auth can-i} (one question, and
 * {@code --list}) and {@code kubectl --as} behave as against a cluster.
 *
 * <p>The page's {@code resourceNames: ["*-credentials"]} is no pattern: Kubernetes RBAC matches resource names
 * exactly, so the role lets the developer read only a Secret literally named {@code *-credentials} (which cannot
 * exist, the name being invalid) and no credentials Secret such as {@code orders-credentials}. A role meant to
 * read credentials Secrets has to name each one.
 */
class KubectlRbacTest {
    private static final String SUFFIX =
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);
    private static final String APP = "team-a-" + SUFFIX;
    private static final String DBA = "dba-" + SUFFIX;
    private static final String SHARED = "database-" + SUFFIX;
    private static final String SA = "system:serviceaccount:" + APP + ":default";

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
                        new SecuredServer.User("impersonator", "uid-impersonator", List.of())));
        for (String namespace : List.of(APP, DBA, SHARED)) {
            server.create(
                    "/api/v1/namespaces",
                    "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + namespace + "\"}}");
        }
        SecurityPage.grant(server, APP, DBA, SHARED, SA);
        server.create(StandaloneAuthorizationMatrixTest.collection("secrets", APP), """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: orders-credentials
                stringData:
                  password: s3cret
                """);
        for (String namespace : List.of(DBA, SHARED)) {
            server.create(StandaloneAuthorizationMatrixTest.collection("databaseinstances", namespace), """
                    apiVersion: dbops.dbprovision.io/v1alpha1
                    kind: DatabaseInstance
                    metadata:
                      name: pg
                    spec:
                      engine: postgres
                      deletionProtection: false
                      connection:
                        host: pg.example.com
                        secretRef:
                          name: pg-admin
                    """);
        }
        StandaloneAuthorizationMatrixTest.await(
                "dev's binding",
                () -> server.as("dev")
                                .get(StandaloneAuthorizationMatrixTest.collection("databases", APP))
                                .code()
                        == 200);
        StandaloneAuthorizationMatrixTest.await(
                "sa's binding",
                () -> server.as(SA)
                                .get(StandaloneAuthorizationMatrixTest.collection("databaseinstances", SHARED))
                                .code()
                        == 200);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Kubectl as(String user, String version) {
        return Kubectl.of(version, server.kubeconfigFor(user, APP), work);
    }

    private static Kubectl admin(String version) {
        return Kubectl.of(version, server.server().kubeconfig(), work);
    }

    private static String database(String name, String instanceNamespace) {
        return """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: Database
                metadata:
                  name: %s
                spec:
                  instanceRef:
                    name: pg
                %s  deletionProtection: false
                """.formatted(name, instanceNamespace.isEmpty() ? "" : "    namespace: " + instanceNamespace + "\n");
    }

    @EachKubectl
    void theDeveloperCreatesADatabaseInTheirNamespace(String version) {
        Kubectl dev = as("dev", version);
        String name = "orders-" + version.replace(".", "");
        assertThat(dev.runWithInput(database(name, ""), "create", "-f", "-")
                        .ok()
                        .stdout())
                .isEqualTo("database.dbops.dbprovision.io/" + name + " created\n");
        // client-side apply reads and patches: both allowed
        assertThat(dev.runWithInput(database(name + "-applied", ""), "apply", "-f", "-")
                        .ok()
                        .stdout())
                .isEqualTo("database.dbops.dbprovision.io/" + name + "-applied created\n");
        assertThat(dev.run("get", "databases", "-o", "name").ok().lines())
                .contains(
                        "database.dbops.dbprovision.io/" + name, "database.dbops.dbprovision.io/" + name + "-applied");
        // but not in a namespace of others
        assertThat(dev.runWithInput(database(name, ""), "create", "-n", DBA, "-f", "-")
                        .exit(1)
                        .stderr())
                .contains("Error from server (Forbidden): error when creating \"STDIN\": databases.dbops.dbprovision.io"
                        + " is forbidden: User \"dev\" cannot create resource \"databases\" in API group"
                        + " \"dbops.dbprovision.io\" in the namespace \"" + DBA + "\"");
    }

    @EachKubectl
    void theDeveloperCannotReadACredentialsSecretBecauseResourceNamesAreExact(String version) {
        Kubectl dev = as("dev", version);
        assertThat(dev.run("get", "secret", "orders-credentials").exit(1).stderr())
                .contains("Error from server (Forbidden): secrets \"orders-credentials\" is forbidden: User \"dev\""
                        + " cannot get resource \"secrets\" in API group \"\" in the namespace \"" + APP + "\"");
        assertThat(dev.run("get", "secrets").exit(1).stderr())
                .contains("Error from server (Forbidden): secrets is forbidden: User \"dev\" cannot list resource"
                        + " \"secrets\" in API group \"\" in the namespace \"" + APP + "\"");
        // only the name written in the role is allowed, and no Secret can have it: not found, not forbidden
        assertThat(dev.run("get", "secret", "*-credentials").exit(1).stderr())
                .contains("Error from server (NotFound): secrets \"*-credentials\" not found");
        // the admin reads it
        assertThat(admin(version)
                        .run("get", "secret", "orders-credentials", "-n", APP, "-o", "name")
                        .ok()
                        .stdout())
                .isEqualTo("secret/orders-credentials\n");
    }

    @EachKubectl
    void theDeveloperCannotPointADatabaseAtAnInstanceInANamespaceTheyCannotRead(String version) {
        String name = "cross-" + version.replace(".", "");
        Kubectl.Result refused = as("dev", version)
                .runWithInput(database(name, SHARED), "create", "-f", "-")
                .exit(1);
        assertThat(refused.stderr())
                .contains("Error from server (Forbidden): error when creating \"STDIN\": databases.dbops.dbprovision.io"
                        + " \"" + name + "\" is forbidden: spec.instanceRef refers to"
                        + " databaseinstances.dbops.dbprovision.io \"pg\" in the namespace \"" + SHARED
                        + "\", which User \"dev\" cannot get");
        assertThat(as("dev", version).run("get", "database", name).exit(1).stderr())
                .contains("not found");
        // the app team's service account, which the page lets read the instances of SHARED, may
        assertThat(as(SA, version)
                        .runWithInput(database(name, SHARED), "create", "-f", "-")
                        .ok()
                        .stdout())
                .isEqualTo("database.dbops.dbprovision.io/" + name + " created\n");
        // but not at an instance in DBA, which it cannot read either
        assertThat(as(SA, version)
                        .runWithInput(database(name + "-dba", DBA), "create", "-f", "-")
                        .exit(1)
                        .stderr())
                .contains("databaseinstances.dbops.dbprovision.io \"pg\" in the namespace \"" + DBA
                        + "\", which User \"" + SA + "\" cannot get");
    }

    @EachKubectl
    void authCanIAnswersYesOrNo(String version) {
        Kubectl dev = as("dev", version);
        assertThat(dev.run("auth", "can-i", "create", "databases").exit(0).stdout())
                .isEqualTo("yes\n");
        assertThat(dev.run("auth", "can-i", "create", "databases", "-n", APP)
                        .exit(0)
                        .stdout())
                .isEqualTo("yes\n");
        assertThat(dev.run("auth", "can-i", "create", "databases", "-n", DBA)
                        .exit(1)
                        .stdout())
                .isEqualTo("no\n");
        assertThat(dev.run("auth", "can-i", "deletecollection", "databases")
                        .exit(1)
                        .stdout())
                .isEqualTo("no\n");
        assertThat(dev.run("auth", "can-i", "get", "databaseinstances", "-n", SHARED)
                        .exit(1)
                        .stdout())
                .isEqualTo("no\n");
        assertThat(dev.run("auth", "can-i", "get", "secrets/orders-credentials")
                        .exit(1)
                        .stdout())
                .isEqualTo("no\n");
        assertThat(dev.run("auth", "can-i", "get", "secrets/*-credentials")
                        .exit(0)
                        .stdout())
                .isEqualTo("yes\n");
        assertThat(as(SA, version)
                        .run("auth", "can-i", "list", "databaseinstances.dbops.dbprovision.io", "-n", SHARED)
                        .exit(0)
                        .stdout())
                .isEqualTo("yes\n");
    }

    @EachKubectl
    void authCanIListPrintsTheRulesOfTheNamespace(String version) {
        List<String> lines = as("dev", version)
                .run("auth", "can-i", "--list", "-n", APP)
                .ok()
                .lines();
        assertThat(lines.getFirst()).matches("Resources\\s+Non-Resource URLs\\s+Resource Names\\s+Verbs");
        assertThat(lines)
                .anyMatch(line -> line.matches("databases\\.dbops\\.dbprovision\\.io\\s+\\[]\\s+\\[]\\s+"
                        + "\\[get list watch create update patch delete]"))
                .anyMatch(line -> line.matches("databaseusers\\.dbops\\.dbprovision\\.io\\s+\\[]\\s+\\[]\\s+"
                        + "\\[get list watch create update patch delete]"))
                .anyMatch(line -> line.matches("secrets\\s+\\[]\\s+\\[\\*-credentials]\\s+\\[get list]"))
                .anyMatch(line -> line.matches(
                        "selfsubjectaccessreviews\\.authorization\\.k8s\\.io\\s+\\[]\\s+\\[]\\s+\\[create]"))
                .anyMatch(line -> line.matches("\\s+\\[/api/\\*]\\s+\\[]\\s+\\[get]"))
                .noneMatch(line -> line.startsWith("databaseinstances"));
        // in the namespace of the shared instances, the developer holds nothing but what every user has
        List<String> elsewhere = as("dev", version)
                .run("auth", "can-i", "--list", "-n", SHARED)
                .ok()
                .lines();
        assertThat(elsewhere).noneMatch(line -> line.startsWith("databases.") || line.startsWith("secrets"));
        // and the service account reads the instances there
        assertThat(as(SA, version)
                        .run("auth", "can-i", "--list", "-n", SHARED)
                        .ok()
                        .lines())
                .anyMatch(line -> line.matches(
                        "databaseinstances\\.dbops\\.dbprovision\\.io\\s+\\[]\\s+\\[]\\s+\\[get list watch]"));
    }

    @EachKubectl
    void theAdminMayActAsTheDeveloperAndTheDeveloperMayNotActAsAnyoneElse(String version) {
        Kubectl admin = admin(version);
        String name = "as-dev-" + version.replace(".", "");
        assertThat(admin.runWithInput(database(name, ""), "--as=dev", "create", "-n", APP, "-f", "-")
                        .ok()
                        .stdout())
                .isEqualTo("database.dbops.dbprovision.io/" + name + " created\n");
        assertThat(admin.run("--as=dev", "get", "databases", "-n", APP, "-o", "name")
                        .ok()
                        .lines())
                .contains("database.dbops.dbprovision.io/" + name);
        // carried out as dev, with dev's rights: neither the Secret nor another namespace
        assertThat(admin.run("--as=dev", "get", "secret", "orders-credentials", "-n", APP)
                        .exit(1)
                        .stderr())
                .contains("secrets \"orders-credentials\" is forbidden: User \"dev\" cannot get resource \"secrets\"");
        assertThat(admin.run("--as=dev", "get", "databases", "-n", DBA).exit(1).stderr())
                .contains("User \"dev\" cannot list resource \"databases\"");
        assertThat(admin.run("--as=dev", "auth", "can-i", "create", "databases", "-n", APP)
                        .exit(0)
                        .stdout())
                .isEqualTo("yes\n");
        assertThat(admin.run("--as=dev", "auth", "can-i", "get", "secrets", "-n", APP)
                        .exit(1)
                        .stdout())
                .isEqualTo("no\n");

        Kubectl dev = as("dev", version);
        assertThat(dev.run("--as=other", "get", "databases").exit(1).stderr())
                .contains("Error from server (Forbidden): users \"other\" is forbidden: User \"dev\" cannot impersonate"
                        + " resource \"users\" in API group \"\" at the cluster scope");
        assertThat(dev.run("--as=dev", "--as-group=system:masters", "get", "secrets")
                        .exit(1)
                        .stderr())
                .contains("is forbidden: User \"dev\" cannot impersonate resource");
        assertThat(dev.run("auth", "can-i", "impersonate", "users").exit(1).stdout())
                .isEqualTo("no\n");
        // a user given the impersonate verb may act as dev, and then has dev's rights only
        Kubectl impersonator = as("impersonator", version);
        assertThat(impersonator.run("get", "databases").exit(1).stderr())
                .contains("User \"impersonator\" cannot list resource \"databases\"");
        assertThat(impersonator
                        .run("--as=dev", "get", "databases", "-o", "name")
                        .ok()
                        .lines())
                .contains("database.dbops.dbprovision.io/" + name);
        assertThat(impersonator.run("--as=dev", "get", "secrets").exit(1).stderr())
                .contains("User \"dev\" cannot list resource \"secrets\"");
    }
}
