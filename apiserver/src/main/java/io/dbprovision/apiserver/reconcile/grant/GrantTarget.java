package io.dbprovision.apiserver.reconcile.grant;

import com.google.protobuf.Message;
import io.dbprovision.apiserver.reconcile.InstanceKey;
import io.dbprovision.proto.v1alpha1.GrantTargetType;
import java.util.List;

/**
 * Who a grant is for, as found: a DatabaseUser (grantee its {@code spec.username}, MySQL hosts its
 * {@code spec.mysql.allowedHosts}) or a DatabaseRole / ClusterDatabaseRole (grantee its {@code spec.roleName}, no
 * hosts: the role itself), and the instance it lives on, which is where the grant applies.
 *
 * @param namespace the target's namespace; empty for a ClusterDatabaseRole
 * @param instance the instance the target names; null when its spec names none
 */
record GrantTarget(
        GrantTargetType type,
        String kind,
        String namespace,
        String name,
        Message object,
        String grantee,
        List<String> hosts,
        InstanceKey instance) {

    boolean user() {
        return type == GrantTargetType.GRANT_TARGET_TYPE_USER;
    }

    /** {@code DatabaseUser team-a/app}, {@code ClusterDatabaseRole readers}. */
    String describe() {
        return namespace.isEmpty() ? kind + " " + name : kind + " " + namespace + "/" + name;
    }
}
