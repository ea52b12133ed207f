package io.dbprovision.api.kinds;

import io.dbprovision.api.field.FieldPath;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseRole;
import io.dbprovision.proto.v1alpha1.DatabaseRole;
import io.dbprovision.proto.v1alpha1.MySQLRoleConfig;

/** DatabaseRole and ClusterDatabaseRole: each MySQL grant names what its level needs. */
final class RoleRules {
    private RoleRules() {}

    static KindRules<DatabaseRole> namespaced() {
        return new KindRules<>() {
            @Override
            public Class<DatabaseRole> type() {
                return DatabaseRole.class;
            }

            @Override
            public void validate(DatabaseRole object, Findings findings) {
                validateMysql(object.getSpec().getMysql(), findings);
            }
        };
    }

    static KindRules<ClusterDatabaseRole> clusterScoped() {
        return new KindRules<>() {
            @Override
            public Class<ClusterDatabaseRole> type() {
                return ClusterDatabaseRole.class;
            }

            @Override
            public void validate(ClusterDatabaseRole object, Findings findings) {
                validateMysql(object.getSpec().getMysql(), findings);
            }
        };
    }

    private static void validateMysql(MySQLRoleConfig mysql, Findings findings) {
        GrantChecks.mysql(mysql.getGrantsList(), FieldPath.of("spec.mysql.grants"), findings);
    }
}
