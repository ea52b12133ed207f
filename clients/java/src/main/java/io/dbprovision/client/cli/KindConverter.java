package io.dbprovision.client.cli;

import io.dbprovision.client.Kinds;
import io.dbprovision.client.ResourceKind;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --kind} as kubectl names resources: databases, database, db, Database; databaseusers, dbu; … */
final class KindConverter implements ITypeConverter<ResourceKind<?>> {
    @Override
    public ResourceKind<?> convert(String value) {
        return Kinds.byName(value)
                .orElseThrow(() -> new TypeConversionException("unknown kind; one of "
                        + String.join(
                                ", ",
                                Kinds.ALL.stream().map(ResourceKind::plural).toList())));
    }
}
