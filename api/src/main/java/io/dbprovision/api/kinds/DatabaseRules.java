package io.dbprovision.api.kinds;

import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseSpec;
import io.dbprovision.proto.v1alpha1.PostgresOwnershipConfig;

/** Database: the engine-side name defaults to the object's name; automatic ownership names its role and user. */
final class DatabaseRules implements KindRules<Database> {
    private static final int MAX_IDENTIFIER = 63;

    @Override
    public Class<Database> type() {
        return Database.class;
    }

    @Override
    public Database defaults(Database object) {
        DatabaseSpec.Builder spec = object.getSpec().toBuilder();
        if (spec.getName().isEmpty() && !object.getMetadata().getName().isEmpty()) {
            spec.setName(engineName(object.getMetadata().getName()));
        }
        if (spec.hasPostgres() && spec.getPostgres().hasOwnership()) {
            PostgresOwnershipConfig ownership = spec.getPostgres().getOwnership();
            if (ownership.getAutoOwnership() && !spec.getName().isEmpty()) {
                PostgresOwnershipConfig.Builder filled = ownership.toBuilder();
                if (filled.getRoleName().isEmpty()) {
                    filled.setRoleName(truncate("db_" + spec.getName() + "_owner"));
                }
                if (filled.getUserName().isEmpty()) {
                    filled.setUserName(truncate("db_" + spec.getName() + "_app"));
                }
                spec.getPostgresBuilder().setOwnership(filled);
            }
        }
        return object.toBuilder().setSpec(spec).build();
    }

    @Override
    public void validate(Database object, Findings findings) {
        if (object.hasSpec() && object.getSpec().getName().isEmpty()) {
            findings.error(FieldError.required(FieldPath.of("spec.name"), "the database name on the engine"));
        }
    }

    /**
     * A Kubernetes name made into an engine identifier: {@code my-app.db} becomes {@code my_app_db}, since names may
     * hold '-' and '.' and identifiers may not.
     */
    static String engineName(String objectName) {
        return objectName.replace('-', '_').replace('.', '_');
    }

    private static String truncate(String name) {
        return name.length() <= MAX_IDENTIFIER ? name : name.substring(0, MAX_IDENTIFIER);
    }
}
