package io.dbprovision.client.cli;

import io.dbprovision.client.DbProvisionClient;
import io.dbprovision.client.ResourceKind;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code delete}: requests deletion of an object (Databases by default); finalizers then drop it on the server. */
@Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete an object (a Database by default).")
final class DeleteCommand implements Callable<Integer> {
    @ParentCommand
    CliMain main;

    @Parameters(index = "0", paramLabel = "NAME", description = "Name of the object.")
    String name;

    @Option(
            names = {"-k", "--kind"},
            defaultValue = "databases",
            converter = KindConverter.class,
            description = "The kind (default: ${DEFAULT-VALUE}).")
    ResourceKind<?> kind;

    @Option(
            names = {"-n", "--namespace"},
            description = "Namespace (default: the context's, else default).")
    String namespace;

    @Option(names = "--dry-run", description = "Check and admit the deletion without doing it.")
    boolean dryRun;

    @Override
    public Integer call() {
        try (DbProvisionClient client = main.client()) {
            String in = kind.namespaced() ? main.namespace(namespace, client) : "";
            client.resources(kind).delete(in, name, "", dryRun);
            main.terminal
                    .out()
                    .println(kind.schema().singular() + "." + kind.schema().group() + " \"" + Table.printable(name)
                            + "\" deleted" + (dryRun ? " (dry run)" : ""));
            main.terminal.out().flush();
            return ExitCodes.OK;
        }
    }
}
