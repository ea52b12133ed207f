package io.dbprovision.client.cli;

import io.dbprovision.client.DbProvisionClient;
import io.dbprovision.client.ResourceKind;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code delete}: requests deletion of an object (Databases by default); finalizers then drop it on the server. */
@Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete an object (a Database by default).")
final class DeleteCommand implements Callable<Integer> {
    @ParentCommand
    CliMain main;

    @Mixin
    ObjectName object;

    @Option(names = "--dry-run", description = "Check and admit the deletion without doing it.")
    boolean dryRun;

    @Override
    public Integer call() {
        try (DbProvisionClient client = main.client()) {
            ResourceKind<?> kind = object.kind();
            client.resources(kind).delete(object.namespaceIn(client), object.name, "", dryRun);
            main.terminal
                    .out()
                    .println(kind.schema().singular() + "." + kind.schema().group() + " \""
                            + Table.printable(object.name) + "\" deleted" + (dryRun ? " (dry run)" : ""));
            main.terminal.out().flush();
            return ExitCodes.OK;
        }
    }
}
