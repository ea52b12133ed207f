package io.dbprovision.apiserver.reconcile;

import java.util.Set;

/**
 * The roles that DatabaseGrants and ClusterDatabaseGrants give a grantee on one instance. A user's or role's own
 * spec does not list them, yet they are not drift: the grant owns them (and revokes them when it goes), so a drift
 * check neither reports them as extra memberships nor revokes them.
 */
@FunctionalInterface
public interface GrantedRoles {
    GrantedRoles NONE = (grantee, instance) -> Set.of();

    Set<String> of(String grantee, InstanceKey instance);
}
