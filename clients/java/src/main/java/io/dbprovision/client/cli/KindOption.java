package io.dbprovision.client.cli;

import io.dbprovision.client.ResourceKind;
import picocli.CommandLine.Option;

/** {@code -k/--kind}: the kind a command works on, Databases unless told otherwise. */
final class KindOption {
    @Option(
            names = {"-k", "--kind"},
            defaultValue = "databases",
            converter = KindConverter.class,
            description = "The kind: databases, databaseusers (dbu), databasegrants, databaseinstances, … as kubectl"
                    + " names them (default: ${DEFAULT-VALUE}).")
    ResourceKind<?> kind;
}
