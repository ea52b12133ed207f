package io.dbprovision.provisioner.engine.mysql;

import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.keyword;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.query;
import static org.jooq.impl.DSL.sql;

import io.dbprovision.provisioner.engine.mysql.PrivilegeScope.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jooq.Query;
import org.jooq.QueryPart;
import org.jooq.impl.CustomQueryPart;
import org.jooq.impl.DSL;

/**
 * Every statement the MySQL/MariaDB engine runs, one method per statement shape, pure (no connection): each returns a
 * jOOQ {@link Query}. jOOQ's DSL is used where the open-source edition has the statement (CREATE/DROP DATABASE);
 * everything else is a plain-SQL template whose text is a constant and whose every identifier goes through
 * {@link DSL#name} and every literal through {@link DSL#inline}. Keywords that vary (privileges, plugins, REQUIRE
 * options) come from allowlists or enums, never from the request's text.
 *
 * <p>GRANT and REVOKE are templates too: jOOQ renders {@code DSL.user(name(u, h))} as {@code `u`.`h`} (not the
 * {@code `u`@'h'} account MySQL needs) and has no column or routine targets.
 */
public final class MySqlStatements {
    /** How a password reaches the server. */
    public enum AuthMethod {
        /** The mysql_native_password hash ({@code *} and 40 hex digits); the plaintext never leaves us. */
        NATIVE_HASH("mysql_native_password"),
        /**
         * MySQL 8 only: the plaintext over the connection (TLS recommended), as the plugin hashes it with a salt on
         * the server. MySQL rewrites such statements in its general and slow logs and the binary log
         * ({@code IDENTIFIED WITH ... AS '<hash>'}), so the plaintext is not kept there.
         */
        CACHING_SHA2("caching_sha2_password"),
        SHA256("sha256_password");

        private final String plugin;

        AuthMethod(String plugin) {
            this.plugin = plugin;
        }

        public String plugin() {
            return plugin;
        }
    }

    /** REQUIRE clause values. */
    public enum TlsRequirement {
        NONE,
        SSL,
        X509
    }

    /** Resource limits to set; null means "leave as it is". */
    public record ResourceLimits(
            Integer maxQueriesPerHour,
            Integer maxUpdatesPerHour,
            Integer maxConnectionsPerHour,
            Integer maxUserConnections) {
        public boolean isEmpty() {
            return maxQueriesPerHour == null
                    && maxUpdatesPerHour == null
                    && maxConnectionsPerHour == null
                    && maxUserConnections == null;
        }
    }

    private final MySqlFlavor flavor;

    public MySqlStatements(MySqlFlavor flavor) {
        this.flavor = flavor;
    }

    public MySqlFlavor flavor() {
        return flavor;
    }

    // ---- databases

    /** Empty charset/collation: the server's default. */
    public Query createDatabase(String database, String charset, String collation) {
        boolean cs = !charset.isEmpty();
        boolean co = !collation.isEmpty();
        if (cs && co) {
            return query(
                    "CREATE DATABASE IF NOT EXISTS {0} CHARACTER SET {1} COLLATE {2}",
                    name(database), name(charset), name(collation));
        }
        if (cs) {
            return query("CREATE DATABASE IF NOT EXISTS {0} CHARACTER SET {1}", name(database), name(charset));
        }
        if (co) {
            return query("CREATE DATABASE IF NOT EXISTS {0} COLLATE {1}", name(database), name(collation));
        }
        return DSL.createDatabaseIfNotExists(name(database));
    }

    public Query alterDatabase(String database, String charset, String collation) {
        if (!charset.isEmpty() && !collation.isEmpty()) {
            return query(
                    "ALTER DATABASE {0} CHARACTER SET {1} COLLATE {2}", name(database), name(charset), name(collation));
        }
        if (!charset.isEmpty()) {
            return query("ALTER DATABASE {0} CHARACTER SET {1}", name(database), name(charset));
        }
        return query("ALTER DATABASE {0} COLLATE {1}", name(database), name(collation));
    }

    public Query dropDatabase(String database) {
        return DSL.dropDatabaseIfExists(name(database));
    }

    public Query killConnection(long id) {
        return query("KILL CONNECTION {0}", inline(id));
    }

    // ---- users

    /** A user without a password (no password login until one is set). */
    public Query createUser(Grantee.Account account) {
        return query("CREATE USER {0}", account(account));
    }

