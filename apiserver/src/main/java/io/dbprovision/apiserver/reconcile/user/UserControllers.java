package io.dbprovision.apiserver.reconcile.user;

import io.dbprovision.apiserver.reconcile.DbopsControllers;

/** The DatabaseUser controller. */
public final class UserControllers {
    private UserControllers() {}

    public static void register(DbopsControllers controllers) {
        // next: UserLogic
    }
}
