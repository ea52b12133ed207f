package io.dbprovision.provisioner.engine.postgres;

import io.dbprovision.proto.v1alpha1.PostgresDatabaseConfig;

/** The create-time options of CREATE DATABASE; empty strings and nulls are left out of the statement. */
public record DatabaseOptions(
        String owner,
        String template,
        String encoding,
        String lcCollate,
        String lcCtype,
        String tablespace,
        Integer connectionLimit,
        Boolean isTemplate) {

    public static DatabaseOptions of(String owner, PostgresDatabaseConfig config) {
        return new DatabaseOptions(
                owner,
                config.getTemplate(),
                config.getEncoding(),
                config.getLcCollate(),
                config.getLcCtype(),
                config.getTablespace(),
                config.hasConnectionLimit() ? config.getConnectionLimit() : null,
                config.hasIsTemplate() ? config.getIsTemplate() : null);
    }
}
