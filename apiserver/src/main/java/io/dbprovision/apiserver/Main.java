package io.dbprovision.apiserver;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the server binary; each mode is a subcommand. */
@Command(
        name = "dbprovision",
        mixinStandardHelpOptions = true,
        versionProvider = BuildInfo.class,
        description = "Self-service databases: the dbops.dbprovision.io API server.",
        subcommands = {StandaloneCommand.class, ServeCommand.class, RewriteSecretsCommand.class, VersionCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        // jOOQ prints a banner and tips on first use; a server's log is no place for them.
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
