package io.dbprovision.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.client.DbProvisionClient;
import io.dbprovision.client.RunningPortal;
import io.dbprovision.proto.v1alpha1.Database;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dbprovision-cli run in-process against the real API server (API only): each command's output in each format, and
 * the exit codes scripts rely on.
 */
class CliTest {
    @TempDir
    static Path work;

    private static RunningPortal portal;
    private static String team;
    private static final List<String> NAMES = new ArrayList<>();

    @BeforeAll
    static void start() {
        portal = RunningPortal.apiOnly(work);
        team = RunningPortal.unique("cli");
        try (DbProvisionClient client = portal.client()) {
            for (int i = 0; i < 3; i++) {
                String name = team + "-" + i;
                Database db = RunningPortal.database("default", name);
                client.databases()
                        .create(db.toBuilder()
                                .setMetadata(db.getMetadata().toBuilder().putLabels("jsdk-team", team))
                                .build());
                NAMES.add(name);
            }
        }
    }

    @AfterAll
    static void stop() {
        if (portal != null) {
            portal.close();
        }
    }

    private static CliRun cli(String... args) {
        List<String> all =
                new ArrayList<>(List.of("--config", portal.kubeconfig().toString()));
        all.addAll(List.of(args));
        return CliRun.of(work.resolve("home"), all.toArray(String[]::new));
    }

