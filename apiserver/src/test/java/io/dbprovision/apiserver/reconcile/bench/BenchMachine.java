package io.dbprovision.apiserver.reconcile.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/** What the numbers were measured on, read from the machine itself (cores, CPU, memory, load, versions). */
final class BenchMachine {
    private BenchMachine() {}

    static String describe() {
        return String.join(
                "\n",
                "- cores: " + Runtime.getRuntime().availableProcessors() + " (nproc), CPU: "
                        + firstMatching("/proc/cpuinfo", "model name")
                                .map(line ->
                                        line.substring(line.indexOf(':') + 1).trim())
                                .orElse("?")
                        + ", memory: "
                        + firstMatching("/proc/meminfo", "MemTotal:")
                                .map(line -> String.format(
                                        "%.1f GiB", Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0))
                                .orElse("?"),
                "- JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + ", max heap " + Runtime.getRuntime().maxMemory() / 1048576 + " MiB",
                "- PostgreSQL: " + version(EngineCleanup.POSTGRES, "postgres", "show server_version"),
                "- MariaDB: " + version(EngineCleanup.MARIADB, "root", "select version()"),
                "- load average (1, 5, 15 min) at the start: " + loadAverage());
    }

    static String loadAverage() {
        try {
            return String.join(
                    " ",
                    List.of(Files.readString(Path.of("/proc/loadavg")).trim().split(" "))
                            .subList(0, 3));
        } catch (IOException e) {
            return "?";
        }
    }

    private static String version(String url, String user, String sql) {
        try (Connection c = DriverManager.getConnection(url, user, "");
                Statement statement = c.createStatement();
                ResultSet row = statement.executeQuery(sql)) {
            return row.next() ? row.getString(1) : "?";
        } catch (SQLException e) {
            return "not reachable";
        }
    }

    private static Optional<String> firstMatching(String file, String prefix) {
        try {
            return Files.readAllLines(Path.of(file)).stream()
                    .filter(line -> line.startsWith(prefix))
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
