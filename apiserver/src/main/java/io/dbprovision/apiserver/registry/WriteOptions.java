package io.dbprovision.apiserver.registry;

/**
 * Options of a create, update or patch.
 *
 * @param dryRun run defaulting, validation and admission, persist nothing
 * @param fieldManager who makes the change (recorded in managedFields)
 * @param applied the object's managedFields were computed by server-side apply: store them as they are instead of
 *     recording the write as an Update of {@code fieldManager}
 */
public record WriteOptions(boolean dryRun, String fieldManager, boolean applied) {
    public static final WriteOptions DEFAULT = new WriteOptions(false, "");

    public WriteOptions(boolean dryRun, String fieldManager) {
        this(dryRun, fieldManager, false);
    }

    /** These options for a server-side apply. */
    public WriteOptions asApply() {
        return new WriteOptions(dryRun, fieldManager, true);
    }
}
