package io.dbprovision.client.cli;

import io.dbprovision.client.DbProvisionClient;
import io.dbprovision.client.ListOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code list}: the objects of a kind (Databases by default), every page. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List objects (Databases by default).")
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    CliMain main;

    @Mixin
    ListScope scope;

    @Option(names = "--page-size", defaultValue = "0", description = "Objects per call (default: the server's).")
    int pageSize;

    @Override
    public Integer call() {
        try (DbProvisionClient client = main.client()) {
            ListOptions options = scope.options(client).pageSize(pageSize);
            main.output().objects(scope.kind(), client.resources(scope.kind()).list(options));
            return ExitCodes.OK;
        }
    }
}
