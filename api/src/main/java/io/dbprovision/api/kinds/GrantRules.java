package io.dbprovision.api.kinds;

import io.dbprovision.api.field.FieldPath;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseGrant;
import io.dbprovision.proto.v1alpha1.DatabaseGrant;
import io.dbprovision.proto.v1alpha1.MySQLGrantConfig;

/** DatabaseGrant and ClusterDatabaseGrant: grant levels, and a warning when a grant grants nothing. */
final class GrantRules {
    private static final String EMPTY = "the grant grants nothing: set spec.postgres, spec.mysql or spec.clickhouse";

    private GrantRules() {}

    static KindRules<DatabaseGrant> namespaced() {
        return new KindRules<>() {
            @Override
            public Class<DatabaseGrant> type() {
                return DatabaseGrant.class;
            }

            @Override
            public void validate(DatabaseGrant object, Findings findings) {
                var spec = object.getSpec();
                validateMysql(spec.getMysql(), findings);
                GrantChecks.clickhouse(
                        spec.getClickhouse().getGrantsList(), FieldPath.of("spec.clickhouse.grants"), findings);
                if (!spec.hasPostgres() && !spec.hasMysql() && !spec.hasClickhouse()) {
                    findings.warn(EMPTY);
                }
            }
        };
    }

    static KindRules<ClusterDatabaseGrant> clusterScoped() {
        return new KindRules<>() {
            @Override
            public Class<ClusterDatabaseGrant> type() {
                return ClusterDatabaseGrant.class;
            }

            @Override
            public void validate(ClusterDatabaseGrant object, Findings findings) {
                var spec = object.getSpec();
                validateMysql(spec.getMysql(), findings);
                if (!spec.hasPostgres() && !spec.hasMysql()) {
                    findings.warn("the grant grants nothing: set spec.postgres or spec.mysql");
                }
            }
        };
    }

    private static void validateMysql(MySQLGrantConfig mysql, Findings findings) {
        GrantChecks.mysql(mysql.getGrantsList(), FieldPath.of("spec.mysql.grants"), findings);
    }
}
