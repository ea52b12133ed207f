package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Write commands of real kubectl against the real server: apply (client-side, create and update; server-side),
 * diff, edit, label, annotate, patch (merge, json, status subresource, and the default strategic merge patch that
 * we refuse with 415), replace, create with generateName, delete (plain and with finalizers), a cluster-scoped
 * kind, and the errors users see: field validation (422), strict decoding (400), optimistic concurrency (409).
 */
class KubectlWriteTest extends E2eServer {
    private static final String DBI = "databaseinstance.dbops.dbprovision.io/";
    /** The API module's example manifests, one per kind (tests run in the apiserver module's directory). */
    private static final Path EXAMPLE_MANIFESTS = Path.of("..", "api", "src", "test", "resources", "manifests");

    @EachKubectl
    void applyCreatesThenUpdatesClientSide(String version) {
        Kubectl kubectl = kubectl(version);
        String manifest = Manifests.instance("applied", "applied.example.com", 5432);
        assertThat(kubectl.runWithInput(manifest, "apply", "-f", "-").ok().stdout())
                .isEqualTo(DBI + "applied created\n");
        assertThat(kubectl.runWithInput(manifest, "apply", "-f", "-").ok().stdout())
                .isEqualTo(DBI + "applied unchanged\n");
        assertThat(jsonpath(kubectl, "applied", "{.metadata.generation}")).isEqualTo("1");
        assertThat(jsonpath(
                        kubectl,
                        "applied",
                        "{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}"))
                .contains("\"host\":\"applied.example.com\"");

        String changed = Manifests.instance("applied", "applied.example.com", 6543);
        assertThat(kubectl.runWithInput(changed, "apply", "-f", "-").ok().stdout())
                .isEqualTo(DBI + "applied configured\n");
        assertThat(jsonpath(kubectl, "applied", "{.spec.connection.port} {.metadata.generation}"))
                .isEqualTo("6543 2");

        // A label dropped from the manifest is removed: the three-way merge against last-applied.
        String relabeled = Manifests.instance("applied", "postgres", "applied.example.com", 6543, "silver", "");
        kubectl.runWithInput(relabeled, "apply", "-f", "-").ok();
        assertThat(jsonpath(kubectl, "applied", "{.metadata.labels}")).isEqualTo("{\"tier\":\"silver\"}");
        // Metadata changes leave the generation alone.
        assertThat(jsonpath(kubectl, "applied", "{.metadata.generation}")).isEqualTo("2");
        // --dry-run=server goes through validation and defaulting but persists nothing.
        String dryRun = Manifests.instance("applied", "applied.example.com", 7000);
        assertThat(kubectl.runWithInput(dryRun, "apply", "--dry-run=server", "-f", "-")
                        .ok()
                        .stdout())
                .isEqualTo(DBI + "applied configured (server dry run)\n");
        assertThat(jsonpath(kubectl, "applied", "{.spec.connection.port}")).isEqualTo("6543");
    }

    @EachKubectl
    void applyServerSide(String version) {
        Kubectl kubectl = kubectl(version);
        String manifest = Manifests.instance("ssa", "ssa.example.com", 5432);
        assertThat(kubectl.runWithInput(manifest, "apply", "--server-side", "-f", "-")
                        .ok()
                        .stdout())
                .isEqualTo(DBI + "ssa serverside-applied\n");
        String changed = Manifests.instance("ssa", "ssa.example.com", 5433);
        assertThat(kubectl.runWithInput(changed, "apply", "--server-side", "-f", "-")
                        .ok()
                        .stdout())
                .isEqualTo(DBI + "ssa serverside-applied\n");
        assertThat(jsonpath(kubectl, "ssa", "{.spec.connection.port} {.metadata.generation}"))
                .isEqualTo("5433 2");
        assertThat(kubectl.run("get", "dbi", "ssa", "-o", "yaml", "--show-managed-fields")
                        .ok()
                        .stdout())
                .contains("manager: kubectl")
                .contains("operation: Apply")
                .contains("f:port: {}");
        // Another manager changing an owned field conflicts, unless forced.
        Kubectl.Result conflict = kubectl.runWithInput(
                Manifests.instance("ssa", "ssa.example.com", 5434),
                "apply",
                "--server-side",
                "--field-manager=other",
                "-f",
                "-");
        assertThat(conflict.exitCode()).as("%s", conflict).isEqualTo(1);
        assertThat(conflict.stderr()).contains("conflict").contains(".spec.connection.port");
        kubectl.runWithInput(
                        Manifests.instance("ssa", "ssa.example.com", 5434),
                        "apply",
                        "--server-side",
                        "--field-manager=other",
                        "--force-conflicts",
                        "-f",
                        "-")
                .ok();
        assertThat(jsonpath(kubectl, "ssa", "{.spec.connection.port}")).isEqualTo("5434");
    }

