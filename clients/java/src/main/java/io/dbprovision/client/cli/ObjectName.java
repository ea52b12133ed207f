package io.dbprovision.client.cli;

import io.dbprovision.client.DbProvisionClient;
import io.dbprovision.client.ResourceKind;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** One object a command acts on: {@code NAME}, {@code --kind} and, for a namespaced kind, {@code --namespace}. */
final class ObjectName {
    @Parameters(index = "0", paramLabel = "NAME", description = "Name of the object.")
    String name;

    @Mixin
    KindOption kind;

    @Mixin
    NamespaceOption namespace;

    ResourceKind<?> kind() {
        return kind.kind;
    }

    /** The object's namespace: empty for a cluster-scoped kind, which ignores {@code -n}. */
    String namespaceIn(DbProvisionClient client) {
        return kind.kind.namespaced() ? namespace.resolve(client) : "";
    }
}
