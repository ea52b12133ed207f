package io.dbprovision.provisioner.engine.mysql;

import io.dbprovision.proto.v1alpha1.EngineType;
import org.jooq.SQLDialect;

/**
 * Where MySQL 8 and MariaDB 10.11 differ for the provisioner: the jOOQ dialect, how a native-password hash is sent,
 * which authentication plugins exist, where roles, role memberships, default roles and account locks live in the
 * catalog, and how the default role is set. Everything else is one code path.
 */
public enum MySqlFlavor {
    MYSQL(SQLDialect.MYSQL, EngineType.ENGINE_TYPE_MYSQL),
    MARIADB(SQLDialect.MARIADB, EngineType.ENGINE_TYPE_MARIADB);

    private final SQLDialect dialect;
    private final EngineType engineType;

    MySqlFlavor(SQLDialect dialect, EngineType engineType) {
        this.dialect = dialect;
        this.engineType = engineType;
    }

    public SQLDialect dialect() {
        return dialect;
    }

    public EngineType engineType() {
        return engineType;
    }

    /** MariaDB has neither caching_sha2_password nor sha256_password. */
    public boolean hasShaPlugins() {
        return this == MYSQL;
    }

    /** From the server's {@code SELECT VERSION()}: MariaDB says so in it, MySQL does not. */
    public static MySqlFlavor ofVersion(String version) {
        return version != null && version.contains("MariaDB") ? MARIADB : MYSQL;
    }

    public static MySqlFlavor of(EngineType type) {
        return type == EngineType.ENGINE_TYPE_MARIADB ? MARIADB : MYSQL;
    }
}