    @EachKubectl
    void diffExitsOneWithADiffAndZeroWithout(String version) {
        Kubectl kubectl = kubectl(version);
        String manifest = Manifests.instance("diffed", "diffed.example.com", 5432);
        kubectl.runWithInput(manifest, "apply", "-f", "-").ok();
        String resourceVersion = jsonpath(kubectl, "diffed", "{.metadata.resourceVersion}");

        Kubectl.Result same = kubectl.runWithInput(manifest, "diff", "-f", "-").exit(0);
        assertThat(same.stdout()).isEmpty();

        Kubectl.Result different = kubectl.runWithInput(
                        Manifests.instance("diffed", "diffed.example.com", 5433), "diff", "-f", "-")
                .exit(1);
        assertThat(different.stdout())
                .contains("-    port: 5432\n")
                .contains("+    port: 5433\n")
                .contains("-  generation: 1\n")
                .contains("+  generation: 2\n");
        // diff runs a server-side dry run: nothing changed.
        assertThat(jsonpath(kubectl, "diffed", "{.metadata.resourceVersion} {.spec.connection.port}"))
                .isEqualTo(resourceVersion + " 5432");

        // A new object diffs against nothing.
        Kubectl.Result created = kubectl.runWithInput(
                        Manifests.instance("diffed-new", "new.example.com", 5432), "diff", "-f", "-")
                .exit(1);
        assertThat(created.stdout()).contains("+  name: diffed-new\n").contains("+    host: new.example.com\n");
        assertThat(kubectl.run("get", "dbi", "diffed-new").exit(1).stderr()).contains("not found");
    }

    @EachKubectl
    void editWithAnEditorScript(String version) throws Exception {
        Kubectl kubectl = kubectl(version);
        kubectl.runWithInput(Manifests.instance("edited", "before.example.com", 5432), "apply", "-f", "-")
                .ok();
        Path seen = work.resolve("edit-seen-" + version + ".yaml");
        Map<String, String> env = new java.util.HashMap<>(
                Kubectl.editorEnv(editorScript(), "host: before.example.com", "host: after.example.com"));
        env.put("EDIT_SEEN", seen.toString());
        Kubectl.Result edited = kubectl.run(List.of("edit", "dbi", "edited"), "", env, Duration.ofSeconds(60))
                .ok();
        assertThat(edited.stdout()).isEqualTo(DBI + "edited edited\n");
        assertThat(Files.readString(seen))
                .contains("# Please edit the object below.")
                .contains("kind: DatabaseInstance")
                .contains("host: before.example.com");
        assertThat(jsonpath(kubectl, "edited", "{.spec.connection.host} {.metadata.generation}"))
                .isEqualTo("after.example.com 2");

        // An edit that changes nothing is cancelled by kubectl without a write.
        Kubectl.Result unchanged = kubectl.run(
                        List.of("edit", "dbi", "edited"),
                        "",
                        Kubectl.editorEnv(editorScript(), "no such text", "x"),
                        Duration.ofSeconds(60))
                .ok();
        assertThat(unchanged.stdout() + unchanged.stderr()).contains("Edit cancelled, no changes made.");

        // An invalid edit is refused: kubectl reopens the buffer with the server's field errors on top (the script
        // changes nothing the second time), then gives up, exits 1 and keeps that buffer in a file.
        Kubectl.Result invalid = kubectl.run(
                List.of("edit", "dbi", "edited"),
                "",
                Kubectl.editorEnv(editorScript(), "port: 5432", "port: 70000"),
                Duration.ofSeconds(60));
        assertThat(invalid.exitCode()).as("%s", invalid).isEqualTo(1);
        assertThat(invalid.stderr())
                .contains("error: databaseinstances.dbops.dbprovision.io \"edited\" is invalid")
                .contains("A copy of your changes has been stored to");
        java.util.regex.Matcher copy =
                java.util.regex.Pattern.compile("stored to \"([^\"]+)\"").matcher(invalid.stderr());
        assertThat(copy.find()).isTrue();
        assertThat(Files.readString(Path.of(copy.group(1))))
                .contains("# databaseinstances.dbops.dbprovision.io \"edited\" was not valid:\n"
                        + "# * spec.connection.port: Invalid value: 70000: must be between 1 and 65535\n");
        assertThat(jsonpath(kubectl, "edited", "{.spec.connection.port}")).isEqualTo("5432");
    }