    /**
     * A user with a credential: {@code secret} is the native hash for {@link AuthMethod#NATIVE_HASH}, otherwise the
     * password (MySQL 8 only).
     */
    public Query createUser(Grantee.Account account, AuthMethod method, String secret) {
        return query("CREATE USER {0} {1}", account(account), identified(method, secret));
    }

    public Query alterPassword(Grantee.Account account, AuthMethod method, String secret) {
        return query("ALTER USER {0} {1}", account(account), identified(method, secret));
    }

    public Query alterRequire(Grantee.Account account, TlsRequirement requirement) {
        return query("ALTER USER {0} REQUIRE {1}", account(account), keyword(requirement.name()));
    }

    /** Only the limits that are set: {@code ALTER USER a WITH MAX_QUERIES_PER_HOUR n ...} (the seed forgot WITH). */
    public Query alterLimits(Grantee.Account account, ResourceLimits limits) {
        List<QueryPart> options = new ArrayList<>();
        if (limits.maxQueriesPerHour() != null) {
            options.add(sql("MAX_QUERIES_PER_HOUR {0}", inline(limits.maxQueriesPerHour())));
        }
        if (limits.maxUpdatesPerHour() != null) {
            options.add(sql("MAX_UPDATES_PER_HOUR {0}", inline(limits.maxUpdatesPerHour())));
        }
        if (limits.maxConnectionsPerHour() != null) {
            options.add(sql("MAX_CONNECTIONS_PER_HOUR {0}", inline(limits.maxConnectionsPerHour())));
        }
        if (limits.maxUserConnections() != null) {
            options.add(sql("MAX_USER_CONNECTIONS {0}", inline(limits.maxUserConnections())));
        }
        if (options.isEmpty()) {
            throw new IllegalArgumentException("no resource limit to set");
        }
        return query("ALTER USER {0} WITH {1}", account(account), spaced(options));
    }

    public Query alterLock(Grantee.Account account, boolean locked) {
        return locked
                ? query("ALTER USER {0} ACCOUNT LOCK", account(account))
                : query("ALTER USER {0} ACCOUNT UNLOCK", account(account));
    }

    public Query dropUser(Grantee.Account account) {
        return query("DROP USER IF EXISTS {0}", account(account));
    }

    // ---- roles

    /** A native role (MariaDB; MySQL 8, where it is the locked account 'role'@'%'). */
    public Query createRole(String role) {
        return query("CREATE ROLE IF NOT EXISTS {0}", principal(role));
    }

    /** An emulated role: a locked account 'role'@'%' that holds privileges and cannot log in. */
    public Query createEmulatedRole(String role) {
        return query("CREATE USER IF NOT EXISTS {0} ACCOUNT LOCK", account(new Grantee.Account(role, "%")));
    }

    public Query dropRole(String role) {
        return query("DROP ROLE IF EXISTS {0}", principal(role));
    }

    public Query grantRole(String role, Grantee grantee) {
        return query("GRANT {0} TO {1}", principal(role), grantee(grantee));
    }

    public Query revokeRole(String role, Grantee grantee) {
        return query("REVOKE {0} FROM {1}", principal(role), grantee(grantee));
    }

    /**
     * Makes the memberships take effect at login. MariaDB has one default role per account
     * ({@code SET DEFAULT ROLE r FOR u@h}); MySQL activates every granted role with {@code ALL}, so {@code role} is
     * ignored there.
     */
    public Query setDefaultRole(String role, Grantee.Account account) {
        return flavor == MySqlFlavor.MARIADB
                ? query("SET DEFAULT ROLE {0} FOR {1}", principal(role), account(account))
                : query("SET DEFAULT ROLE ALL TO {0}", account(account));
    }

    public Query clearDefaultRole(Grantee.Account account) {
        return flavor == MySqlFlavor.MARIADB
                ? query("SET DEFAULT ROLE NONE FOR {0}", account(account))
                : query("SET DEFAULT ROLE NONE TO {0}", account(account));
    }

    // ---- privileges

    /**
     * {@code GRANT p, ... ON target TO grantee [WITH GRANT OPTION]}; at the column level each privilege carries the
     * column: {@code GRANT SELECT (`c`) ON `db`.`t` TO ...}. The privileges must have passed
     * {@link MySqlPrivileges#problem}: they are rendered as keywords.
     */
    public Query grant(Collection<String> privileges, PrivilegeScope scope, Grantee grantee, boolean withGrantOption) {
        return withGrantOption
                ? query(
                        "GRANT {0} ON {1} TO {2} WITH GRANT OPTION",
                        privilegeList(privileges, scope), target(scope), grantee(grantee))
                : query("GRANT {0} ON {1} TO {2}", privilegeList(privileges, scope), target(scope), grantee(grantee));
    }

