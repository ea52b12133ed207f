package io.dbprovision.client.cli;

/** {@code -o}: human tables (the default), or the objects as Kubernetes JSON or YAML, exactly as kubectl prints them. */
enum OutputFormat {
    table,
    json,
    yaml
}
