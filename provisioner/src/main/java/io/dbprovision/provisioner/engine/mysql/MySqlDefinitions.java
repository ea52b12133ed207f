package io.dbprovision.provisioner.engine.mysql;

import io.dbprovision.api.validation.EngineIdentifiers;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.Identifier;
import io.dbprovision.proto.v1alpha1.MySQLGrant;
import io.dbprovision.provisioner.engine.EngineException.InvalidDefinition;
import io.dbprovision.provisioner.engine.mysql.PrivilegeScope.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a request against what MySQL/MariaDB can hold before any SQL runs (identifier lengths per engine, hosts,
 * character set names, the privilege allowlist per level) and turns MySQLGrant lists into privileges per
 * {@link PrivilegeScope}. A table named {@code *} means the whole database ({@code db.*}). Every refusal is an
 * {@link InvalidDefinition} naming the request field.
 */
final class MySqlDefinitions {
    private static final Pattern CHARSET = Pattern.compile("^[a-zA-Z0-9_]{1,64}$");
    private static final int MAX_HOST = 255;

    /** What the request wants in one scope: privileges (ALL possibly among them) and GRANT OPTION (null: no opinion). */
    record Wanted(Set<String> privileges, Boolean grantOption) {}

    private MySqlDefinitions() {}

    static void name(EngineType engine, Identifier kind, String field, String name) {
        if (name.isEmpty()) {
            throw new InvalidDefinition(field, "is required");
        }
        EngineIdentifiers.problem(engine, kind, name).ifPresent(problem -> {
            throw new InvalidDefinition(field, problem);
        });
        // The server refuses database, table and column names that end in white space ("Incorrect database name").
        boolean objectName = kind == Identifier.IDENTIFIER_DATABASE || kind == Identifier.IDENTIFIER_TABLE;
        if (objectName && " \t\n\r\u000b\f".indexOf(name.charAt(name.length() - 1)) >= 0) {
            throw new InvalidDefinition(field, "must not end with white space on MySQL");
        }
        // Identifiers and the grant tables' User column are utf8mb3: characters beyond U+FFFF cannot be stored.
        if (name.codePoints().anyMatch(cp -> cp > 0xFFFF)) {
            throw new InvalidDefinition(field, "must not contain characters beyond U+FFFF (such as emoji) on MySQL");
        }
    }

    static void host(String field, String host) {
        if (host.isEmpty()) {
            throw new InvalidDefinition(field, "must not be empty");
        }
        if (host.length() > MAX_HOST) {
            throw new InvalidDefinition(field, "must be at most " + MAX_HOST + " characters");
        }
        if (host.indexOf('\0') >= 0) {
            throw new InvalidDefinition(field, "must not contain NUL characters");
        }
    }

    static void charsetName(String field, String value) {
        if (!value.isEmpty() && !CHARSET.matcher(value).matches()) {
            throw new InvalidDefinition(field, "must be letters, digits and underscores, at most 64");
        }
    }

