package io.dbprovision.apiserver.reconcile.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * Drops everything the benchmark made on the machine's shared servers — databases and users named {@code dbprb_…} —
 * before a run (what an interrupted run left) and after it. Names come from the servers' catalogs and are checked
 * against {@link #OURS} before they are quoted into a statement (identifiers cannot be bound); nothing else is
 * touched.
 */
final class EngineCleanup {
    static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/postgres";
    static final String MARIADB = "jdbc:mysql://127.0.0.1:3306/";
    static final String PREFIX = "dbprb_";
    private static final Pattern OURS = Pattern.compile("dbprb_[a-z0-9_]{1,57}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9%._:-]{1,255}");

    private EngineCleanup() {}

    /** Drops the benchmark's PostgreSQL databases (on a few connections at once) and roles; returns how many. */
    static int postgres() throws Exception {
        List<String> databases = names(POSTGRES, "postgres", "select datname from pg_database where datname like ?");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> drops = new ArrayList<>();
            int slices = 4;
            for (int s = 0; s < slices; s++) {
                List<String> slice = new ArrayList<>();
                for (int i = s; i < databases.size(); i += slices) {
                    slice.add(databases.get(i));
                }
                drops.add(pool.submit(() -> {
                    try (Connection c = DriverManager.getConnection(POSTGRES, "postgres", "");
                            Statement statement = c.createStatement()) {
                        for (String name : slice) {
                            statement.execute("DROP DATABASE IF EXISTS \"" + ours(name) + "\" WITH (FORCE)");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> drop : drops) {
                drop.get();
            }
        } finally {
            pool.shutdown();
        }
        List<String> roles = names(POSTGRES, "postgres", "select rolname from pg_roles where rolname like ?");
        try (Connection c = DriverManager.getConnection(POSTGRES, "postgres", "");
                Statement statement = c.createStatement()) {
            for (String role : roles) {
                statement.execute("DROP ROLE IF EXISTS \"" + ours(role) + "\"");
            }
        }
        return databases.size() + roles.size();
    }

    /** Drops the benchmark's MariaDB databases and users; returns how many. */
    static int mariadb() throws SQLException {
        int dropped = 0;
        try (Connection c = DriverManager.getConnection(MARIADB, "root", "");
                Statement statement = c.createStatement()) {
            List<String> databases = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement(
                    "select schema_name from information_schema.schemata where schema_name like ?")) {
                query.setString(1, PREFIX.replace("_", "\\_") + "%");
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        databases.add(rows.getString(1));
                    }
                }
            }
            for (String name : databases) {
                statement.execute("DROP DATABASE IF EXISTS `" + ours(name) + "`");
                dropped++;
            }
            List<String[]> users = new ArrayList<>();
            try (PreparedStatement query = c.prepareStatement("select User, Host from mysql.user where User like ?")) {
                query.setString(1, PREFIX.replace("_", "\\_") + "%");
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        users.add(new String[] {rows.getString(1), rows.getString(2)});
                    }
                }
            }
            for (String[] user : users) {
                if (!HOST.matcher(user[1]).matches()) {
                    throw new IllegalStateException("unexpected host of a benchmark user");
                }
                statement.execute("DROP USER IF EXISTS '" + ours(user[0]) + "'@'" + user[1] + "'");
                dropped++;
            }
        }
        return dropped;
    }

    private static List<String> names(String url, String user, String sql) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, user, "");
                PreparedStatement query = c.prepareStatement(sql)) {
            query.setString(1, PREFIX.replace("_", "\\_") + "%");
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
        }
        return names;
    }

    private static String ours(String name) {
        if (!OURS.matcher(name).matches()) {
            throw new IllegalStateException("not a benchmark name: refusing to drop it");
        }
        return name;
    }
}
