package io.dbprovision.apiserver.reconcile;

/**
 * The controllers of users, roles and grants, added to {@link DbopsControllers}. Kept apart so those kinds' logic
 * can grow without touching the assembly of the others.
 */
final class KindControllers {
    private KindControllers() {}

    static void addUsersRolesAndGrants(DbopsControllers controllers) {
        // users, roles and grants come next
    }
}