    @Test
    void helpListsTheCommandsAndTheExitCodes() {
        CliRun run = CliRun.of(work, "--help");

        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out())
                .contains("request", "list", "describe", "watch", "delete", "connection")
                .contains("Exit codes:")
                .contains("3   Not found.")
                .contains("6   Failed precondition, or an object Failed.");
    }

    @Test
    void theCommandsShareTheirOptionsAndAllNamespacesSaysWhatItNeeds() {
        for (String command : List.of("list", "watch", "describe", "delete")) {
            CliRun run = CliRun.of(work, command, "--help");
            assertThat(run.code()).as(run.toString()).isZero();
            assertThat(run.out()).as(command).contains("--kind=<kind>", "--namespace=<namespace>");
        }
        for (String command : List.of("list", "watch")) {
            String help = CliRun.of(work, command, "--help").out().replaceAll("\\s+", " ");
            assertThat(help)
                    .as(command)
                    .contains("--selector=<selector>")
                    .contains("-A, --all-namespaces Across all namespaces")
                    .contains("cluster-wide");
        }
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(CliRun.of(work, "list", "--no-such-flag").code()).isEqualTo(2);
        assertThat(CliRun.of(work, "list", "--kind", "pods").code()).isEqualTo(2);
        assertThat(CliRun.of(work, "--timeout", "soon", "list").code()).isEqualTo(2);
        assertThat(CliRun.of(work, "request", "x").code())
                .as("--instance is required")
                .isEqualTo(2);
    }

    @Test
    void listPrintsATableLikeKubectl() {
        CliRun run = cli("list", "-l", "jsdk-team=" + team);

        assertThat(run.code()).as(run.toString()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.getFirst()).matches("NAMESPACE +NAME +PHASE +READY +AGE");
        assertThat(lines.subList(1, lines.size()))
                .hasSize(3)
                .allSatisfy(line -> assertThat(line).matches("default +" + team + "-\\d +<none> +<none> +\\d+s"));
    }

    @Test
    void listPrintsTheKindsListAsJsonAndYaml() {
        CliRun json = cli("list", "-l", "jsdk-team=" + team, "--page-size", "2", "-o", "json");
        assertThat(json.code()).as(json.toString()).isZero();
        assertThat(json.out())
                .startsWith("{\n    \"apiVersion\": \"dbops.dbprovision.io/v1alpha1\",\n")
                .contains("\"kind\": \"DatabaseList\"")
                .contains("\"kind\": \"Database\"")
                .contains("\"instanceRef\"")
                .contains(NAMES.toArray(String[]::new));

        CliRun yaml = cli("list", "-l", "jsdk-team=" + team, "-o", "yaml");
        assertThat(yaml.code()).as(yaml.toString()).isZero();
        assertThat(yaml.out()).contains("kind: DatabaseList").contains("name: " + NAMES.getFirst());
    }

    @Test
    void anEmptyListSaysSoOnStandardError() {
        CliRun run = cli("list", "-l", "jsdk-team=nobody-has-this");

        assertThat(run.code()).isZero();
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("No databases found.");

        CliRun json = cli("list", "-l", "jsdk-team=nobody-has-this", "-o", "json");
        assertThat(json.out())
                .isEqualTo(
                        "{\n    \"apiVersion\": \"dbops.dbprovision.io/v1alpha1\",\n    \"kind\": \"DatabaseList\",\n"
                                + "    \"items\": []\n}\n");
        CliRun yaml = cli("list", "-l", "jsdk-team=nobody-has-this", "-o", "yaml");
        assertThat(yaml.out()).isEqualTo("apiVersion: dbops.dbprovision.io/v1alpha1\nkind: DatabaseList\nitems: []\n");
    }

    @Test
    void otherKindsAreNamedAsKubectlNamesThem() {
        for (String kind : List.of("dbu", "databaseusers", "DatabaseGrant", "clusterdatabaseinstances")) {
            CliRun run = cli("list", "--kind", kind);
            assertThat(run.code()).as(kind + "\n" + run).isZero();
        }
    }

    @Test
    void describeShowsTheObjectAndNotFoundExitsWith3() {
        CliRun run = cli("describe", NAMES.getFirst());
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out())
                .contains("Name:      " + NAMES.getFirst())
                .contains("Namespace: default")
                .contains("Kind:      Database")
                .contains("jsdk-team=" + team)
                .contains("Spec:")
                .contains("instanceRef:");

        CliRun yaml = cli("describe", NAMES.getFirst(), "-o", "yaml");
        assertThat(yaml.out()).startsWith("apiVersion: dbops.dbprovision.io/v1alpha1\nkind: Database\n");

        CliRun missing = cli("describe", RunningPortal.unique("missing"));
        assertThat(missing.code()).as(missing.toString()).isEqualTo(3);
        assertThat(missing.err()).startsWith("error: NOT_FOUND: ");
    }

    @Test
    void hostileNamesAreRefusedBeforeOrByTheServer() {
        CliRun slash = cli("describe", "orders/../../x");
        assertThat(slash.code()).as(slash.toString()).isEqualTo(1);
        assertThat(slash.err()).isEqualTo("error: name must not contain '/'\n");

        CliRun invalid = cli("describe", "Not_A_Name\u001b[2J");
        assertThat(invalid.code()).as(invalid.toString()).isEqualTo(1);
        assertThat(invalid.err()).startsWith("error: INVALID_ARGUMENT: ").doesNotContain("\u001b");

        CliRun huge = cli("describe", "a".repeat(100_000));
        assertThat(huge.code()).as(huge.toString()).isIn(1);
        assertThat(huge.err()).startsWith("error: ").hasSizeLessThan(5000);
    }

    @Test
    void deleteRemovesTheObject() {
        String name = RunningPortal.unique("cli-delete");
        try (DbProvisionClient client = portal.client()) {
            client.databases().create(RunningPortal.database("default", name));
        }

        CliRun dry = cli("delete", name, "--dry-run");
        assertThat(dry.code()).as(dry.toString()).isZero();
        assertThat(cli("describe", name).code()).isZero();

        CliRun run = cli("delete", name);
        assertThat(run.code()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("database.dbops.dbprovision.io \"" + name + "\" deleted\n");
        assertThat(cli("describe", name).code()).isEqualTo(3);
        assertThat(cli("delete", name).code()).isEqualTo(3);
    }

    @Test
    void callersWithoutRightsOrWithAWrongTokenExitWith4() {
        CliRun denied = cli("--token", RunningPortal.NOBODY_TOKEN, "list");
        assertThat(denied.code()).as(denied.toString()).isEqualTo(4);
        assertThat(denied.err()).startsWith("error: PERMISSION_DENIED: ");

        String wrong = "jsdk-wrong-" + RunningPortal.unique("token");
        CliRun unauthenticated = CliRun.of(
                work,
                "--endpoint",
                "https://127.0.0.1:" + portal.port(),
                "--ca-file",
                portal.caFile().toString(),
                "--token",
                wrong,
                "list");
        assertThat(unauthenticated.code()).as(unauthenticated.toString()).isEqualTo(4);
        assertThat(unauthenticated.err()).startsWith("error: UNAUTHENTICATED: ").doesNotContain(wrong);
    }

    @Test
    void watchPrintsEventsUntilItsLimit() {
        CliRun run = cli("watch", NAMES.get(1), "--max-events", "1");

        assertThat(run.code()).as(run.toString()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.getFirst()).matches("EVENT +NAMESPACE +NAME +PHASE +READY +AGE");
        assertThat(lines.get(1)).matches("ADDED +default +" + NAMES.get(1) + " .*");

        CliRun quiet = cli("watch", RunningPortal.unique("quiet"), "--for", "1s");
        assertThat(quiet.code()).as(quiet.toString()).isZero();
        assertThat(quiet.out()).isEmpty();
    }

    @Test
    void aMissingConfigOrAnUnreachableServerExitsWith1() {
        CliRun noConfig = CliRun.of(work, "--config", work.resolve("absent").toString(), "list");
        assertThat(noConfig.code()).as(noConfig.toString()).isEqualTo(1);
        assertThat(noConfig.err()).contains("no such file");

        CliRun noDefault = CliRun.of(work.resolve("empty-home"), "list");
        assertThat(noDefault.code()).as(noDefault.toString()).isEqualTo(1);
        assertThat(noDefault.err()).contains("no configuration");

        CliRun closed = CliRun.of(
                work, "--endpoint", "https://127.0.0.1:" + RunningPortal.freePort(), "--timeout", "2s", "list");
        assertThat(closed.code()).as(closed.toString()).isIn(1, 5);
    }
}
