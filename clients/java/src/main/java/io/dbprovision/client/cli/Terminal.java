package io.dbprovision.client.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the CLI writes and what it reads of its surroundings: standard output (results) and error (progress and
 * errors), whether output is a terminal (then progress rewrites one line; otherwise one line per change), the
 * environment and the home directory. Tests pass their own to run the CLI in-process.
 */
public record Terminal(
        PrintWriter out, PrintWriter err, boolean interactive, Map<String, String> environment, Path home) {

    /** This process's streams, environment and home. */
    public static Terminal system() {
        return new Terminal(
                new PrintWriter(System.out, true),
                new PrintWriter(System.err, true),
                isTerminal(),
                System.getenv(),
                Path.of(System.getProperty("user.home")));
    }

    /**
     * Whether standard output is a terminal: {@code Console.isTerminal()} where the JDK has it (22+, whose {@code
     * System.console()} is no longer null when output is redirected), else whether there is a console at all.
     */
    private static boolean isTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
