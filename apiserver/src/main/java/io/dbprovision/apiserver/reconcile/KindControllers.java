package io.dbprovision.apiserver.reconcile;

import io.dbprovision.apiserver.reconcile.grant.GrantControllers;
import io.dbprovision.apiserver.reconcile.user.UserControllers;

/**
 * The controllers of users, roles and grants, added to {@link DbopsControllers}: each kind's package registers its
 * own, so those kinds' logic can grow without touching the assembly of the others.
 */
final class KindControllers {
    private KindControllers() {}

    static void addUsersRolesAndGrants(DbopsControllers controllers) {
        UserControllers.register(controllers, GrantControllers.grantedRoles(controllers));
        GrantControllers.register(controllers);
    }
}
