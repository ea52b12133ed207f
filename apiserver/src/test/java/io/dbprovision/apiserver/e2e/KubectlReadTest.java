package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read commands of real kubectl against the real server: api-resources, get (plain, wide, yaml, json, -A, -l,
 * --sort-by, -o name, by category), describe, explain, and the NotFound error.
 */
class KubectlReadTest extends E2eServer {
    private static final String GROUP = "dbops.dbprovision.io";
    private static final String AGE = "[0-9]+[smhdy]([0-9]+[smhd])?";
    private static final Set<String> SEEDED = ConcurrentHashMap.newKeySet();

    /**
     * Three instances per version namespace, created in one multi-document apply, with ports out of name order
     * (for --sort-by) and two tiers (for -l); alpha also gets a status (phase and version columns).
     */
    private static Kubectl seeded(String version) {
        Kubectl kubectl = kubectl(version);
        if (SEEDED.add(version)) {
            String manifests = String.join(
                    "---\n",
                    Manifests.instance("alpha", "postgres", "alpha.example.com", 5432, "gold", ""),
                    Manifests.instance("bravo", "mysql", "bravo.example.com", 3306, "silver", ""),
                    Manifests.instance("charlie", "mariadb", "charlie.example.com", 4000, "gold", ""));
            assertThat(kubectl.runWithInput(manifests, "apply", "-f", "-").ok().lines())
                    .containsExactly(
                            "databaseinstance.dbops.dbprovision.io/alpha created",
                            "databaseinstance.dbops.dbprovision.io/bravo created",
                            "databaseinstance.dbops.dbprovision.io/charlie created");
            kubectl.run(
                            "patch",
                            "dbi",
                            "alpha",
                            "--subresource=status",
                            "--type=merge",
                            "-p",
                            "{\"status\":{\"phase\":\"Ready\",\"version\":\"16.4\"}}")
                    .ok();
        }
        return kubectl;
    }

    @EachKubectl
    void apiResourcesListsEveryKindWithShortNamesAndVerbs(String version) {
        Kubectl kubectl = kubectl(version);
        List<String> lines =
                kubectl.run("api-resources", "--api-group=" + GROUP).ok().lines();
        assertThat(columns(lines.get(0))).containsExactly("NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND");
        assertThat(lines.subList(1, lines.size()))
                .extracting(KubectlReadTest::columns)
                .containsExactlyInAnyOrder(
                        List.of("clusterdatabasegrants", "cdbg", GROUP + "/v1alpha1", "false", "ClusterDatabaseGrant"),
                        List.of(
                                "clusterdatabaseinstances",
                                "cdbi",
                                GROUP + "/v1alpha1",
                                "false",
                                "ClusterDatabaseInstance"),
                        List.of("clusterdatabaseroles", "cdbr", GROUP + "/v1alpha1", "false", "ClusterDatabaseRole"),
                        List.of("databasebackups", "dbbak", GROUP + "/v1alpha1", "true", "DatabaseBackup"),
                        List.of(
                                "databasebackupschedules",
                                "dbbaksched",
                                GROUP + "/v1alpha1",
                                "true",
                                "DatabaseBackupSchedule"),
                        List.of("databasegrants", "dbg", GROUP + "/v1alpha1", "true", "DatabaseGrant"),
                        List.of("databaseinstances", "dbi", GROUP + "/v1alpha1", "true", "DatabaseInstance"),
                        List.of("databaserestores", "dbrestore", GROUP + "/v1alpha1", "true", "DatabaseRestore"),
                        List.of("databaseroles", "dbr", GROUP + "/v1alpha1", "true", "DatabaseRole"),
                        List.of("databases", "db", GROUP + "/v1alpha1", "true", "Database"),
                        List.of("databaseusers", "dbu", GROUP + "/v1alpha1", "true", "DatabaseUser"));

        List<String> wide = kubectl.run("api-resources", "--api-group=" + GROUP, "-o", "wide")
                .ok()
                .lines();
        assertThat(columns(wide.get(0))).endsWith("VERBS", "CATEGORIES");
        assertThat(wide.subList(1, wide.size()))
                .allSatisfy(line -> assertThat(columns(line))
                        .endsWith("create,delete,deletecollection,get,list,patch,update,watch", "dbops"));

        assertThat(kubectl.run("api-resources", "--categories=dbops", "-o", "name")
                        .ok()
                        .lines())
                .hasSize(11)
                .contains("databaseinstances." + GROUP, "clusterdatabaseinstances." + GROUP);
    }

