package io.dbprovision.client.cli;

import io.dbprovision.client.DbProvisionClient;
import io.dbprovision.client.ListOptions;
import io.dbprovision.client.ResourceKind;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Which objects {@code list} and {@code watch} see: a kind, a namespace or all of them, a label selector. */
final class ListScope {
    @Mixin
    KindOption kind;

    @Mixin
    NamespaceOption namespace;

    @Option(
            names = {"-A", "--all-namespaces"},
            description = "Across all namespaces; the server then needs the caller to be allowed to list (and, for"
                    + " watch, watch) the kind cluster-wide, not only in some namespaces.")
    boolean allNamespaces;

    @Option(
            names = {"-l", "--selector"},
            description = "Label selector, such as team=payments,tier!=dev.")
    String selector;

    ResourceKind<?> kind() {
        return kind.kind;
    }

    /** List options for the scope: every page, the selector, and the namespace unless all or cluster-scoped. */
    ListOptions options(DbProvisionClient client) {
        ListOptions options = ListOptions.all().labelSelector(selector);
        if (kind.kind.namespaced() && !allNamespaces) {
            options = options.namespace(namespace.resolve(client));
        }
        return options;
    }
}
