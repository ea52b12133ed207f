package io.dbprovision.provisioner.bench;

import io.dbprovision.provisioner.bench.StatementRecorder.Recorded;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's baseline: what a provisioner call sent, sent again over one plain JDBC connection — the same
 * statements in the same order, reads as prepared statements with the same bind values, writes as the same static
 * statements (secrets included, as the provisioner sent them) — for a twin object: every occurrence of the recorded
 * object's name is replaced by the twin's name of the same length. Every row a read returns is fetched, every column
 * read, as the provisioner does.
 */
final class Replay {
    private Replay() {}

    /** The recorded statements with {@code from} replaced by {@code to} in their text and string binds. */
    static List<Recorded> renamed(List<Recorded> statements, String from, String to) {
        List<Recorded> renamed = new ArrayList<>();
        for (Recorded r : statements) {
            List<Object> binds = new ArrayList<>();
            for (Object bind : r.binds()) {
                binds.add(rename(bind, from, to));
            }
            renamed.add(new Recorded(r.sql().replace(from, to), binds, r.prepared()));
        }
        return renamed;
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

    /** Runs the statements on the connection; returns the nanoseconds it took. */
    static long run(Connection connection, List<Recorded> statements) throws SQLException {
        long start = System.nanoTime();
        for (Recorded r : statements) {
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
        return System.nanoTime() - start;
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
}