    @EachKubectl
    void labelAndAnnotate(String version) {
        Kubectl kubectl = kubectl(version);
        kubectl.runWithInput(Manifests.instance("tagged", "tagged.example.com", 5432), "apply", "-f", "-")
                .ok();
        assertThat(kubectl.run("label", "dbi", "tagged", "env=prod").ok().stdout())
                .isEqualTo(DBI + "tagged labeled\n");
        assertThat(kubectl.run("get", "dbi", "-l", "env=prod", "-o", "name")
                        .ok()
                        .stdout())
                .isEqualTo(DBI + "tagged\n");
        Kubectl.Result again = kubectl.run("label", "dbi", "tagged", "env=dev");
        assertThat(again.exitCode()).as("%s", again).isEqualTo(1);
        assertThat(again.stderr()).contains("'env' already has a value (prod), and --overwrite is false");
        kubectl.run("label", "dbi", "tagged", "env=dev", "--overwrite").ok();
        assertThat(kubectl.run("label", "dbi", "tagged", "env-").ok().stdout()).isEqualTo(DBI + "tagged unlabeled\n");
        assertThat(jsonpath(kubectl, "tagged", "{.metadata.labels}")).isEqualTo("{\"tier\":\"gold\"}");

        // kubectl 1.27 prints "annotate", later ones "annotated".
        assertThat(kubectl.run("annotate", "dbi", "tagged", "example.com/owner=team-a")
                        .ok()
                        .stdout())
                .matches(DBI.replace(".", "\\.") + "tagged annotated?\n");
        assertThat(jsonpath(kubectl, "tagged", "{.metadata.annotations.example\\.com/owner}"))
                .isEqualTo("team-a");
        kubectl.run("annotate", "dbi", "tagged", "example.com/owner-").ok();
        assertThat(jsonpath(kubectl, "tagged", "{.metadata.annotations.example\\.com/owner}"))
                .isEmpty();
        // Labels and annotations are metadata: the generation stays.
        assertThat(jsonpath(kubectl, "tagged", "{.metadata.generation}")).isEqualTo("1");
        // By selector, on all matching objects.
        kubectl.runWithInput(Manifests.instance("tagged-2", "tagged2.example.com", 5432), "apply", "-f", "-")
                .ok();
        assertThat(kubectl.run("label", "dbi", "-l", "tier=gold", "batch=one")
                        .ok()
                        .stdout())
                .contains(DBI + "tagged labeled")
                .contains(DBI + "tagged-2 labeled");
    }