    static void secret(String field, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new InvalidDefinition(field, "must not contain NUL characters");
        }
    }

    /** Hosts of a user: the listed ones without repeats, or % when none are listed. */
    static List<String> hosts(List<String> listed, String field) {
        Set<String> hosts = new LinkedHashSet<>();
        for (int i = 0; i < listed.size(); i++) {
            host(field + "[" + i + "]", listed.get(i));
            hosts.add(listed.get(i));
        }
        return hosts.isEmpty() ? List.of("%") : List.copyOf(hosts);
    }

    /** The grants as wanted privileges per scope; validates every name and privilege. */
    static Map<PrivilegeScope, Wanted> scopes(
            EngineType engine, MySqlFlavor flavor, List<MySQLGrant> grants, String field) {
        Map<PrivilegeScope, Wanted> wanted = new LinkedHashMap<>();
        for (int i = 0; i < grants.size(); i++) {
            MySQLGrant g = grants.get(i);
            String f = field + "[" + i + "]";
            List<PrivilegeScope> scopes = new ArrayList<>();
            switch (g.getLevel()) {
                case MYSQL_GRANT_LEVEL_GLOBAL -> scopes.add(PrivilegeScope.global());
                case MYSQL_GRANT_LEVEL_DATABASE -> {
                    name(engine, Identifier.IDENTIFIER_DATABASE, f + ".database", g.getDatabase());
                    scopes.add(PrivilegeScope.database(g.getDatabase()));
                }
                case MYSQL_GRANT_LEVEL_TABLE -> {
                    name(engine, Identifier.IDENTIFIER_DATABASE, f + ".database", g.getDatabase());
                    if (g.getTable().equals("*")) {
                        scopes.add(PrivilegeScope.database(g.getDatabase()));
                    } else {
                        name(engine, Identifier.IDENTIFIER_TABLE, f + ".table", g.getTable());
                        scopes.add(PrivilegeScope.table(g.getDatabase(), g.getTable()));
                    }
                }
                case MYSQL_GRANT_LEVEL_COLUMN -> {
                    name(engine, Identifier.IDENTIFIER_DATABASE, f + ".database", g.getDatabase());
                    name(engine, Identifier.IDENTIFIER_TABLE, f + ".table", g.getTable());
                    if (g.getTable().equals("*")) {
                        throw new InvalidDefinition(f + ".table", "column grants need one table, not *");
                    }
                    if (g.getColumnsCount() == 0) {
                        throw new InvalidDefinition(f + ".columns", "at least one column is required");
                    }
                    for (int c = 0; c < g.getColumnsCount(); c++) {
                        name(engine, Identifier.IDENTIFIER_TABLE, f + ".columns[" + c + "]", g.getColumns(c));
                        scopes.add(PrivilegeScope.column(g.getDatabase(), g.getTable(), g.getColumns(c)));
                    }
                }
                case MYSQL_GRANT_LEVEL_PROCEDURE -> {
                    name(engine, Identifier.IDENTIFIER_DATABASE, f + ".database", g.getDatabase());
                    name(engine, Identifier.IDENTIFIER_TABLE, f + ".procedure", g.getProcedure());
                    scopes.add(PrivilegeScope.procedure(g.getDatabase(), g.getProcedure()));
                }
                case MYSQL_GRANT_LEVEL_FUNCTION -> {
                    name(engine, Identifier.IDENTIFIER_DATABASE, f + ".database", g.getDatabase());
                    name(engine, Identifier.IDENTIFIER_TABLE, f + ".function", g.getFunction());
                    scopes.add(PrivilegeScope.function(g.getDatabase(), g.getFunction()));
                }
                default -> throw new InvalidDefinition(f + ".level", "is required");
            }
            if (g.getPrivilegesCount() == 0) {
                throw new InvalidDefinition(f + ".privileges", "at least one privilege is required");
            }
            Level level = scopes.get(0).level();
            Set<String> privileges = new LinkedHashSet<>();
            boolean grantOption = g.hasWithGrantOption() && g.getWithGrantOption();
            for (int p = 0; p < g.getPrivilegesCount(); p++) {
                String privilege = MySqlPrivileges.normalize(g.getPrivileges(p));
                String pf = f + ".privileges[" + p + "]";
                MySqlPrivileges.problem(flavor, level, privilege).ifPresent(problem -> {
                    throw new InvalidDefinition(pf, problem);
                });
                if (privilege.equals(MySqlPrivileges.GRANT_OPTION)) {
                    grantOption = true;
                } else if (!privilege.equals(MySqlPrivileges.USAGE)) {
                    privileges.add(privilege);
                }
            }
            Boolean option = grantOption ? Boolean.TRUE : g.hasWithGrantOption() ? Boolean.FALSE : null;
            for (PrivilegeScope scope : scopes) {
                wanted.merge(scope, new Wanted(privileges, option), (a, b) -> {
                    Set<String> all = new LinkedHashSet<>(a.privileges());
                    all.addAll(b.privileges());
                    Boolean o = Boolean.TRUE.equals(a.grantOption()) || Boolean.TRUE.equals(b.grantOption())
                            ? Boolean.TRUE
                            : a.grantOption() != null ? a.grantOption() : b.grantOption();
                    return new Wanted(all, o);
                });
            }
        }
        return wanted;
    }
}
