package io.dbprovision.client;

import io.dbprovision.proto.portal.v1alpha1.ClusterDatabaseGrantsServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.ClusterDatabaseInstancesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.ClusterDatabaseRolesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DatabaseBackupSchedulesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DatabaseBackupsServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DatabaseGrantsServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DatabaseInstancesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DatabaseRestoresServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DatabaseRolesServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DatabaseUsersServiceGrpc;
import io.dbprovision.proto.portal.v1alpha1.DatabasesServiceGrpc;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseGrant;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseInstance;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseRole;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseBackup;
import io.dbprovision.proto.v1alpha1.DatabaseBackupSchedule;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseRestore;
import io.dbprovision.proto.v1alpha1.DatabaseRole;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import java.util.List;
import java.util.Optional;

/** The eleven kinds of {@code dbops.dbprovision.io/v1alpha1}, each bound to its generated service. */
public final class Kinds {
    public static final ResourceKind<DatabaseInstance> DATABASE_INSTANCES =
            ResourceKind.of(DatabaseInstancesServiceGrpc.getServiceDescriptor(), DatabaseInstance.getDefaultInstance());
    public static final ResourceKind<ClusterDatabaseInstance> CLUSTER_DATABASE_INSTANCES = ResourceKind.of(
            ClusterDatabaseInstancesServiceGrpc.getServiceDescriptor(), ClusterDatabaseInstance.getDefaultInstance());
    public static final ResourceKind<Database> DATABASES =
            ResourceKind.of(DatabasesServiceGrpc.getServiceDescriptor(), Database.getDefaultInstance());
    public static final ResourceKind<DatabaseUser> DATABASE_USERS =
            ResourceKind.of(DatabaseUsersServiceGrpc.getServiceDescriptor(), DatabaseUser.getDefaultInstance());
    public static final ResourceKind<DatabaseRole> DATABASE_ROLES =
            ResourceKind.of(DatabaseRolesServiceGrpc.getServiceDescriptor(), DatabaseRole.getDefaultInstance());
    public static final ResourceKind<ClusterDatabaseRole> CLUSTER_DATABASE_ROLES = ResourceKind.of(
            ClusterDatabaseRolesServiceGrpc.getServiceDescriptor(), ClusterDatabaseRole.getDefaultInstance());
    public static final ResourceKind<DatabaseGrant> DATABASE_GRANTS =
            ResourceKind.of(DatabaseGrantsServiceGrpc.getServiceDescriptor(), DatabaseGrant.getDefaultInstance());
    public static final ResourceKind<ClusterDatabaseGrant> CLUSTER_DATABASE_GRANTS = ResourceKind.of(
            ClusterDatabaseGrantsServiceGrpc.getServiceDescriptor(), ClusterDatabaseGrant.getDefaultInstance());
    public static final ResourceKind<DatabaseBackup> DATABASE_BACKUPS =
            ResourceKind.of(DatabaseBackupsServiceGrpc.getServiceDescriptor(), DatabaseBackup.getDefaultInstance());
    public static final ResourceKind<DatabaseBackupSchedule> DATABASE_BACKUP_SCHEDULES = ResourceKind.of(
            DatabaseBackupSchedulesServiceGrpc.getServiceDescriptor(), DatabaseBackupSchedule.getDefaultInstance());
    public static final ResourceKind<DatabaseRestore> DATABASE_RESTORES =
            ResourceKind.of(DatabaseRestoresServiceGrpc.getServiceDescriptor(), DatabaseRestore.getDefaultInstance());

    /** Every kind, in the schema's order. */
    public static final List<ResourceKind<?>> ALL = List.of(
            DATABASE_INSTANCES,
            CLUSTER_DATABASE_INSTANCES,
            DATABASES,
            DATABASE_USERS,
            DATABASE_ROLES,
            CLUSTER_DATABASE_ROLES,
            DATABASE_GRANTS,
            CLUSTER_DATABASE_GRANTS,
            DATABASE_BACKUPS,
            DATABASE_BACKUP_SCHEDULES,
            DATABASE_RESTORES);

    private Kinds() {}

    /**
     * The kind a user names as kubectl accepts it: plural ({@code databases}), singular ({@code database}), a short
     * name ({@code db}) or the kind ({@code Database}), case-insensitive.
     */
    public static Optional<ResourceKind<?>> byName(String name) {
        String wanted = name.strip().toLowerCase(java.util.Locale.ROOT);
        for (ResourceKind<?> kind : ALL) {
            var schema = kind.schema();
            if (schema.plural().equals(wanted)
                    || schema.singular().equals(wanted)
                    || schema.kind().toLowerCase(java.util.Locale.ROOT).equals(wanted)
                    || schema.shortNames().contains(wanted)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
