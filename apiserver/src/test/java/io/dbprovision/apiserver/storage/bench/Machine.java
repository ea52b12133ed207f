package io.dbprovision.apiserver.storage.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the numbers were measured on, read from the machine itself. */
record Machine(
        int cores, String memory, String cpu, String jdk, String os, String postgres, String loadAverage, String disk) {

    static Machine describe(String postgresUrl) {
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                firstMatching("/proc/meminfo", "MemTotal:")
                        .map(line ->
                                String.format("%.1f GiB", Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0))
                        .orElse("?"),
                firstMatching("/proc/cpuinfo", "model name")
                        .map(line -> line.substring(line.indexOf(':') + 1).trim())
                        .orElse("?"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                        + System.getProperty("java.vendor") + "), max heap "
                        + Runtime.getRuntime().maxMemory() / 1048576 + " MiB",
                firstMatching("/etc/os-release", "PRETTY_NAME=")
                                .map(line ->
                                        line.substring(line.indexOf('=') + 1).replace("\"", ""))
                                .orElse(System.getProperty("os.name"))
                        + ", kernel " + System.getProperty("os.version"),
                BenchBackend.serverVersion(postgresUrl),
                read("/proc/loadavg")
                        .map(text ->
                                String.join(" ", List.of(text.trim().split(" ")).subList(0, 3)))
                        .orElse("?"),
                fileSystem());
    }

    String text() {
        return String.join(
                "\n",
                "- cores: " + cores + ", memory: " + memory + ", CPU: " + cpu,
                "- JDK: " + jdk,
                "- OS: " + os,
                "- PostgreSQL: " + postgres,
                "- load average (1, 5, 15 min) when the run started: " + loadAverage,
                "- file system of the embedded store: " + disk);
    }

    private static java.util.Optional<String> firstMatching(String file, String prefix) {
        try {
            return Files.readAllLines(Path.of(file)).stream()
                    .filter(line -> line.startsWith(prefix))
                    .findFirst();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static java.util.Optional<String> read(String file) {
        try {
            return java.util.Optional.of(Files.readString(Path.of(file)));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    private static String fileSystem() {
        try {
            Path here = Path.of("").toAbsolutePath();
            return Files.getFileStore(here).type() + " (" + here + ")";
        } catch (IOException e) {
            return "?";
        }
    }
}