    @EachKubectl
    void patchMergeJsonAndStatus(String version) {
        Kubectl kubectl = kubectl(version);
        kubectl.runWithInput(Manifests.instance("patched", "patched.example.com", 5432), "apply", "-f", "-")
                .ok();

        assertThat(kubectl.run(
                                "patch",
                                "dbi",
                                "patched",
                                "--type=merge",
                                "-p",
                                "{\"spec\":{\"connection\":{\"port\":5433}}}")
                        .ok()
                        .stdout())
                .isEqualTo(DBI + "patched patched\n");
        assertThat(jsonpath(kubectl, "patched", "{.spec.connection.port} {.metadata.generation}"))
                .isEqualTo("5433 2");

        assertThat(kubectl.run(
                                "patch",
                                "dbi",
                                "patched",
                                "--type=json",
                                "-p",
                                "[{\"op\":\"test\",\"path\":\"/spec/connection/port\",\"value\":5433},"
                                        + "{\"op\":\"replace\",\"path\":\"/spec/connection/host\","
                                        + "\"value\":\"json.example.com\"}]")
                        .ok()
                        .stdout())
                .isEqualTo(DBI + "patched patched\n");
        assertThat(jsonpath(kubectl, "patched", "{.spec.connection.host} {.metadata.generation}"))
                .isEqualTo("json.example.com 3");
        Kubectl.Result failedTest = kubectl.run(
                "patch",
                "dbi",
                "patched",
                "--type=json",
                "-p",
                "[{\"op\":\"test\",\"path\":\"/spec/connection/port\",\"value\":1}]");
        assertThat(failedTest.exitCode()).as("%s", failedTest).isEqualTo(1);

        // The status subresource: status changes, generation does not.
        assertThat(kubectl.run(
                                "patch",
                                "dbi",
                                "patched",
                                "--subresource=status",
                                "--type=merge",
                                "-p",
                                "{\"status\":{\"phase\":\"Ready\",\"version\":\"16.4\"}}")
                        .ok()
                        .stdout())
                .isEqualTo(DBI + "patched patched\n");
        assertThat(jsonpath(kubectl, "patched", "{.status.phase} {.status.version} {.metadata.generation}"))
                .isEqualTo("Ready 16.4 3");
        // ...and the main resource ignores status.
        assertThat(kubectl.run("patch", "dbi", "patched", "--type=merge", "-p", "{\"status\":{\"phase\":\"Failed\"}}")
                        .ok()
                        .stdout())
                .isEqualTo(DBI + "patched patched (no change)\n");
        assertThat(jsonpath(kubectl, "patched", "{.status.phase}")).isEqualTo("Ready");
        // ...and the status subresource ignores spec.
        kubectl.run(
                        "patch",
                        "dbi",
                        "patched",
                        "--subresource=status",
                        "--type=merge",
                        "-p",
                        "{\"spec\":{\"connection\":{\"port\":1}},\"status\":{\"phase\":\"Failed\"}}")
                .ok();
        assertThat(jsonpath(kubectl, "patched", "{.spec.connection.port} {.status.phase} {.metadata.generation}"))
                .isEqualTo("5433 Failed 3");
        // Status is validated too.
        Kubectl.Result badPhase = kubectl.run(
                "patch",
                "dbi",
                "patched",
                "--subresource=status",
                "--type=merge",
                "-p",
                "{\"status\":{\"phase\":\"Sleeping\"}}");
        assertThat(badPhase.exitCode()).as("%s", badPhase).isEqualTo(1);
        assertThat(badPhase.stderr()).contains("status.phase: Unsupported value: \"Sleeping\"");
    }

    @EachKubectl
    void patchDefaultsToStrategicMergeWhichIsRefusedWith415(String version) {
        Kubectl kubectl = kubectl(version);
        kubectl.runWithInput(Manifests.instance("strategic", "strategic.example.com", 5432), "apply", "-f", "-")
                .ok();
        Kubectl.Result result =
                kubectl.run("patch", "dbi", "strategic", "-p", "{\"spec\":{\"connection\":{\"port\":1}}}");
        assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
        assertThat(result.stderr())
                .startsWith("error: application/strategic-merge-patch+json is not supported by"
                        + " dbops.dbprovision.io/v1alpha1, Kind=DatabaseInstance: ")
                .contains("the body of the request was in an unknown format - accepted media types include:"
                        + " application/merge-patch+json, application/json-patch+json");
        assertThat(jsonpath(kubectl, "strategic", "{.spec.connection.port}")).isEqualTo("5432");
    }

