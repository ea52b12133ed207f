package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

/**
 * Commands that watch: {@code kubectl wait --for=condition=Ready} and {@code kubectl get -w}, each running in the
 * background while another kubectl process writes. kubectl's request log ({@code -v=6} on stderr) tells when its
 * watch is established, so the tests wait for that instead of sleeping.
 */
class KubectlWatchTest extends E2eServer {
    private static final Duration STEP = Duration.ofSeconds(30);

    @EachKubectl
    void waitForConditionReady(String version) {
        Kubectl kubectl = kubectl(version);
        kubectl.runWithInput(Manifests.instance("waited", "waited.example.com", 5432), "apply", "-f", "-")
                .ok();
        // generation 2: conditions must be observed at generation 2 to count.
        kubectl.run("patch", "dbi", "waited", "--type=merge", "-p", "{\"spec\":{\"connection\":{\"port\":5433}}}")
                .ok();
        // Ready=True, but observed at generation 1: kubectl wait must not take it.
        kubectl.run("patch", "dbi", "waited", "--subresource=status", "--type=merge", "-p", ready(1))
                .ok();

        try (Kubectl.Background wait =
                kubectl.start("wait", "--for=condition=Ready", "dbi/waited", "--timeout=60s", "-v=6")) {
            // It has looked at the object, found the condition stale, and is now watching.
            wait.awaitWatchStarted(STEP);
            assertThat(wait.isAlive()).isTrue();
            assertThat(wait.stdout()).isEmpty();

            kubectl.run("patch", "dbi", "waited", "--subresource=status", "--type=merge", "-p", ready(2))
                    .ok();
            Kubectl.Result result = wait.finish(STEP).ok();
            assertThat(result.stdout()).isEqualTo("databaseinstance.dbops.dbprovision.io/waited condition met\n");
        }

        // Already met: returns at once. And a condition that never comes times out with exit 1.
        assertThat(kubectl.run("wait", "--for=condition=Ready", "dbi/waited", "--timeout=10s")
                        .ok()
                        .stdout())
                .isEqualTo("databaseinstance.dbops.dbprovision.io/waited condition met\n");
        Kubectl.Result timeout = kubectl.run("wait", "--for=condition=Degraded", "dbi/waited", "--timeout=1s");
        assertThat(timeout.exitCode()).as("%s", timeout).isEqualTo(1);
        assertThat(timeout.stderr()).contains("timed out waiting for the condition");
    }

    @EachKubectl
    void waitForDelete(String version) {
        Kubectl kubectl = kubectl(version);
        kubectl.runWithInput(Manifests.instance("wait-gone", "gone.example.com", 5432), "apply", "-f", "-")
                .ok();
        try (Kubectl.Background wait =
                kubectl.start("wait", "--for=delete", "dbi/wait-gone", "--timeout=60s", "-v=6")) {
            wait.awaitWatchStarted(STEP);
            kubectl.run("delete", "dbi", "wait-gone", "--wait=false").ok();
            assertThat(wait.finish(STEP).ok().stdout())
                    .isEqualTo("databaseinstance.dbops.dbprovision.io/wait-gone condition met\n");
        }
    }

    @EachKubectl
    void getWatchStreamsChangesMadeByAnotherProcess(String version) {
        Kubectl kubectl = kubectl(version);
        kubectl.runWithInput(Manifests.instance("watched", "watched.example.com", 5432), "apply", "-f", "-")
                .ok();
        try (Kubectl.Background watch = kubectl.start("get", "dbi", "watched", "-w", "-v=6")) {
            watch.awaitStdout(line -> line.startsWith("watched ") && line.contains("watched.example.com"), STEP);
            watch.awaitWatchStarted(STEP);

            kubectl.run(
                            "patch",
                            "dbi",
                            "watched",
                            "--subresource=status",
                            "--type=merge",
                            "-p",
                            "{\"status\":{\"phase\":\"Ready\",\"version\":\"16.4\"}}")
                    .ok();
            String row = watch.awaitStdout(line -> line.startsWith("watched ") && line.contains("Ready"), STEP);
            assertThat(row.trim().split("\\s+"))
                    .startsWith("watched", "postgres", "watched.example.com", "Ready", "16.4");

            kubectl.run(
                            "patch",
                            "dbi",
                            "watched",
                            "--type=merge",
                            "-p",
                            "{\"spec\":{\"connection\":{\"host\":\"moved.example.com\"}}}")
                    .ok();
            watch.awaitStdout(line -> line.startsWith("watched ") && line.contains("moved.example.com"), STEP);
            assertThat(watch.isAlive()).isTrue();
        }

        // The whole namespace with -o wide, through a creation and a deletion.
        try (Kubectl.Background watch = kubectl.start("get", "dbi", "-w", "-o", "wide", "-v=6")) {
            watch.awaitStdout(line -> line.startsWith("NAME ") && line.contains("PORT"), STEP);
            watch.awaitWatchStarted(STEP);
            kubectl.runWithInput(Manifests.instance("watched-new", "new.example.com", 6000), "create", "-f", "-")
                    .ok();
            String added = watch.awaitStdout(line -> line.startsWith("watched-new "), STEP);
            assertThat(added).contains("new.example.com").contains("6000");
        }
        // Across namespaces: a creation in another namespace shows up with its namespace.
        try (Kubectl.Background watch = kubectl.start("get", "dbi", "-A", "-w", "-v=6")) {
            watch.awaitStdout(line -> line.startsWith("NAMESPACE "), STEP);
            watch.awaitWatchStarted(STEP);
            String elsewhere = kubectl.namespace() + "-elsewhere";
            kubectl.namespace(elsewhere)
                    .runWithInput(Manifests.instance("watched-far", "far.example.com", 5432), "create", "-f", "-")
                    .ok();
            watch.awaitStdout(line -> line.startsWith(elsewhere + " ") && line.contains("watched-far"), STEP);
        }
        try (Kubectl.Background watch = kubectl.start("get", "dbi", "-w", "--output-watch-events", "-v=6")) {
            watch.awaitWatchStarted(STEP);
            kubectl.run("delete", "dbi", "watched-new").ok();
            watch.awaitStdout(line -> line.startsWith("DELETED ") && line.contains("watched-new"), STEP);
        }
    }

    /** A status with Ready=True as observed at {@code generation} (in the condition and in the status). */
    private static String ready(int generation) {
        return """
                {"status":{"phase":"Ready","observedGeneration":%d,"conditions":[{"type":"Ready","status":"True",\
                "reason":"Connected","message":"connected","lastTransitionTime":"2026-01-02T03:04:05Z",\
                "observedGeneration":%d}]}}""".formatted(generation, generation);
    }
}
