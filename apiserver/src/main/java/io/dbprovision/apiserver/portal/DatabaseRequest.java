package io.dbprovision.apiserver.portal;

import io.dbprovision.apiserver.reconcile.Engines;
import io.dbprovision.proto.portal.v1alpha1.AccessProfile;
import io.dbprovision.proto.portal.v1alpha1.RequestDatabaseRequest;
import io.dbprovision.proto.v1alpha1.ClusterInstanceReference;
import io.dbprovision.proto.v1alpha1.Database;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseGrantSpec;
import io.dbprovision.proto.v1alpha1.DatabaseSpec;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.DatabaseUserSpec;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.InstanceReference;
import io.dbprovision.proto.v1alpha1.LocalObjectReference;
import io.dbprovision.proto.v1alpha1.ObjectMeta;

/**
 * A RequestDatabase call, checked, and the three objects it stands for: a Database, a DatabaseUser (its password
 * generated into {@code <username>-credentials}) and a DatabaseGrant of the access profile, all in the request's
 * namespace with its labels. Names: the database on the server is the object's name with '-' as '_' unless
 * {@code database_name} says otherwise; the user object is {@code {database}-{profile}} unless named, its name on the
 * server the same with '-' as '_'; the grant has the user's name.
 */
record DatabaseRequest(
        String namespace,
        Instance instance,
        String database,
        String databaseName,
        AccessProfile profile,
        String user,
        RequestDatabaseRequest request) {

    /** Where the database goes: a DatabaseInstance (maybe in another namespace) or a ClusterDatabaseInstance. */
    record Instance(boolean cluster, String namespace, String name) {}

    static DatabaseRequest of(RequestDatabaseRequest request) {
        String namespace = ResourceNames.checkNamespace("namespace", request.getNamespace());
        Instance instance = instance(namespace, request.getInstance());
        if (request.getDatabase().isEmpty()) {
            throw new InvalidArgument("database", "required: the name of the Database object");
        }
        String database = ResourceNames.checkNamespace("database", request.getDatabase());
        String databaseName =
                request.getDatabaseName().isEmpty() ? database.replace('-', '_') : request.getDatabaseName();
        AccessProfile profile = switch (request.getProfile()) {
            case ACCESS_PROFILE_UNSPECIFIED -> AccessProfile.READ_WRITE;
            case OWNER, READ_WRITE, READ_ONLY -> request.getProfile();
            default -> throw new InvalidArgument("profile", "unknown access profile " + request.getProfileValue());
        };
        String user = request.getUser().isEmpty() ? database + "-" + AccessProfiles.slug(profile) : request.getUser();
        ResourceNames.checkName("user", user);
        if (user.length() > 63) {
            throw new InvalidArgument("user", "at most 63 characters (name the user, or shorten the database)");
        }
        return new DatabaseRequest(namespace, instance, database, databaseName, profile, user, request);
    }

    private static Instance instance(String namespace, String instance) {
        if (instance.isEmpty()) {
            throw new InvalidArgument("instance", "required: a DatabaseInstance name or a resource name");
        }
        String[] parts = instance.split("/", -1);
        if (parts.length == 1) {
            return new Instance(false, namespace, ResourceNames.checkName("instance", instance));
        }
        if (parts.length == 2 && parts[0].equals("clusterdatabaseinstances")) {
            return new Instance(true, "", ResourceNames.checkName("instance", parts[1]));
        }
        if (parts.length == 4 && parts[0].equals("namespaces") && parts[2].equals("databaseinstances")) {
            return new Instance(
                    false,
                    ResourceNames.checkNamespace("instance", parts[1]),
                    ResourceNames.checkName("instance", parts[3]));
        }
        throw new InvalidArgument(
                "instance",
                "\"" + InvalidArgument.printable(instance) + "\" is neither a name nor \"namespaces/{namespace}/"
                        + "databaseinstances/{name}\" nor \"clusterdatabaseinstances/{name}\"");
    }

    String username() {
        return user.replace('-', '_');
    }

    private ObjectMeta meta(String name) {
        return ObjectMeta.newBuilder()
                .setName(name)
                .setNamespace(namespace)
                .putAllLabels(request.getLabelsMap())
                .build();
    }

    Database databaseObject() {
        DatabaseSpec.Builder spec = DatabaseSpec.newBuilder().setName(databaseName);
        if (instance.cluster()) {
            spec.setClusterInstanceRef(ClusterInstanceReference.newBuilder().setName(instance.name()));
        } else {
            spec.setInstanceRef(instanceRef());
        }
        return Database.newBuilder().setMetadata(meta(database)).setSpec(spec).build();
    }

    DatabaseUser userObject() {
        DatabaseUserSpec.Builder spec = DatabaseUserSpec.newBuilder().setUsername(username());
        if (instance.cluster()) {
            spec.setClusterInstanceRef(ClusterInstanceReference.newBuilder().setName(instance.name()));
        } else {
            spec.setInstanceRef(instanceRef());
        }
        return DatabaseUser.newBuilder().setMetadata(meta(user)).setSpec(spec).build();
    }

    DatabaseGrant grantObject(EngineType engine) {
        DatabaseGrantSpec.Builder spec = DatabaseGrantSpec.newBuilder()
                .setUserRef(LocalObjectReference.newBuilder().setName(user))
                .setDatabaseRef(LocalObjectReference.newBuilder().setName(database));
        if (Engines.mysqlFamily(engine)) {
            spec.setMysql(AccessProfiles.mysql(profile, databaseName));
        } else {
            spec.setPostgres(AccessProfiles.postgres(profile, databaseName));
        }
        return DatabaseGrant.newBuilder().setMetadata(meta(user)).setSpec(spec).build();
    }

    private InstanceReference instanceRef() {
        InstanceReference.Builder ref = InstanceReference.newBuilder().setName(instance.name());
        if (!instance.namespace().equals(namespace)) {
            ref.setNamespace(instance.namespace());
        }
        return ref.build();
    }
}