    @EachKubectl
    void replaceWritesTheWholeObject(String version) {
        Kubectl kubectl = kubectl(version);
        kubectl.runWithInput(Manifests.instance("replaced", "replaced.example.com", 5432), "create", "-f", "-")
                .ok();
        String live = kubectl.run("get", "dbi", "replaced", "-o", "yaml").ok().stdout();
        String edited = live.replace("host: replaced.example.com", "host: new.example.com");
        assertThat(kubectl.runWithInput(edited, "replace", "-f", "-").ok().stdout())
                .isEqualTo(DBI + "replaced replaced\n");
        assertThat(jsonpath(kubectl, "replaced", "{.spec.connection.host} {.metadata.generation}"))
                .isEqualTo("new.example.com 2");

        // The resourceVersion of the first read is stale now: 409 Conflict.
        Kubectl.Result stale = kubectl.runWithInput(live, "replace", "-f", "-");
        assertThat(stale.exitCode()).as("%s", stale).isEqualTo(1);
        assertThat(stale.stderr())
                .contains("Error from server (Conflict)")
                .contains("Operation cannot be fulfilled on databaseinstances.dbops.dbprovision.io \"replaced\": the"
                        + " object has been modified; please apply your changes to the latest version and try"
                        + " again");

        // Without a resourceVersion, kubectl replace reads the live one first.
        String manifest = Manifests.instance("replaced", "third.example.com", 5432);
        kubectl.runWithInput(manifest, "replace", "-f", "-").ok();
        assertThat(jsonpath(kubectl, "replaced", "{.spec.connection.host} {.metadata.generation}"))
                .isEqualTo("third.example.com 3");

        // replace of a missing object is NotFound (no create-on-update).
        Kubectl.Result missing =
                kubectl.runWithInput(Manifests.instance("replaced-nope", "x.example.com", 5432), "replace", "-f", "-");
        assertThat(missing.exitCode()).as("%s", missing).isEqualTo(1);
        assertThat(missing.stderr()).contains("Error from server (NotFound)").contains("\"replaced-nope\" not found");
    }

    @EachKubectl
    void createWithGenerateName(String version) {
        Kubectl kubectl = kubectl(version);
        String manifest = """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata:
                  generateName: generated-
                spec:
                  engine: mysql
                  connection:
                    host: generated.example.com
                    secretRef:
                      name: generated-admin
                """;
        String first = kubectl.runWithInput(manifest, "create", "-f", "-").ok().stdout();
        assertThat(first)
                .matches("databaseinstance\\.dbops\\.dbprovision\\.io/generated-[bcdfghjklmnpqrstvwxz2-9]{5}"
                        + " created\n");
        String second = kubectl.runWithInput(manifest, "create", "-f", "-", "-o", "name")
                .ok()
                .stdout();
        assertThat(second).matches(DBI.replace(".", "\\.") + "generated-[bcdfghjklmnpqrstvwxz2-9]{5}\n");
        String firstName = first.substring(DBI.length(), first.indexOf(' '));
        assertThat(second.trim()).isNotEqualTo(DBI + firstName);
        assertThat(jsonpath(kubectl, firstName, "{.metadata.generateName} {.spec.connection.port}"))
                .isEqualTo("generated- 3306");

        // apply refuses generateName on the client side.
        Kubectl.Result apply = kubectl.runWithInput(manifest, "apply", "-f", "-");
        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(1);
        assertThat(apply.stderr()).contains("cannot use generate name with apply");
    }

    @EachKubectl
    void deleteRemovesTheObject(String version) {
        Kubectl kubectl = kubectl(version);
        kubectl.runWithInput(Manifests.instance("deleted", "deleted.example.com", 5432), "apply", "-f", "-")
                .ok();
        assertThat(kubectl.run("delete", "dbi", "deleted", "--dry-run=server")
                        .ok()
                        .stdout())
                .isEqualTo("databaseinstance.dbops.dbprovision.io \"deleted\" deleted (server dry run)\n");
        assertThat(kubectl.run("get", "dbi", "deleted", "-o", "name").ok().stdout())
                .isEqualTo(DBI + "deleted\n");
        assertThat(kubectl.run("delete", "dbi", "deleted").ok().stdout())
                .startsWith("databaseinstance.dbops.dbprovision.io \"deleted\" deleted");
        assertThat(kubectl.run("get", "dbi", "deleted", "--ignore-not-found")
                        .ok()
                        .stdout())
                .isEmpty();
        Kubectl.Result again = kubectl.run("delete", "dbi", "deleted");
        assertThat(again.exitCode()).as("%s", again).isEqualTo(1);
        assertThat(again.stderr()).contains("\"deleted\" not found");

        // By file, and by label selector.
        String manifest = Manifests.instance("deleted-by-file", "f.example.com", 5432);
        kubectl.runWithInput(manifest, "create", "-f", "-").ok();
        kubectl.runWithInput(manifest, "delete", "-f", "-").ok();
        kubectl.runWithInput(
                        Manifests.instance("deleted-a", "postgres", "a.example.com", 5432, "doomed", ""),
                        "apply",
                        "-f",
                        "-")
                .ok();
        kubectl.runWithInput(
                        Manifests.instance("deleted-b", "postgres", "b.example.com", 5432, "doomed", ""),
                        "apply",
                        "-f",
                        "-")
                .ok();
        assertThat(kubectl.run("delete", "dbi", "-l", "tier=doomed").ok().stdout())
                .contains("\"deleted-a\" deleted")
                .contains("\"deleted-b\" deleted");
        assertThat(kubectl.run("get", "dbi", "-l", "tier=doomed", "-o", "name")
                        .ok()
                        .stdout())
                .isEmpty();
    }

