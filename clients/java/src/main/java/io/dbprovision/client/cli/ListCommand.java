package io.dbprovision.client.cli;

import io.dbprovision.client.DbProvisionClient;
import io.dbprovision.client.ListOptions;
import io.dbprovision.client.ResourceKind;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code list}: the objects of a kind (Databases by default), every page. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List objects (Databases by default).")
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    CliMain main;

    @Option(
            names = {"-k", "--kind"},
            defaultValue = "databases",
            converter = KindConverter.class,
            description = "The kind: databases, databaseusers (dbu), databasegrants, databaseinstances, … as kubectl"
                    + " names them (default: ${DEFAULT-VALUE}).")
    ResourceKind<?> kind;

    @Option(
            names = {"-n", "--namespace"},
            description = "Namespace (default: the context's, else default).")
    String namespace;

    @Option(
            names = {"-A", "--all-namespaces"},
            description = "List in every namespace the caller may list.")
    boolean allNamespaces;

    @Option(
            names = {"-l", "--selector"},
            description = "Label selector, such as team=payments,tier!=dev.")
    String selector;

    @Option(names = "--page-size", defaultValue = "0", description = "Objects per call (default: the server's).")
    int pageSize;

    @Override
    public Integer call() {
        try (DbProvisionClient client = main.client()) {
            ListOptions options = ListOptions.all().labelSelector(selector).pageSize(pageSize);
            if (kind.namespaced() && !allNamespaces) {
                options = options.namespace(main.namespace(namespace, client));
            }
            main.output().objects(kind, client.resources(kind).list(options));
            return ExitCodes.OK;
        }
    }
}
