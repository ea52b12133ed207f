package io.dbprovision.client.cli;

import io.dbprovision.client.DbProvisionClient;
import picocli.CommandLine.Option;

/** {@code -n/--namespace} and how a command resolves it: the flag, else the context's namespace, else default. */
final class NamespaceOption {
    @Option(
            names = {"-n", "--namespace"},
            description = "Namespace (default: the context's, else default).")
    String namespace;

    /** The namespace the command works in. */
    String resolve(DbProvisionClient client) {
        if (namespace != null && !namespace.isEmpty()) {
            return namespace;
        }
        return client.defaultNamespace().orElse("default");
    }
}
