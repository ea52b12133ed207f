package io.dbprovision.apiserver.reconcile.grant;

import io.dbprovision.apiserver.reconcile.EngineCalls;
import io.dbprovision.apiserver.reconcile.Engines;
import io.dbprovision.apiserver.reconcile.Instances;
import io.dbprovision.proto.engine.v1alpha1.GrantSet;
import io.dbprovision.proto.engine.v1alpha1.RevokeGrantsRequest;
import java.util.List;

/**
 * Takes privileges back through the provisioner, for a grant whose spec or grantee changed and for a role whose spec
 * dropped some: one RevokeGrants call with the engine's half of the blocks, or none when that half is empty.
 */
final class Revocation {
    private Revocation() {}

    /** Revokes {@code blocks} from {@code grantee} (on {@code hosts}, MySQL accounts); true when the server changed. */
    static boolean revoke(
            EngineCalls engine,
            Instances.Resolved instance,
            String grantee,
            List<String> hosts,
            GrantBlocks blocks,
            String what) {
        GrantSet.Builder set = GrantSet.newBuilder().setGrantee(grantee).addAllGranteeHosts(hosts);
        if (Engines.postgresFamily(instance.engine())
                && !blocks.postgres().equals(blocks.postgres().getDefaultInstanceForType())) {
            set.setPostgres(blocks.postgres());
        } else if (Engines.mysqlFamily(instance.engine())
                && !blocks.mysql().equals(blocks.mysql().getDefaultInstanceForType())) {
            set.setMysql(blocks.mysql());
        } else {
            return false;
        }
        return engine.call(
                        what,
                        stub -> stub.revokeGrants(RevokeGrantsRequest.newBuilder()
                                .setInstance(instance.connection())
                                .setGrants(set)
                                .build()))
                .getChanged();
    }
}
