package io.dbprovision.apiserver.reconcile.bench;

import io.dbprovision.apiserver.reconcile.bench.SqlRecorder.Recorded;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The benchmark's baseline: the statements the provisioner sent during one convergence, sent again over plain JDBC
 * (no pool, no jOOQ, no gRPC, no API server) for twin objects: every occurrence of the round's name tag is replaced by
 * the twin's tag of the same length, in the SQL, the string binds and the connection URL. Reads go as prepared
 * statements with the same binds, every row and column fetched; writes as the same static statements (secrets
 * included, as the provisioner sent them). Statements run one after the other, in the order the provisioner started
 * them, each on a connection to the database it ran in: connections to databases that existed before the round are
 * opened beforehand and reused (the provisioner's pools are warm too); one to a database the round created is opened
 * when its first statement comes, inside the measured time (the provisioner opens a new pool for it then as well).
 * Connections are opened as the provisioner's pools open theirs: the same driver properties and init statement.
 */
final class SqlReplay implements AutoCloseable {
    private static final String POSTGRES_INIT = "SET standard_conforming_strings = on";
    private static final String MYSQL_INIT = "SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE("
            + "CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','))";

    private final Map<String, Connection> warm = new HashMap<>();

    /** Opens (outside any measurement) connections to the databases of {@code urls} that exist already. */
    void warm(Set<String> urls) throws SQLException {
        for (String url : urls) {
            if (!warm.containsKey(url)) {
                warm.put(url, open(url));
            }
        }
    }

    /** The recorded statements with {@code from} replaced by {@code to} (the same length) everywhere. */
    static List<Recorded> renamed(List<Recorded> statements, String from, String to) {
        if (from.length() != to.length()) {
            throw new IllegalArgumentException("a twin's tag must be as long as the original's");
        }
        List<Recorded> renamed = new ArrayList<>();
        for (Recorded r : statements) {
            List<Object> binds = new ArrayList<>();
            for (Object bind : r.binds()) {
                binds.add(rename(bind, from, to));
            }
            renamed.add(new Recorded(
                    r.method(),
                    r.url().replace(from, to),
                    r.sql().replace(from, to),
                    binds,
                    r.prepared(),
                    r.startedAt(),
                    r.nanos()));
        }
        return renamed;
    }

    /** What a replay took: in all, and per gRPC method whose statements were replayed (connecting included). */
    record Timing(long total, Map<String, Long> byMethod) {}

    /**
     * Runs {@code statements}; returns the nanoseconds they took, connections to new databases included. Those
     * connections are closed afterwards, outside the measured time.
     */
    Timing run(List<Recorded> statements) throws SQLException {
        Map<String, Connection> opened = new HashMap<>();
        Map<String, Long> byMethod = new TreeMap<>();
        long start = System.nanoTime();
        try {
            for (Recorded r : statements) {
                long statementStart = System.nanoTime();
                Connection connection = warm.get(r.url());
                if (connection == null) {
                    connection = opened.get(r.url());
                }
                if (connection == null) {
                    connection = open(r.url());
                    opened.put(r.url(), connection);
                }
                execute(connection, r);
                byMethod.merge(r.method(), System.nanoTime() - statementStart, Long::sum);
            }
            return new Timing(System.nanoTime() - start, byMethod);
        } finally {
            for (Connection c : opened.values()) {
                c.close();
            }
        }
    }

    private static void execute(Connection connection, Recorded r) throws SQLException {
        if (r.prepared()) {
            try (PreparedStatement statement = connection.prepareStatement(r.sql())) {
                for (int i = 0; i < r.binds().size(); i++) {
                    Object bind = r.binds().get(i);
                    if (bind instanceof String[] array) {
                        statement.setArray(i + 1, connection.createArrayOf("varchar", array));
                    } else {
                        statement.setObject(i + 1, bind);
                    }
                }
                drain(statement, statement.execute());
            }
        } else {
            try (Statement statement = connection.createStatement()) {
                drain(statement, statement.execute(r.sql()));
            }
        }
    }

    private static void drain(Statement statement, boolean hasResult) throws SQLException {
        if (!hasResult) {
            return;
        }
        try (ResultSet result = statement.getResultSet()) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                for (int c = 1; c <= columns; c++) {
                    result.getObject(c);
                }
            }
        }
    }

    /** A plain connection as the provisioner's pools open one to this URL, as the machine's admin users. */
    static Connection open(String url) throws SQLException {
        Properties properties = new Properties();
        String init;
        if (url.startsWith("jdbc:postgresql:")) {
            properties.setProperty("user", "postgres");
            properties.setProperty("password", "");
            properties.setProperty("ApplicationName", "dbprb-replay");
            properties.setProperty("connectTimeout", "10");
            properties.setProperty("gssEncMode", "disable");
            properties.setProperty("tcpKeepAlive", "true");
            properties.setProperty("sslmode", "disable");
            init = POSTGRES_INIT;
        } else if (url.startsWith("jdbc:mysql:")) {
            properties.setProperty("user", "root");
            properties.setProperty("password", "");
            properties.setProperty("allowMultiQueries", "false");
            properties.setProperty("allowLoadLocalInfile", "false");
            properties.setProperty("connectTimeout", "10000");
            properties.setProperty("socketTimeout", "30000");
            properties.setProperty("characterEncoding", "UTF-8");
            properties.setProperty("sslMode", "DISABLED");
            init = MYSQL_INIT;
        } else {
            throw new IllegalArgumentException("no replay for this connection");
        }
        Connection connection = DriverManager.getConnection(url, properties);
        try (Statement statement = connection.createStatement()) {
            statement.execute(init);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    private static Object rename(Object bind, String from, String to) {
        if (bind instanceof String s) {
            return s.replace(from, to);
        }
        if (bind instanceof String[] array) {
            String[] copy = new String[array.length];
            for (int i = 0; i < array.length; i++) {
                copy[i] = array[i] == null ? null : array[i].replace(from, to);
            }
            return copy;
        }
        return bind;
    }

    @Override
    public void close() throws SQLException {
        for (Connection c : warm.values()) {
            c.close();
        }
        warm.clear();
    }
}