    @EachKubectl
    void deleteWithAFinalizerWaitsForItsRemoval(String version) {
        Kubectl kubectl = kubectl(version);
        String manifest = Manifests.instance(
                "finalized", "postgres", "fin.example.com", 5432, "gold", "  finalizers: [\"example.com/hold\"]");
        kubectl.runWithInput(manifest, "apply", "-f", "-").ok();

        // kubectl delete waits for the object to go; it only goes once the finalizer is removed.
        try (Kubectl.Background delete = kubectl.start("delete", "dbi", "finalized", "--timeout=60s")) {
            delete.awaitStdout(line -> line.contains("\"finalized\" deleted"), Duration.ofSeconds(30));
            assertThat(jsonpath(kubectl, "finalized", "{.metadata.finalizers} {.metadata.deletionGracePeriodSeconds}"))
                    .isEqualTo("[\"example.com/hold\"] 0");
            assertThat(jsonpath(kubectl, "finalized", "{.metadata.deletionTimestamp}"))
                    .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
            // Still listed, and no new finalizers can be added while it is being deleted.
            assertThat(kubectl.run("get", "dbi", "finalized", "-o", "name").ok().stdout())
                    .isEqualTo(DBI + "finalized\n");
            Kubectl.Result more = kubectl.run(
                    "patch",
                    "dbi",
                    "finalized",
                    "--type=json",
                    "-p",
                    "[{\"op\":\"add\",\"path\":\"/metadata/finalizers/-\",\"value\":\"example.com/more\"}]");
            assertThat(more.exitCode()).as("%s", more).isEqualTo(1);
            assertThat(more.stderr()).contains("no new finalizers can be added if the object is being deleted");
            assertThat(delete.isAlive()).isTrue();

            kubectl.run(
                            "patch",
                            "dbi",
                            "finalized",
                            "--type=json",
                            "-p",
                            "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]")
                    .ok();
            delete.finish(Duration.ofSeconds(30)).ok();
        }
        assertThat(kubectl.run("get", "dbi", "finalized", "--ignore-not-found")
                        .ok()
                        .stdout())
                .isEmpty();
    }

    @EachKubectl
    void clusterScopedKind(String version) {
        Kubectl kubectl = kubectl(version);
        String name = "shared-" + version.replace(".", "");
        assertThat(kubectl.runWithInput(Manifests.clusterInstance(name, "shared.example.com"), "apply", "-f", "-")
                        .ok()
                        .stdout())
                .isEqualTo("clusterdatabaseinstance.dbops.dbprovision.io/" + name + " created\n");
        List<String> lines = kubectl.run("get", "cdbi", name).ok().lines();
        assertThat(lines.get(0)).startsWith("NAME ").doesNotContain("NAMESPACE");
        assertThat(lines.get(1)).startsWith(name + " ").contains("mysql", "shared.example.com");
        assertThat(kubectl.run("get", "cdbi", name, "-o", "jsonpath={.metadata.namespace}|{.spec.connection.port}")
                        .ok()
                        .stdout())
                .isEqualTo("|3306");
        kubectl.run("label", "cdbi", name, "scope=cluster").ok();
        assertThat(kubectl.run("delete", "cdbi", name).ok().stdout()).contains("\"" + name + "\" deleted");
    }

