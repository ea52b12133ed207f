package io.dbprovision.api.kinds;

import io.dbprovision.api.field.FieldPath;
import io.dbprovision.proto.v1alpha1.DatabaseBackup;

/** DatabaseBackup: storage, encryption and dump options that must agree. */
final class BackupRules implements KindRules<DatabaseBackup> {
    @Override
    public Class<DatabaseBackup> type() {
        return DatabaseBackup.class;
    }

    @Override
    public void validate(DatabaseBackup object, Findings findings) {
        BackupChecks.backupSpec(object.getSpec(), FieldPath.of("spec"), findings);
    }
}