    public Query revoke(Collection<String> privileges, PrivilegeScope scope, Grantee grantee) {
        return query("REVOKE {0} ON {1} FROM {2}", privilegeList(privileges, scope), target(scope), grantee(grantee));
    }

    public Query revokeGrantOption(PrivilegeScope scope, Grantee grantee) {
        return query("REVOKE GRANT OPTION ON {0} FROM {1}", target(scope), grantee(grantee));
    }

    // ---- init SQL

    public Query use(String database) {
        return query("USE {0}", name(database));
    }

    public Query setRole(String role) {
        return query("SET ROLE {0}", principal(role));
    }

    public Query setRoleNone() {
        return query("SET ROLE NONE");
    }

    /**
     * A caller's statement, passed to the server as it is written. It must not go through a jOOQ template: jOOQ
     * would read {@code {0}}, {@code {x}} and {@code ?} inside it as placeholders (even inside quotes), so it is
     * appended verbatim by a {@link CustomQueryPart} into the constant template {@code {0}}. Connector/J, which
     * prepares on the client, skips {@code ?} inside literals and comments; the statement gets no bind values.
     */
    public Query verbatim(String statement) {
        return query("{0}", CustomQueryPart.of(ctx -> ctx.sql(statement)));
    }

    // ---- parts

    static QueryPart account(Grantee.Account account) {
        return sql("{0}@{1}", inline(account.user()), inline(account.host()));
    }

    /**
     * User and role names are string literals, which MySQL's account-name grammar takes everywhere: jOOQ replaces an
     * identifier longer than 64 characters by a generated alias (nameAutoAliasingIfMaxLengthExceeded), and MariaDB
     * user names may have 80.
     */
    static QueryPart principal(String name) {
        return inline(name);
    }

    static QueryPart grantee(Grantee grantee) {
        return switch (grantee) {
            case Grantee.Account a -> account(a);
            case Grantee.Role r -> principal(r.user());
        };
    }

    private QueryPart identified(AuthMethod method, String secret) {
        return switch (method) {
            case NATIVE_HASH ->
                flavor == MySqlFlavor.MARIADB
                        ? sql("IDENTIFIED BY PASSWORD {0}", inline(secret))
                        : sql("IDENTIFIED WITH mysql_native_password AS {0}", inline(secret));
            case CACHING_SHA2, SHA256 -> {
                if (flavor == MySqlFlavor.MARIADB) {
                    throw new IllegalArgumentException(method.plugin() + " does not exist on MariaDB");
                }
                yield sql("IDENTIFIED WITH {0} BY {1}", keyword(method.plugin()), inline(secret));
            }
        };
    }

    static QueryPart target(PrivilegeScope scope) {
        return switch (scope.level()) {
            case GLOBAL -> sql("*.*");
            case DATABASE -> sql("{0}.*", name(scope.database()));
            case TABLE, COLUMN -> name(scope.database(), scope.object());
            case PROCEDURE -> sql("PROCEDURE {0}", name(scope.database(), scope.object()));
            case FUNCTION -> sql("FUNCTION {0}", name(scope.database(), scope.object()));
        };
    }

    private QueryPart privilegeList(Collection<String> privileges, PrivilegeScope scope) {
        if (privileges.isEmpty()) {
            throw new IllegalArgumentException("no privileges");
        }
        List<QueryPart> parts = new ArrayList<>();
        for (String privilege : privileges) {
            // Rendered as a keyword: only what the allowlist knows may get here.
            MySqlPrivileges.problem(flavor, scope.level(), privilege).ifPresent(problem -> {
                throw new IllegalArgumentException(problem);
            });
            String keyword = privilege.equals(MySqlPrivileges.ALL) ? "ALL PRIVILEGES" : privilege;
            parts.add(
                    scope.level() == Level.COLUMN
                            ? sql("{0} ({1})", keyword(keyword), name(scope.column()))
                            : keyword(keyword));
        }
        return DSL.list(parts);
    }

    /** Parts separated by single spaces (jOOQ's list() separates by commas). */
    private static QueryPart spaced(List<QueryPart> parts) {
        return CustomQueryPart.of(ctx -> {
            for (int i = 0; i < parts.size(); i++) {
                if (i > 0) {
                    ctx.sql(' ');
                }
                ctx.visit(parts.get(i));
            }
        });
    }
}