    @EachKubectl
    void getPrintsThePrinterColumnsWithHumanAges(String version) {
        Kubectl kubectl = seeded(version);
        for (String resource : List.of("dbi", "databaseinstances", "databaseinstance", "dbi." + GROUP)) {
            List<String> lines = kubectl.run("get", resource).ok().lines();
            assertThat(columns(lines.get(0))).containsExactly("NAME", "ENGINE", "HOST", "PHASE", "VERSION", "AGE");
            assertThat(lines).hasSize(4);
            assertThat(columns(lines.get(1))).startsWith("alpha", "postgres", "alpha.example.com", "Ready", "16.4");
            assertThat(columns(lines.get(1)).getLast()).matches(AGE);
            assertThat(columns(lines.get(2))).startsWith("bravo", "mysql", "bravo.example.com");
            assertThat(columns(lines.get(3))).startsWith("charlie", "mariadb", "charlie.example.com");
        }
        List<String> one = kubectl.run("get", "dbi", "bravo").ok().lines();
        assertThat(one).hasSize(2);
        assertThat(columns(one.get(1))).first().isEqualTo("bravo");

        // By category: kubectl prefixes names with the kind when it prints through a category.
        assertThat(kubectl.run("get", "dbops").ok().stdout())
                .contains("databaseinstance.dbops.dbprovision.io/alpha")
                .contains("databaseinstance.dbops.dbprovision.io/charlie");
    }

    @EachKubectl
    void getPagesThroughLongLists(String version) {
        Kubectl kubectl = seeded(version);
        // limit=1, then continue tokens: one table, one header.
        assertThat(names(kubectl.run("get", "dbi", "--chunk-size=1").ok()))
                .containsExactly("alpha", "bravo", "charlie");
        assertThat(kubectl.run("get", "dbi", "--chunk-size=2", "-o", "name")
                        .ok()
                        .lines())
                .hasSize(3);
        assertThat(kubectl.run(
                                "get",
                                "dbi",
                                "--chunk-size=1",
                                "-o",
                                "custom-columns=N:.metadata.name,P:.spec.connection.port")
                        .ok()
                        .lines())
                .extracting(KubectlReadTest::columns)
                .containsExactly(
                        List.of("N", "P"),
                        List.of("alpha", "5432"),
                        List.of("bravo", "3306"),
                        List.of("charlie", "4000"));
    }

    @EachKubectl
    void getWideAddsThePriorityColumns(String version) {
        Kubectl kubectl = seeded(version);
        List<String> lines = kubectl.run("get", "dbi", "-o", "wide").ok().lines();
        assertThat(columns(lines.get(0))).containsExactly("NAME", "ENGINE", "HOST", "PORT", "PHASE", "VERSION", "AGE");
        assertThat(columns(lines.get(1))).startsWith("alpha", "postgres", "alpha.example.com", "5432", "Ready");
        assertThat(columns(lines.get(2))).startsWith("bravo", "mysql", "bravo.example.com", "3306");
    }

    @EachKubectl
    void getAsYamlJsonAndName(String version) {
        Kubectl kubectl = seeded(version);
        String yaml = kubectl.run("get", "dbi", "alpha", "-o", "yaml").ok().stdout();
        assertThat(yaml)
                .startsWith("apiVersion: dbops.dbprovision.io/v1alpha1\nkind: DatabaseInstance\n")
                .contains("  name: alpha\n", "  namespace: " + namespaceOf(version) + "\n")
                .contains("  generation: 1\n", "  uid: ", "  resourceVersion: \"", "  creationTimestamp: \"")
                .contains("    tier: gold\n")
                .contains("  engine: postgres\n", "    host: alpha.example.com\n", "    port: 5432\n")
                .contains("status:\n  phase: Ready\n")
                .doesNotContain("null");
        assertThat(kubectl.run("get", "dbi", "-o", "jsonpath={.items[*].metadata.name}")
                        .ok()
                        .stdout())
                .isEqualTo("alpha bravo charlie");
        assertThat(kubectl.run("get", "dbi", "-o", "json").ok().stdout())
                .contains("\"kind\": \"List\"")
                .contains("\"kind\": \"DatabaseInstance\"");
        assertThat(kubectl.run("get", "dbi", "-o", "name").ok().lines())
                .containsExactly(
                        "databaseinstance.dbops.dbprovision.io/alpha",
                        "databaseinstance.dbops.dbprovision.io/bravo",
                        "databaseinstance.dbops.dbprovision.io/charlie");
    }

    @EachKubectl
    void getAllNamespacesAddsTheNamespaceColumn(String version) {
        Kubectl kubectl = seeded(version);
        List<String> lines = kubectl.run("get", "dbi", "-A").ok().lines();
        assertThat(columns(lines.get(0)))
                .containsExactly("NAMESPACE", "NAME", "ENGINE", "HOST", "PHASE", "VERSION", "AGE");
        assertThat(lines)
                .filteredOn(line -> line.startsWith(namespaceOf(version) + " "))
                .extracting(line -> columns(line).get(1))
                .containsExactly("alpha", "bravo", "charlie");
    }

    @EachKubectl
    void getWithLabelSelectors(String version) {
        Kubectl kubectl = seeded(version);
        assertThat(names(kubectl.run("get", "dbi", "-l", "tier=gold").ok())).containsExactly("alpha", "charlie");
        assertThat(names(kubectl.run("get", "dbi", "-l", "tier in (silver,bronze)")
                        .ok()))
                .containsExactly("bravo");
        assertThat(names(kubectl.run("get", "dbi", "-l", "tier!=gold,tier").ok()))
                .containsExactly("bravo");
        Kubectl.Result none = kubectl.run("get", "dbi", "-l", "tier=none").ok();
        assertThat(none.stdout()).isEmpty();
        assertThat(none.stderr()).contains("No resources found in " + namespaceOf(version) + " namespace.");
        Kubectl.Result bad = kubectl.run("get", "dbi", "-l", "tier in (gold");
        assertThat(bad.exitCode()).as("%s", bad).isNotZero();
        assertThat(kubectl.run("get", "dbi", "--show-labels").ok().lines().get(1))
                .endsWith("tier=gold");
        assertThat(columns(kubectl.run("get", "dbi", "-L", "tier").ok().lines().get(2)))
                .startsWith("bravo")
                .endsWith("silver");
    }

