package io.dbprovision.apiserver.reconcile.user;

import io.dbprovision.apiserver.reconcile.Engines;
import io.dbprovision.apiserver.reconcile.Instances;
import io.dbprovision.proto.engine.v1alpha1.RoleDefinition;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.v1alpha1.DatabaseUser;
import io.dbprovision.proto.v1alpha1.PostgresRoleConfig;
import io.dbprovision.proto.v1alpha1.PostgresUserConfig;
import java.util.LinkedHashSet;
import java.util.Set;

/** The provisioner's definitions of a DatabaseUser's users and of its rotation's service role. */
final class UserDefinitions {
    private UserDefinitions() {}

    /**
     * {@code spec.username} with the spec's block for the instance's engine family; {@code password} empty means "no
     * opinion" (a new user gets none, an existing one keeps its own).
     */
    static UserDefinition base(DatabaseUser user, Instances.Resolved instance, String password) {
        UserDefinition.Builder definition = UserDefinition.newBuilder()
                .setName(user.getSpec().getUsername())
                .setPassword(password);
        if (Engines.postgresFamily(instance.engine()) && user.getSpec().hasPostgres()) {
            definition.setPostgres(user.getSpec().getPostgres());
        }
        if (Engines.mysqlFamily(instance.engine()) && user.getSpec().hasMysql()) {
            definition.setMysql(user.getSpec().getMysql());
        }
        return definition.build();
    }

    /** Just the name, to observe a user without comparing anything but what the engine always reports. */
    static UserDefinition named(String name) {
        return UserDefinition.newBuilder().setName(name).build();
    }

    /**
     * A user a rotation creates (PostgreSQL family): the spec's attributes, LOGIN INHERIT, and membership in the
     * service role and in the base user, so that grants made to the DatabaseUser reach whichever user holds the
     * credential.
     */
    static UserDefinition rotated(DatabaseUser user, String name, String password, String serviceRole) {
        PostgresUserConfig spec = user.getSpec().getPostgres();
        Set<String> roles = new LinkedHashSet<>(spec.getInRolesList());
        roles.add(serviceRole);
        roles.add(user.getSpec().getUsername());
        PostgresUserConfig postgres = spec.toBuilder()
                .setLogin(true)
                .setInherit(true)
                .clearInRoles()
                .addAllInRoles(roles)
                .build();
        return UserDefinition.newBuilder()
                .setName(name)
                .setPassword(password)
                .setPostgres(postgres)
                .build();
    }

    /** A retired rotated user that may no longer log in (oldUserPolicy disable). */
    static UserDefinition disabled(String name) {
        return UserDefinition.newBuilder()
                .setName(name)
                .setPostgres(PostgresUserConfig.newBuilder().setLogin(false))
                .build();
    }

    /** The service role rotated users inherit from: NOLOGIN INHERIT. */
    static RoleDefinition serviceRole(String name) {
        return RoleDefinition.newBuilder()
                .setName(name)
                .setPostgres(PostgresRoleConfig.newBuilder().setLogin(false).setInherit(true))
                .build();
    }
}
