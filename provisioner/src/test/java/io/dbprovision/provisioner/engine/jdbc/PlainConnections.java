package io.dbprovision.provisioner.engine.jdbc;

import io.dbprovision.proto.engine.v1alpha1.Instance;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A plain JDBC connection (no pool, no jOOQ) to an instance, opened exactly as the provisioner's pools open theirs:
 * the same URL, driver properties and connection init statement. For comparisons that must differ from the
 * provisioner only in what they leave out (the engine benchmark's baseline). TLS to the engine is not supported here.
 */
public final class PlainConnections {
    private PlainConnections() {}

    public static Connection open(Instance instance) throws SQLException {
        ConnectionSettings settings = ConnectionSettings.of(instance, "");
        if (settings.tls() != null) {
            throw new IllegalArgumentException("plain connections are for instances without TLS");
        }
        Connection connection = DriverManager.getConnection(settings.jdbcUrl(), settings.driverProperties(null, null));
        try (Statement init = connection.createStatement()) {
            init.execute(settings.initSql());
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return connection;
    }
}
