package io.dbprovision.apiserver.portal;

import io.dbprovision.apiserver.reconcile.Engines;
import io.dbprovision.proto.portal.v1alpha1.AccessProfile;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.MySQLGrant;
import io.dbprovision.proto.v1alpha1.MySQLGrantConfig;
import io.dbprovision.proto.v1alpha1.MySQLGrantLevel;
import io.dbprovision.proto.v1alpha1.PostgresGrant;
import io.dbprovision.proto.v1alpha1.PostgresGrantConfig;
import java.util.List;

/**
 * What an access profile grants on one database, per engine family, as DatabaseGrant specs. On PostgreSQL the grants
 * are on the database and its {@code public} schema (the schema every new database has); "owner" is every privilege
 * rather than ownership of the database, so that the Database need not wait for the user to exist. Tables created
 * later by another role are not covered (no default privileges: whose tables they will be is not known here).
 */
final class AccessProfiles {
    private AccessProfiles() {}

    static PostgresGrantConfig postgres(AccessProfile profile, String database) {
        List<String> onDatabase = switch (profile) {
            case OWNER -> List.of("CONNECT", "CREATE", "TEMPORARY");
            case READ_WRITE -> List.of("CONNECT", "TEMPORARY");
            default -> List.of("CONNECT");
        };
        List<String> onSchema = profile == AccessProfile.OWNER ? List.of("USAGE", "CREATE") : List.of("USAGE");
        List<String> onTables = switch (profile) {
            case OWNER -> List.of("ALL PRIVILEGES");
            case READ_WRITE -> List.of("SELECT", "INSERT", "UPDATE", "DELETE");
            default -> List.of("SELECT");
        };
        PostgresGrantConfig.Builder config = PostgresGrantConfig.newBuilder()
                .addGrants(PostgresGrant.newBuilder().setDatabase(database).addAllPrivileges(onDatabase))
                .addGrants(PostgresGrant.newBuilder()
                        .setDatabase(database)
                        .setSchema("public")
                        .addAllPrivileges(onSchema))
                .addGrants(PostgresGrant.newBuilder()
                        .setDatabase(database)
                        .setSchema("public")
                        .addTables("*")
                        .addAllPrivileges(onTables));
        if (profile != AccessProfile.READ_ONLY) {
            config.addGrants(PostgresGrant.newBuilder()
                    .setDatabase(database)
                    .setSchema("public")
                    .addSequences("*")
                    .addAllPrivileges(
                            profile == AccessProfile.OWNER ? List.of("ALL PRIVILEGES") : List.of("USAGE", "SELECT")));
        }
        return config.build();
    }

    static MySQLGrantConfig mysql(AccessProfile profile, String database) {
        List<String> privileges = switch (profile) {
            case OWNER -> List.of("ALL PRIVILEGES");
            case READ_WRITE -> List.of("SELECT", "INSERT", "UPDATE", "DELETE");
            default -> List.of("SELECT");
        };
        return MySQLGrantConfig.newBuilder()
                .addGrants(MySQLGrant.newBuilder()
                        .setLevel(MySQLGrantLevel.MYSQL_GRANT_LEVEL_DATABASE)
                        .setDatabase(database)
                        .addAllPrivileges(privileges))
                .build();
    }

    static boolean supported(EngineType engine) {
        return Engines.postgresFamily(engine) || Engines.mysqlFamily(engine);
    }

    /** {@code read-write} for READ_WRITE: how the profile appears in default names. */
    static String slug(AccessProfile profile) {
        return profile.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