    @EachKubectl
    void getSortedByAField(String version) {
        Kubectl kubectl = seeded(version);
        assertThat(names(kubectl.run("get", "dbi", "--sort-by=.spec.connection.port")
                        .ok()))
                .containsExactly("bravo", "charlie", "alpha");
        assertThat(names(kubectl.run("get", "dbi", "--sort-by=.spec.engine").ok()))
                .containsExactly("charlie", "bravo", "alpha");
    }

    @EachKubectl
    void describeShowsTheObjectTree(String version) {
        Kubectl kubectl = seeded(version);
        String out = kubectl.run("describe", "dbi", "alpha").ok().stdout();
        assertThat(out)
                .containsPattern("(?m)^Name: +alpha$")
                .containsPattern("(?m)^Namespace: +" + namespaceOf(version) + "$")
                .containsPattern("(?m)^Labels: +tier=gold$")
                .containsPattern("(?m)^API Version: +dbops.dbprovision.io/v1alpha1$")
                .containsPattern("(?m)^Kind: +DatabaseInstance$")
                .containsPattern("(?m)^Spec:$")
                .containsPattern("(?m)^ +Host: +alpha.example.com$")
                .containsPattern("(?m)^ +Port: +5432$")
                .containsPattern("(?m)^ +Engine: +postgres$")
                .containsPattern("(?m)^Status:$")
                .containsPattern("(?m)^ +Phase: +Ready$");
        // All three, by label.
        assertThat(kubectl.run("describe", "dbi", "-l", "tier=gold").ok().stdout())
                .containsPattern("(?m)^Name: +alpha$")
                .containsPattern("(?m)^Name: +charlie$")
                .doesNotContain("bravo");
    }

    @EachKubectl
    void explainDocumentsFields(String version) {
        Kubectl kubectl = kubectl(version);
        assertThat(kubectl.run("explain", "databaseinstances").ok().stdout())
                .contains("KIND:")
                .contains("DatabaseInstance")
                .contains("VERSION:")
                .contains("v1alpha1")
                .containsPattern("spec\t<[A-Za-z]+> -required-");
        assertThat(kubectl.run("explain", "database.spec.deletionPolicy").ok().stdout())
                .contains("KIND:", "Database")
                .containsPattern("FIELD: +deletionPolicy <string>")
                .contains("Retain", "Delete", "Snapshot");
        String port = kubectl.run("explain", "dbi.spec.connection.port").ok().stdout();
        assertThat(port).containsPattern("FIELD: +port <integer>").contains("TCP port.");
        assertThat(kubectl.run("explain", "dbi.spec.connection").ok().stdout())
                .containsPattern("host\t<string> -required-")
                .contains("Host name or IP address of the server.");
        Kubectl.Result missing = kubectl.run("explain", "dbi.spec.nosuchfield");
        assertThat(missing.exitCode()).as("%s", missing).isEqualTo(1);
        assertThat(missing.stderr()).contains("nosuchfield");
    }

    /**
     * In namespace default: for a missing object in any other namespace, kubectl asks for the namespace itself
     * ({@code GET /api/v1/namespaces/NS}) and reports {@code namespaces "NS" not found} when that is 404 too, and
     * standalone mode serves no core Namespace yet.
     */
    @EachKubectl
    void getOfAMissingObjectIsNotFound(String version) {
        Kubectl kubectl = kubectl(version).namespace("default");
        for (String output : List.of("", "-o=yaml")) {
            List<String> args =
                    output.isEmpty() ? List.of("get", "dbi", "nope") : List.of("get", "dbi", "nope", output);
            Kubectl.Result result = kubectl.run(args.toArray(String[]::new)).exit(1);
            assertThat(result.stdout()).isEmpty();
            assertThat(result.stderr())
                    .isEqualTo("Error from server (NotFound): databaseinstances.dbops.dbprovision.io \"nope\" not"
                            + " found\n");
        }
        Kubectl.Result kind = kubectl.run("get", "nosuchkinds").exit(1);
        assertThat(kind.stderr()).contains("the server doesn't have a resource type \"nosuchkinds\"");
    }

    private static List<String> columns(String line) {
        return Arrays.asList(line.trim().split("\\s+"));
    }

    /** The NAME column of a table, without the header. */
    private static List<String> names(Kubectl.Result result) {
        List<String> lines = result.lines();
        assertThat(columns(lines.getFirst()).getFirst()).isEqualTo("NAME");
        return lines.subList(1, lines.size()).stream()
                .map(line -> columns(line).getFirst())
                .toList();
    }
}