    @EachKubectl
    void invalidObjectsAreRefusedWithTheFieldError(String version) {
        Kubectl kubectl = kubectl(version);
        String manifest = Manifests.instance("invalid", "invalid.example.com", 70000);
        for (String verb : List.of("apply", "create")) {
            Kubectl.Result result = kubectl.runWithInput(manifest, verb, "-f", "-");
            assertThat(result.exitCode()).as("%s", result).isEqualTo(1);
            assertThat(result.stderr())
                    .contains("The DatabaseInstance \"invalid\" is invalid: spec.connection.port: Invalid value:"
                            + " 70000: must be between 1 and 65535");
        }
        assertThat(kubectl.run("get", "dbi", "invalid", "--ignore-not-found")
                        .ok()
                        .stdout())
                .isEmpty();

        String missingHost = """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata:
                  name: invalid
                spec:
                  engine: postgres
                  connection:
                    secretRef:
                      name: s
                """;
        Kubectl.Result required = kubectl.runWithInput(missingHost, "create", "-f", "-");
        assertThat(required.exitCode()).as("%s", required).isEqualTo(1);
        assertThat(required.stderr()).contains("spec.connection.host: Required value");
    }

    @EachKubectl
    void unknownFieldsFollowFieldValidation(String version) {
        Kubectl kubectl = kubectl(version);
        String manifest = """
                apiVersion: dbops.dbprovision.io/v1alpha1
                kind: DatabaseInstance
                metadata:
                  name: unknown-field
                spec:
                  engine: postgres
                  bogus: 1
                  connection:
                    host: unknown.example.com
                    secretRef:
                      name: s
                """;
        for (String verb : List.of("create", "apply")) {
            Kubectl.Result strict = kubectl.runWithInput(manifest, verb, "--validate=strict", "-f", "-");
            assertThat(strict.exitCode()).as("%s", strict).isEqualTo(1);
            assertThat(strict.stderr())
                    .contains("Error from server (BadRequest)")
                    .contains("strict decoding error: unknown field \"spec.bogus\"");
        }
        Kubectl.Result warn = kubectl.runWithInput(manifest, "create", "--validate=warn", "-f", "-")
                .ok();
        assertThat(warn.stderr()).contains("Warning: unknown field \"spec.bogus\"");
        assertThat(warn.stdout()).isEqualTo(DBI + "unknown-field created\n");
        assertThat(kubectl.run("get", "dbi", "unknown-field", "-o", "yaml").ok().stdout())
                .doesNotContain("bogus");
    }

    /**
     * Every kind, from the API module's example manifests (all fields set, status included), moved into the
     * version's namespace and, for cluster-scoped kinds, renamed per version: apply, get, describe, delete.
     */
    @EachKubectl
    void everyKindFromTheExampleManifests(String version) throws Exception {
        Kubectl kubectl = kubectl(version);
        String suffix = "-" + version.replace(".", "");
        List<String> documents = new java.util.ArrayList<>();
        try (var files = Files.list(EXAMPLE_MANIFESTS)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                documents.add(intoNamespace(Files.readString(file), kubectl.namespace(), suffix));
            }
        }
        assertThat(documents).hasSize(11);
        String all = String.join("---\n", documents);

        List<String> applied =
                kubectl.runWithInput(all, "apply", "-f", "-").ok().lines();
        assertThat(applied).hasSize(11).allSatisfy(line -> assertThat(line).endsWith(" created"));

