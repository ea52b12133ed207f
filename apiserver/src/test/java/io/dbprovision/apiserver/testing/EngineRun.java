package io.dbprovision.apiserver.testing;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of a test that leaves databases and accounts on the machine's MariaDB and PostgreSQL, under names of its
 * own: {@code <tag>_<run id>_…} with a random run id. Two runs of the same test at once (two helpers, or a rerun while
 * the first one's server is still shutting down) never touch each other's objects, as they did with a fixed prefix
 * (a run dropping "its" users dropped the other run's, whose grants then failed with MariaDB's 1133).
 *
 * <p>While it lasts, the run holds the MariaDB named lock {@code dbprovision-test-run:<tag>_<id>} on a connection of
 * its own; the lock goes with that connection, so also when the test's JVM is killed. On start, every object of the
 * tag whose run holds no lock any more — a run that died before its clean-up — is dropped; a live run's are left
 * alone. {@link #close} drops the run's own objects and releases the lock.
 */
public final class EngineRun implements AutoCloseable {
    private static final String MARIADB = "jdbc:mysql://127.0.0.1:3306/";
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/postgres";
    private static final Pattern TAG = Pattern.compile("[a-z][a-z0-9]{1,9}");
    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final int ID_LENGTH = 6;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String tag;
    private final String id;
    private final Pattern names;
    private final Connection lockHolder;

    private EngineRun(String tag, String id, Connection lockHolder) {
        this.tag = tag;
        this.id = id;
        this.names = Pattern.compile(Pattern.quote(tag) + "_([a-z0-9]{" + ID_LENGTH + "})_[a-z0-9_]{1,50}");
        this.lockHolder = lockHolder;
    }

    /**
     * Starts a run of the test whose names start with {@code tag} (2–10 lower-case letters and digits): takes a run
     * id nobody holds, then drops what dead runs of the tag left.
     */
    public static EngineRun start(String tag) throws SQLException {
        if (!TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("not a test tag: " + tag);
        }
        Connection connection = DriverManager.getConnection(MARIADB, "root", "");
        try {
            for (int attempt = 0; attempt < 10; attempt++) {
                String id = randomId();
                if (tryLock(connection, lockName(tag, id))) {
                    EngineRun run = new EngineRun(tag, id, connection);
                    run.dropLeftoversOfDeadRuns();
                    return run;
                }
            }
            throw new IllegalStateException("no free run id for " + tag + " after 10 attempts");
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** What every name of this run on the engines starts with: {@code <tag>_<id>_}. */
    public String prefix() {
        return tag + "_" + id + "_";
    }

    /** {@code name}, refused unless it is one of this run's (so a statement built from it drops nothing else). */
    public String own(String name) {
        Matcher matcher = names.matcher(name);
        if (!matcher.matches() || !matcher.group(1).equals(id)) {
            throw new IllegalArgumentException("not a name of run " + prefix() + ": " + name);
        }
        return name;
    }

    /** Drops every database and account of this run on both engines, whatever state the run left them in. */
    public void dropOwnObjects() throws SQLException {
        drop(Set.of(id));
    }

    /** Drops the run's objects and releases its lock. */
    @Override
    public void close() throws SQLException {
        try {
            dropOwnObjects();
        } finally {
            lockHolder.close();
        }
    }

    private void dropLeftoversOfDeadRuns() throws SQLException {
        Set<String> dead = new LinkedHashSet<>();
        for (String name : allNamesOfTag()) {
            Matcher matcher = names.matcher(name);
            if (matcher.matches() && !matcher.group(1).equals(id) && isFree(lockName(tag, matcher.group(1)))) {
                dead.add(matcher.group(1));
            }
        }
        if (!dead.isEmpty()) {
            System.out.println("EngineRun: dropping what dead runs " + dead + " of " + tag + " left");
            drop(dead);
        }
    }

    private List<String> allNamesOfTag() throws SQLException {
        String like = tag + "\\_%";
        List<String> all = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(MARIADB, "root", "")) {
            all.addAll(rows(c, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?", like));
            all.addAll(rows(c, "SELECT DISTINCT User FROM mysql.user WHERE User LIKE ?", like));
        }
        try (Connection c = DriverManager.getConnection(POSTGRES, "postgres", "")) {
            all.addAll(rows(c, "SELECT datname FROM pg_database WHERE datname LIKE ?", like));
            all.addAll(rows(c, "SELECT rolname FROM pg_roles WHERE rolname LIKE ?", like));
        }
        return all;
    }

    /** Drops the databases and accounts of the runs {@code ids}; names are checked against {@link #names}. */
    private void drop(Set<String> ids) throws SQLException {
        List<String> prefixes =
                ids.stream().map(each -> tag + "\\_" + each + "\\_%").toList();
        try (Connection c = DriverManager.getConnection(MARIADB, "root", "");
                var statement = c.createStatement()) {
            for (String like : prefixes) {
                for (String database :
                        rows(c, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?", like)) {
                    statement.execute("DROP DATABASE IF EXISTS `" + checked(database, ids) + "`");
                }
                List<String[]> accounts = new ArrayList<>();
                try (PreparedStatement query =
                        c.prepareStatement("SELECT User, Host FROM mysql.user WHERE User LIKE ?")) {
                    query.setString(1, like);
                    try (ResultSet result = query.executeQuery()) {
                        while (result.next()) {
                            accounts.add(new String[] {result.getString(1), result.getString(2)});
                        }
                    }
                }
                for (String[] account : accounts) {
                    try (PreparedStatement dropUser = c.prepareStatement("DROP USER IF EXISTS ?@?")) {
                        dropUser.setString(1, checked(account[0], ids));
                        dropUser.setString(2, account[1]);
                        dropUser.execute();
                    }
                }
            }
        }
        try (Connection c = DriverManager.getConnection(POSTGRES, "postgres", "");
                var statement = c.createStatement()) {
            for (String like : prefixes) {
                for (String database : rows(c, "SELECT datname FROM pg_database WHERE datname LIKE ?", like)) {
                    statement.execute("DROP DATABASE IF EXISTS " + checked(database, ids) + " WITH (FORCE)");
                }
                for (String role : rows(c, "SELECT rolname FROM pg_roles WHERE rolname LIKE ?", like)) {
                    statement.execute("DROP OWNED BY " + checked(role, ids) + " CASCADE");
                    statement.execute("DROP ROLE IF EXISTS " + checked(role, ids));
                }
            }
        }
    }

    /** A name read from a catalog, refused unless it belongs to one of the runs {@code ids}. */
    private String checked(String name, Set<String> ids) {
        Matcher matcher = names.matcher(name);
        if (!matcher.matches() || !ids.contains(matcher.group(1))) {
            throw new IllegalStateException("not a name of the runs " + ids + " of " + tag + ": " + name);
        }
        return name;
    }

    private static String lockName(String tag, String id) {
        return "dbprovision-test-run:" + tag + "_" + id;
    }

    private static boolean tryLock(Connection connection, String lock) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT GET_LOCK(?, 0)")) {
            statement.setString(1, lock);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() && result.getInt(1) == 1;
            }
        }
    }

    private static boolean isFree(String lock) throws SQLException {
        try (Connection c = DriverManager.getConnection(MARIADB, "root", "");
                PreparedStatement statement = c.prepareStatement("SELECT IS_FREE_LOCK(?)")) {
            statement.setString(1, lock);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() && result.getInt(1) == 1;
            }
        }
    }

    private static String randomId() {
        StringBuilder id = new StringBuilder(ID_LENGTH);
        // A letter first: a name part that starts with a digit would need quoting in some statements.
        id.append(ID_ALPHABET.charAt(RANDOM.nextInt(26)));
        for (int i = 1; i < ID_LENGTH; i++) {
            id.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }

    private static List<String> rows(Connection c, String sql, String parameter) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    rows.add(result.getString(1));
                }
            }
        }
        return rows;
    }
}
