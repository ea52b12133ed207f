package io.dbprovision.apiserver.reconcile.grant;

import io.dbprovision.apiserver.reconcile.DbopsControllers;

/** The controllers of DatabaseRole, ClusterDatabaseRole, DatabaseGrant and ClusterDatabaseGrant. */
public final class GrantControllers {
    private GrantControllers() {}

    public static void register(DbopsControllers controllers) {
        // next: RoleLogic, GrantLogic
    }
}
