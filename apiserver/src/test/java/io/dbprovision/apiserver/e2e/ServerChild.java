package io.dbprovision.apiserver.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code dbprovision standalone} in a JVM of its own (the test classpath running {@link ServerChildMain}, which ends
 * it when this JVM goes away), so that it can be
 * killed as a machine kills it: {@link #kill} is {@link Process#destroyForcibly}, SIGKILL on Linux — no shutdown hook,
 * no clean close of the store. It listens on a free port ({@code --port 0}); the port is read from the start-up
 * message it prints once it serves (the reconcilers and the provisioner are running by then). Its standard output
 * and error go to a log file, so a full pipe never stops it and the log is there to read when something went wrong.
 */
final class ServerChild {
    private static final Pattern SERVING =
            Pattern.compile("serves dbops\\.dbprovision\\.io/v1alpha1 at https://[^:]+:(\\d+)");

    private final Process process;
    private final Path log;
    private final long startedNanos = System.nanoTime();

    private ServerChild(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the server on {@code dataDir}, writing its output to {@code log}; does not wait for it to serve. */
    static ServerChild start(Path dataDir, Path log) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(
                java,
                "-Xmx512m",
                "-XX:+UseSerialGC",
                // C1 only: a dozen starts on a small machine; it starts faster and spends less CPU compiling
                "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-cp",
                System.getProperty("java.class.path"),
                ServerChildMain.class.getName(),
                "standalone",
                "--data-dir",
                dataDir.toString(),
                "--port",
                "0");
        try {
            Files.createDirectories(log.getParent());
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            return new ServerChild(process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the server process", e);
        }
    }

    /** The port it serves on, once it printed its start-up message; empty before. */
    OptionalInt port() {
        Matcher serving = SERVING.matcher(logText());
        return serving.find() ? OptionalInt.of(Integer.parseInt(serving.group(1))) : OptionalInt.empty();
    }

    /** Waits until it serves and returns the port; fails when it exits first or takes longer than {@code seconds}. */
    int awaitServing(int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            OptionalInt port = port();
            if (port.isPresent()) {
                return port.getAsInt();
            }
            if (!process.isAlive()) {
                throw new AssertionError(
                        "the server exited with " + process.exitValue() + " before it served:\n" + tail(60));
            }
            Thread.sleep(25);
        }
        throw new AssertionError("the server did not serve within " + seconds + " s:\n" + tail(60));
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Milliseconds since it was started. */
    long ageMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    /** SIGKILL, and waits until the process is gone (its files are then as the kill left them). */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the server process " + process.pid() + " outlived SIGKILL");
        }
    }

    /** The last {@code lines} lines of its output. */
    String tail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Its output lines that contain {@code text}. */
    List<String> linesWith(String text) {
        return logText().lines().filter(line -> line.contains(text)).toList();
    }

    Optional<Integer> exitValue() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    private String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
