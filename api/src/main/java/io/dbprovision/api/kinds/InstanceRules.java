package io.dbprovision.api.kinds;

import io.dbprovision.api.field.FieldError;
import io.dbprovision.api.field.FieldPath;
import io.dbprovision.proto.v1alpha1.ClusterDatabaseInstance;
import io.dbprovision.proto.v1alpha1.ConnectionConfig;
import io.dbprovision.proto.v1alpha1.DatabaseInstance;
import io.dbprovision.proto.v1alpha1.DatabaseInstanceSpec;
import io.dbprovision.proto.v1alpha1.EngineType;
import java.util.Optional;

/** DatabaseInstance and ClusterDatabaseInstance: per-engine connection defaults and credential rules. */
final class InstanceRules {
    private static final FieldPath CONNECTION = FieldPath.of("spec.connection");

    private InstanceRules() {}

    static KindRules<DatabaseInstance> namespaced() {
        return new KindRules<>() {
            @Override
            public Class<DatabaseInstance> type() {
                return DatabaseInstance.class;
            }

            @Override
            public DatabaseInstance defaults(DatabaseInstance object) {
                return object.toBuilder().setSpec(defaultSpec(object.getSpec())).build();
            }

            @Override
            public void validate(DatabaseInstance object, Findings findings) {
                validateSpec(object.getSpec(), false, findings);
            }

            @Override
            public Optional<EngineType> engine(DatabaseInstance object) {
                return engineOf(object.getSpec());
            }
        };
    }

    static KindRules<ClusterDatabaseInstance> clusterScoped() {
        return new KindRules<>() {
            @Override
            public Class<ClusterDatabaseInstance> type() {
                return ClusterDatabaseInstance.class;
            }

            @Override
            public ClusterDatabaseInstance defaults(ClusterDatabaseInstance object) {
                return object.toBuilder().setSpec(defaultSpec(object.getSpec())).build();
            }

            @Override
            public void validate(ClusterDatabaseInstance object, Findings findings) {
                validateSpec(object.getSpec(), true, findings);
            }

            @Override
            public Optional<EngineType> engine(ClusterDatabaseInstance object) {
                return engineOf(object.getSpec());
            }
        };
    }

    /** The security page omits the port and the admin database: default them per engine. */
    static DatabaseInstanceSpec defaultSpec(DatabaseInstanceSpec spec) {
        if (!spec.hasConnection() || spec.getEngine() == EngineType.ENGINE_TYPE_UNSPECIFIED) {
            return spec;
        }
        ConnectionConfig.Builder connection = spec.getConnection().toBuilder();
        if (!connection.hasPort()) {
            EnginePorts.defaultPort(spec.getEngine()).ifPresent(connection::setPort);
        }
        if (connection.getDatabase().isEmpty()) {
            defaultDatabase(spec.getEngine()).ifPresent(connection::setDatabase);
        }
        return spec.toBuilder().setConnection(connection).build();
    }

    static Optional<String> defaultDatabase(EngineType engine) {
        return switch (engine) {
            case ENGINE_TYPE_POSTGRES -> Optional.of("postgres");
            case ENGINE_TYPE_MYSQL, ENGINE_TYPE_MARIADB -> Optional.of("mysql");
            case ENGINE_TYPE_COCKROACHDB -> Optional.of("defaultdb");
            case ENGINE_TYPE_CLICKHOUSE -> Optional.of("default");
            default -> Optional.empty();
        };
    }

    private static void validateSpec(DatabaseInstanceSpec spec, boolean clusterScoped, Findings findings) {
        if (!spec.hasConnection()) {
            return; // reported as required by the schema
        }
        ConnectionConfig connection = spec.getConnection();
        if (!connection.hasSecretRef() && !connection.hasExistingSecret()) {
            findings.error(FieldError.required(
                    CONNECTION.child("secretRef"), "the administrator's credentials Secret is required"));
        }
        if (connection.hasSecretRef() && connection.hasExistingSecret()) {
            findings.warn("spec.connection.existingSecret is ignored because spec.connection.secretRef is set");
        }
        if (clusterScoped) {
            if (connection.hasSecretRef()
                    && connection.getSecretRef().getNamespace().isEmpty()) {
                findings.error(FieldError.required(
                        CONNECTION.child("secretRef").child("namespace"),
                        "secretRef.namespace is required for cluster-scoped instances"));
            }
            if (!connection.hasSecretRef()
                    && connection.hasExistingSecret()
                    && connection.getExistingSecret().getNamespace().isEmpty()) {
                findings.error(FieldError.required(
                        CONNECTION.child("existingSecret").child("namespace"),
                        "existingSecret.namespace is required for cluster-scoped instances"));
            }
        }
        if (spec.hasPostgres()
                && spec.getPostgres().getSslMode() != io.dbprovision.proto.v1alpha1.SSLMode.SSL_MODE_UNSPECIFIED
                && connection.getSslMode() != io.dbprovision.proto.v1alpha1.SSLMode.SSL_MODE_UNSPECIFIED
                && spec.getPostgres().getSslMode() != connection.getSslMode()) {
            findings.warn("spec.connection.sslMode is overridden by spec.postgres.sslMode");
        }
    }

    private static Optional<EngineType> engineOf(DatabaseInstanceSpec spec) {
        return spec.getEngine() == EngineType.ENGINE_TYPE_UNSPECIFIED
                ? Optional.empty()
                : Optional.of(spec.getEngine());
    }
}
