package io.dbprovision.api.kinds;

import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.proto.v1alpha1.DatabaseBackupSpec;
import io.dbprovision.proto.v1alpha1.EncryptionConfig;
import io.dbprovision.proto.v1alpha1.PostgresDumpFormat;
import io.dbprovision.proto.v1alpha1.StorageConfig;
import io.dbprovision.proto.v1alpha1.StorageType;

/** Rules shared by backups, schedule templates and restores from a path: storage blocks and encryption keys. */
final class BackupChecks {
    private BackupChecks() {}

    static void backupSpec(DatabaseBackupSpec spec, FieldPath path, Findings findings) {
        if (spec.hasStorage()) {
            storage(spec.getStorage(), path.child("storage"), findings);
        }
        if (spec.hasEncryption()) {
            encryption(spec.getEncryption(), path.child("encryption"), findings);
        }
        if (spec.hasPostgres()) {
            var postgres = spec.getPostgres();
            if (postgres.getDataOnly() && postgres.getSchemaOnly()) {
                findings.error(FieldError.invalid(
                        path.child("postgres").child("schemaOnly"),
                        true,
                        "dataOnly and schemaOnly cannot both be true"));
            }
            if (postgres.getJobs() > 1 && postgres.getFormat() != PostgresDumpFormat.POSTGRES_DUMP_FORMAT_DIRECTORY) {
                findings.error(FieldError.invalid(
                        path.child("postgres").child("jobs"),
                        postgres.getJobs(),
                        "parallel jobs need format directory"));
            }
        }
        if (spec.hasMysql()
                && spec.getMysql().getSingleTransaction()
                && spec.getMysql().getLockTables()) {
            findings.warn(path + ".mysql.lockTables is ignored with singleTransaction");
        }
    }

    /** The block named by {@code type} must be there; the other blocks are ignored. */
    static void storage(StorageConfig storage, FieldPath path, Findings findings) {
        StorageType type = storage.getType();
        boolean present = switch (type) {
            case STORAGE_TYPE_S3 -> storage.hasS3();
            case STORAGE_TYPE_GCS -> storage.hasGcs();
            case STORAGE_TYPE_AZURE -> storage.hasAzure();
            case STORAGE_TYPE_PVC -> storage.hasPvc();
            default -> true; // type itself is reported as required by the schema
        };
        if (!present) {
            String block = type.name().substring("STORAGE_TYPE_".length()).toLowerCase();
            findings.error(FieldError.required(path.child(block), block + " configuration is required"));
        }
    }

    static void encryption(EncryptionConfig encryption, FieldPath path, Findings findings) {
        if (encryption.getEnabled() && !encryption.hasSecretRef()) {
            findings.error(FieldError.required(
                    path.child("secretRef"), "the Secret key holding the 32-byte encryption key is required"));
        }
    }
}
