package io.dbprovision.api.kinds;

import io.dbprovision.api.field.FieldPath;
import io.dbprovision.proto.v1alpha1.DatabaseBackupSchedule;

/** DatabaseBackupSchedule: its template must make valid backups. */
final class BackupScheduleRules implements KindRules<DatabaseBackupSchedule> {
    @Override
    public Class<DatabaseBackupSchedule> type() {
        return DatabaseBackupSchedule.class;
    }

    @Override
    public void validate(DatabaseBackupSchedule object, Findings findings) {
        var template = object.getSpec().getTemplate();
        if (template.hasSpec()) {
            BackupChecks.backupSpec(template.getSpec(), FieldPath.of("spec.template.spec"), findings);
        }
    }
}
