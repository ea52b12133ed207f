package io.dbprovision.apiserver.registry;

/**
 * Options of a create, update or patch.
 *
 * @param dryRun run defaulting, validation and admission, persist nothing
 * @param fieldManager who makes the change (recorded in managedFields)
 */
public record WriteOptions(boolean dryRun, String fieldManager) {
    public static final WriteOptions DEFAULT = new WriteOptions(false, "");
}
