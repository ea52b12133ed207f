package io.dbprovision.apiserver.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One real kubectl binary ({@code kubectl.1.NN} of the Google Cloud CLI, called directly so that no version
 * dispatcher is involved) against one kubeconfig. Each instance has its own HOME and discovery cache, so versions
 * never share cached discovery. Runs are synchronous with a timeout ({@link #run}) or in the background with
 * streaming output ({@link #start}).
 */
final class Kubectl {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final String version;
    private final Path binary;
    private final Path kubeconfig;
    private final Path home;
    private final String namespace;

    private Kubectl(String version, Path binary, Path kubeconfig, Path home, String namespace) {
        this.version = version;
        this.binary = binary;
        this.kubeconfig = kubeconfig;
        this.home = home;
        this.namespace = namespace;
    }

    /** kubectl {@code version} ("1.27") from {@link KubectlVersions#directory()}, with a fresh HOME under {@code work}. */
    static Kubectl of(String version, Path kubeconfig, Path work) {
        Path binary = KubectlVersions.directory().resolve("kubectl." + version);
        assertThat(binary)
                .as("kubectl %s (set -Dkubectl.dir or -Dkubectl.versions)", version)
                .isExecutable();
        try {
            Path home = Files.createDirectories(work.resolve("home-" + version));
            return new Kubectl(version, binary, kubeconfig, home, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same binary and cache, with {@code --namespace} on every command. */
    Kubectl namespace(String namespace) {
        return new Kubectl(version, binary, kubeconfig, home, namespace);
    }

    String version() {
        return version;
    }

    String namespace() {
        return namespace;
    }

    /** Runs to completion within the default timeout. */
    Result run(String... args) {
        return run(List.of(args), "", Map.of(), DEFAULT_TIMEOUT);
    }

    /** Runs with {@code stdin} as standard input (for {@code -f -}). */
    Result runWithInput(String stdin, String... args) {
        return run(List.of(args), stdin, Map.of(), DEFAULT_TIMEOUT);
    }

    Result run(List<String> args, String stdin, Map<String, String> env, Duration timeout) {
        Process process = launch(args, env);
        StreamCollector out = new StreamCollector(process.getInputStream());
        StreamCollector err = new StreamCollector(process.getErrorStream());
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the process may not read its input at all
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("kubectl " + version + " " + String.join(" ", args) + " did not finish in "
                        + timeout + "\nstdout:\n" + out.text() + "\nstderr:\n" + err.text());
            }
            out.join();
            err.join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return new Result(describe(args), process.exitValue(), out.text(), err.text());
    }

    /** Starts kubectl in the background; its output is collected as it comes. Close it to kill the process. */
    Background start(String... args) {
        Process process = launch(List.of(args), Map.of());
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // nothing to close
        }
        return new Background(
                describe(List.of(args)),
                process,
                new StreamCollector(process.getInputStream()),
                new StreamCollector(process.getErrorStream()));
    }

    private Process launch(List<String> args, Map<String, String> env) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.add("--kubeconfig=" + kubeconfig);
        command.add("--cache-dir=" + home.resolve(".kube/cache"));
        if (!namespace.isEmpty()) {
            command.add("--namespace=" + namespace);
        }
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile());
        Map<String, String> environment = builder.environment();
        environment.remove("KUBECONFIG");
        environment.put("HOME", home.toString());
        environment.put("TMPDIR", home.toString()); // kubectl edit keeps rejected buffers there
        environment.putAll(env);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String describe(List<String> args) {
        return "kubectl " + version + (namespace.isEmpty() ? "" : " -n " + namespace) + " " + String.join(" ", args);
    }

    @Override
    public String toString() {
        return "kubectl " + version;
    }

    /** A finished run: the exit code and everything printed. */
    record Result(String command, int exitCode, String stdout, String stderr) {
        /**
         * Asserts exit code 0 and no client-go error or warning log lines (such as "E0101 ... couldn't get resource
         * list for ..." when discovery goes wrong but the command still succeeds); returns this, for chaining.
         */
        Result ok() {
            exit(0);
            assertThat(stderr).as("client-go errors logged by %s", command).doesNotContainPattern("(?m)^[EW]\\d{4} ");
            return this;
        }

        Result exit(int expected) {
            assertThat(exitCode).as("exit code of %s\n%s", command, this).isEqualTo(expected);
            return this;
        }

        /** stdout split into lines, without the trailing empty one. */
        List<String> lines() {
            return stdout.isEmpty() ? List.of() : Arrays.asList(stdout.split("\n"));
        }

        @Override
        public String toString() {
            return "$ " + command + "\n[exit " + exitCode + "]\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** A kubectl running in the background (get -w, wait, delete that waits for finalizers). */
    static final class Background implements AutoCloseable {
        private final String command;
        private final Process process;
        private final StreamCollector out;
        private final StreamCollector err;

        private Background(String command, Process process, StreamCollector out, StreamCollector err) {
            this.command = command;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        /** Waits until a stdout line matches; fails with everything printed so far past the deadline. */
        String awaitStdout(Predicate<String> line, Duration timeout) {
            return await(out, "stdout", line, timeout);
        }

        /** Waits until a stderr line matches (with {@code -v=6}, kubectl logs every request it made there). */
        String awaitStderr(Predicate<String> line, Duration timeout) {
            return await(err, "stderr", line, timeout);
        }

        /** Waits until kubectl's request log ({@code -v=6}) shows a watch request answered with 200. */
        void awaitWatchStarted(Duration timeout) {
            awaitStderr(l -> l.contains("watch=true") && l.contains("200 OK"), timeout);
        }

        /** Waits for the process to exit by itself. */
        Result finish(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError(command + " did not finish in " + timeout + "\n" + snapshot(-1));
                }
                out.join();
                err.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            return snapshot(process.exitValue());
        }

        String stdout() {
            return out.text();
        }

        boolean isAlive() {
            return process.isAlive();
        }

        private String await(StreamCollector stream, String name, Predicate<String> line, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                while (true) {
                    boolean finished = !process.isAlive() && stream.ended();
                    String found = stream.firstLine(line);
                    if (found != null) {
                        return found;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || finished) {
                        throw new AssertionError("no matching " + name + " line from " + command + " within " + timeout
                                + (finished ? " (it exited with " + process.exitValue() + ")" : "") + "\n"
                                + snapshot(-1));
                    }
                    stream.awaitMore(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }

        private Result snapshot(int exitCode) {
            return new Result(command, exitCode, out.text(), err.text());
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Reads a stream on its own thread and keeps everything, line by line, for assertions while it runs. */
    private static final class StreamCollector {
        private final StringBuilder text = new StringBuilder();
        private final Thread thread;
        private boolean ended;

        StreamCollector(InputStream in) {
            this.thread = Thread.ofVirtual().start(() -> {
                byte[] buffer = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                    }
                } catch (IOException e) {
                    // the process was killed
                } finally {
                    synchronized (this) {
                        ended = true;
                        notifyAll();
                    }
                }
            });
        }

        private synchronized void append(String chunk) {
            text.append(chunk);
            notifyAll();
        }

        synchronized String text() {
            return text.toString();
        }

        synchronized boolean ended() {
            return ended;
        }

        /** The first complete line that matches, or null. */
        synchronized String firstLine(Predicate<String> predicate) {
            String all = text.toString();
            int end = ended ? all.length() : all.lastIndexOf('\n');
            if (end < 0) {
                return null;
            }
            for (String line : all.substring(0, end).split("\n")) {
                if (predicate.test(line)) {
                    return line;
                }
            }
            return null;
        }

        synchronized void awaitMore(long nanos) throws InterruptedException {
            if (!ended) {
                TimeUnit.NANOSECONDS.timedWait(this, nanos);
            }
        }

        void join() throws InterruptedException {
            thread.join(Duration.ofSeconds(5));
        }
    }

    /** Environment for {@code kubectl edit}: the EDITOR script and what it should replace. */
    static Map<String, String> editorEnv(Path script, String from, String to) {
        Map<String, String> env = new LinkedHashMap<>();
        // kubectl runs an EDITOR value with a space through "sh -c", appending the file's path.
        env.put("EDITOR", "sh " + script);
        env.put("KUBE_EDITOR", "sh " + script);
        env.put("EDIT_FROM", from);
        env.put("EDIT_TO", to);
        return env;
    }
}
