package io.dbprovision.api.kinds;

import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.proto.v1alpha1.DatabaseRestore;
import io.dbprovision.proto.v1alpha1.RestoreTarget;

/** DatabaseRestore: where to restore to, and an explicit acknowledgement before overwriting in place. */
final class RestoreRules implements KindRules<DatabaseRestore> {
    static final String ACKNOWLEDGEMENT = "I-UNDERSTAND-DATA-LOSS";

    @Override
    public Class<DatabaseRestore> type() {
        return DatabaseRestore.class;
    }

    @Override
    public void validate(DatabaseRestore object, Findings findings) {
        var spec = object.getSpec();
        FieldPath path = FieldPath.of("spec");
        if (spec.hasTarget()) {
            validateTarget(spec.getTarget(), path.child("target"), findings);
            if (spec.getTarget().getInPlace()) {
                String acknowledged = spec.getConfirmation().getAcknowledgeDataLoss();
                FieldPath ack = path.child("confirmation").child("acknowledgeDataLoss");
                if (acknowledged.isEmpty()) {
                    findings.error(FieldError.required(ack, "must be " + ACKNOWLEDGEMENT + " to restore in place"));
                } else if (!acknowledged.equals(ACKNOWLEDGEMENT)) {
                    findings.error(FieldError.invalid(
                            ack, acknowledged, "must be " + ACKNOWLEDGEMENT + " to restore in place"));
                }
            }
        }
        if (spec.hasFromPath()) {
            var from = spec.getFromPath();
            if (from.hasStorage()) {
                BackupChecks.storage(from.getStorage(), path.child("fromPath").child("storage"), findings);
            }
            if (from.hasEncryption()) {
                BackupChecks.encryption(
                        from.getEncryption(), path.child("fromPath").child("encryption"), findings);
            }
        }
        if (spec.hasPostgres()
                && spec.getPostgres().getDataOnly()
                && spec.getPostgres().getSchemaOnly()) {
            findings.error(FieldError.invalid(
                    path.child("postgres").child("schemaOnly"), true, "dataOnly and schemaOnly cannot both be true"));
        }
    }

    private static void validateTarget(RestoreTarget target, FieldPath path, Findings findings) {
        boolean instance = target.hasInstanceRef() || target.hasClusterInstanceRef();
        if (target.getInPlace()) {
            if (!target.hasDatabaseRef() && !instance) {
                findings.error(FieldError.required(
                        path.child("databaseRef"), "an in-place restore needs the Database to overwrite"));
            }
            if (instance && target.getDatabaseName().isEmpty() && !target.hasDatabaseRef()) {
                findings.error(FieldError.required(path.child("databaseName"), "the database to overwrite"));
            }
            return;
        }
        if (!instance) {
            findings.error(FieldError.required(
                    path.child("instanceRef"),
                    "either instanceRef or clusterInstanceRef must be specified, or inPlace with databaseRef"));
        }
        if (target.getDatabaseName().isEmpty()) {
            findings.error(FieldError.required(path.child("databaseName"), "the database to restore into"));
        }
    }
}