        // Applying the same manifests again writes nothing: no new resourceVersion anywhere. kubectl still says
        // "configured" for the grant and role kinds: the server defaults withGrantOption inside their grants list
        // items, lists are atomic in a JSON merge patch, so kubectl's three-way patch resends the whole list
        // (as it does for a CRD with defaults in list items); the server finds nothing to change.
        String plurals = "databaseinstances,clusterdatabaseinstances,databases,databaseusers,databaseroles,"
                + "clusterdatabaseroles,databasegrants,clusterdatabasegrants,databasebackups,databasebackupschedules,"
                + "databaserestores";
        String versions = "jsonpath={range .items[*]}{.kind}/{.metadata.name}={.metadata.resourceVersion} {end}";
        String before = kubectl.run("get", plurals, "-o", versions).ok().stdout();
        assertThat(kubectl.runWithInput(all, "apply", "-f", "-").ok().lines())
                .hasSize(11)
                .allSatisfy(line -> assertThat(line).matches(".* (unchanged|configured)"))
                .filteredOn(line -> line.endsWith(" configured"))
                .allSatisfy(line -> assertThat(line).containsPattern("(grant|role)\\."));
        assertThat(kubectl.run("get", plurals, "-o", versions).ok().stdout()).isEqualTo(before);
        List<String> expected = List.of(
                "databaseinstance.dbops.dbprovision.io/postgres-primary",
                "clusterdatabaseinstance.dbops.dbprovision.io/shared-mysql" + suffix,
                "database.dbops.dbprovision.io/orders-db",
                "databaseuser.dbops.dbprovision.io/orders-app",
                "databaserole.dbops.dbprovision.io/app-readonly",
                "clusterdatabaserole.dbops.dbprovision.io/shared-reporting" + suffix,
                "databasegrant.dbops.dbprovision.io/orders-app-access",
                "clusterdatabasegrant.dbops.dbprovision.io/reporting-warehouse-access" + suffix,
                "databasebackup.dbops.dbprovision.io/app-backup",
                "databasebackupschedule.dbops.dbprovision.io/app-nightly",
                "databaserestore.dbops.dbprovision.io/app-restore");
        // Cluster-scoped kinds list every object of the kind, whatever the namespace: compare with ours only.
        assertThat(kubectl.run("get", plurals, "-o", "name").ok().lines()).containsAll(expected);
        // The category lists the namespaced kinds of the namespace, each in its own table.
        String category = kubectl.run("get", "dbops").ok().stdout();
        assertThat(category)
                .contains("databaseinstance.dbops.dbprovision.io/postgres-primary")
                .contains("databasebackupschedule.dbops.dbprovision.io/app-nightly")
                .contains("databaseuser.dbops.dbprovision.io/orders-app");
        assertThat(kubectl.run("describe", "db", "orders-db").ok().stdout())
                .containsPattern("(?m)^Kind: +Database$")
                .containsPattern("(?m)^ +Name: +orders_main$");

        // Three examples are protected by the deletion-protection annotation: released by force-delete first.
        kubectl.run(
                        "annotate",
                        "databaseusers/orders-app",
                        "databaseroles/app-readonly",
                        "clusterdatabaseroles/shared-reporting" + suffix,
                        "dbops.dbprovision.io/force-delete=true")
                .ok();
        List<String> deleted =
                kubectl.runWithInput(all, "delete", "-f", "-").ok().lines();
        assertThat(deleted).hasSize(11).allSatisfy(line -> assertThat(line).contains("\" deleted"));
        assertThat(kubectl.run("get", plurals, "-o", "name").ok().lines()).doesNotContainAnyElementsOf(expected);
    }

    /**
     * Sets metadata.namespace (when the manifest has one), suffixes metadata.name of cluster-scoped objects, and
     * drops the status block (users do not write status; with it, every re-apply would patch the status again).
     */
    private static String intoNamespace(String manifest, String namespace, String clusterSuffix) {
        boolean clusterScoped = manifest.contains("\nkind: Cluster");
        StringBuilder out = new StringBuilder();
        boolean inMetadata = false;
        boolean inStatus = false;
        for (String line : manifest.split("\n", -1)) {
            if (!line.startsWith(" ") && !line.isEmpty()) {
                inMetadata = line.equals("metadata:");
                inStatus = line.equals("status:");
            }
            if (inStatus) {
                continue;
            }
            if (inMetadata && line.startsWith("  namespace: ")) {
                line = "  namespace: " + namespace;
            } else if (inMetadata && clusterScoped && line.startsWith("  name: ")) {
                line = line + clusterSuffix;
            }
            out.append(line).append('\n');
        }
        return out.toString().stripTrailing() + "\n";
    }

    private static String jsonpath(Kubectl kubectl, String name, String template) {
        return kubectl.run("get", "dbi", name, "-o", "jsonpath=" + template)
                .ok()
                .stdout();
    }

    private static Path editorScript() {
        try {
            return Path.of(Objects.requireNonNull(KubectlWriteTest.class.getResource("editor.sh"))
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
