package io.dbprovision.provisioner.engine.mysql;

import static io.dbprovision.provisioner.engine.EngineSession.ADMIN_DATABASE;

import io.dbprovision.proto.engine.v1alpha1.CheckInstanceResponse;
import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.DatabaseState;
import io.dbprovision.proto.engine.v1alpha1.GrantSet;
import io.dbprovision.proto.engine.v1alpha1.ObserveDatabaseResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveGrantsResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveRoleResponse;
import io.dbprovision.proto.engine.v1alpha1.ObserveUserResponse;
import io.dbprovision.proto.engine.v1alpha1.RoleDefinition;
import io.dbprovision.proto.engine.v1alpha1.RoleState;
import io.dbprovision.proto.engine.v1alpha1.RunInitSqlResponse;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.proto.engine.v1alpha1.UserState;
import io.dbprovision.proto.v1alpha1.DriftDiff;
import io.dbprovision.proto.v1alpha1.EngineType;
import io.dbprovision.proto.v1alpha1.Identifier;
import io.dbprovision.proto.v1alpha1.MySQLAuthPlugin;
import io.dbprovision.proto.v1alpha1.MySQLDatabaseConfig;
import io.dbprovision.proto.v1alpha1.MySQLGrant;
import io.dbprovision.proto.v1alpha1.MySQLGrantConfig;
import io.dbprovision.proto.v1alpha1.MySQLGrantLevel;
import io.dbprovision.proto.v1alpha1.MySQLRoleConfig;
import io.dbprovision.proto.v1alpha1.MySQLUserConfig;
import io.dbprovision.provisioner.engine.Engine;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.EngineException.InvalidDefinition;
import io.dbprovision.provisioner.engine.EngineSession;
import io.dbprovision.provisioner.engine.Step;
import io.dbprovision.provisioner.engine.mysql.MySqlCatalog.AccountRow;
import io.dbprovision.provisioner.engine.mysql.MySqlCatalog.Held;
import io.dbprovision.provisioner.engine.mysql.MySqlDefinitions.Wanted;
import io.dbprovision.provisioner.engine.mysql.MySqlStatements.AuthMethod;
import io.dbprovision.provisioner.engine.mysql.MySqlStatements.ResourceLimits;
import io.dbprovision.provisioner.engine.mysql.MySqlStatements.TlsRequirement;
import io.dbprovision.provisioner.engine.password.MySqlCachingSha2Password;
import io.dbprovision.provisioner.engine.password.MySqlNativePassword;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MySQL 8 / MariaDB 10.11 engine. Every "make it so" call validates the request against the engine's limits
 * (no SQL before that), reads the catalog ({@link MySqlCatalog}), compares, and hands only the statements the
 * difference needs ({@link MySqlStatements}) to the session, so a second identical call emits nothing. The flavor
 * is taken from the server's VERSION(), so a MariaDB behind engine type mysql is still spoken to as MariaDB.
 *
 * <p>Passwords: MariaDB has only mysql_native_password among the requested plugins; it receives the hash
 * ({@code IDENTIFIED BY PASSWORD '*...'}), never the plaintext, and a request for caching_sha2_password or
 * sha256_password is served with it and a note. MySQL 8 receives the hash for mysql_native_password and the password
 * for the SHA-2 plugins. A native password is compared with the stored hash and set only when it differs; a
 * caching_sha2_password string is salted: it cannot be recomputed but can be checked ({@link
 * MySqlCachingSha2Password}), so the password is set when it differs, as for the native hash; a sha256_password one
 * is set when the account is created or its plugin changes, and otherwise left as it is with a note.
 *
 * <p>Accounts exist per host (allowedHosts, default %). Accounts of the user on hosts no longer listed are reported
 * by ObserveUser as the destructive drift {@code allowedHosts.extra} and kept by EnsureUser (the request has no way
 * to ask for their removal; DropUser removes every account).
 */
public final class MySqlEngine implements Engine {
    private static final Logger log = LoggerFactory.getLogger(MySqlEngine.class);
    private static final Pattern VERSION_NUMBER = Pattern.compile("^(\\d+(?:\\.\\d+)*)");
    private static final int UNKNOWN_THREAD = 1094;

    @Override
    public Set<EngineType> types() {
        return Set.of(EngineType.ENGINE_TYPE_MYSQL, EngineType.ENGINE_TYPE_MARIADB);
    }

    // ---- instance

    @Override
    public CheckInstanceResponse check(EngineSession session) {
        String version = session.read(ADMIN_DATABASE, MySqlCatalog::version);
        MySqlFlavor flavor = MySqlFlavor.ofVersion(version);
        Matcher m = VERSION_NUMBER.matcher(version);
        CheckInstanceResponse.Builder response = CheckInstanceResponse.newBuilder()
                .setVersion(version)
                .setVersionNumber(m.find() ? m.group(1) : "")
                .setDetectedEngine(flavor.engineType());
        return session.read(ADMIN_DATABASE, ctx -> {
            MySqlCatalog catalog = new MySqlCatalog(ctx, flavor);
            response.addCapabilities("roles")
                    .addCapabilities("mysql_native_password")
                    .addCapabilities("resource-limits")
                    .addCapabilities("account-lock");
            if (flavor.hasShaPlugins()) {
                response.addCapabilities("caching_sha2_password").addCapabilities("sha256_password");
            }
            boolean tls = catalog.tlsInUse();
            if (tls || catalog.tlsAvailable()) {
                response.addCapabilities("ssl");
            }
            response.setTlsInUse(tls);
            Set<String> held = catalog.adminPrivileges();
            List<String> required = new ArrayList<>(List.of(
                    "CREATE", "DROP", "ALTER", "CREATE USER", "GRANT OPTION", "RELOAD", "PROCESS", "CONNECTION ADMIN"));
            if (flavor == MySqlFlavor.MYSQL) {
                required.add("ROLE ADMIN");
            }
            for (String privilege : required) {
                if (!held.contains(privilege)) {
                    String shown = flavor == MySqlFlavor.MYSQL && privilege.endsWith(" ADMIN")
                            ? privilege.replace(' ', '_')
                            : privilege;
                    response.addMissingPrivileges(shown + " ON *.*");
                }
            }
            if (!held.contains("SELECT") && !held.contains("SELECT ON mysql.*")) {
                response.addMissingPrivileges("SELECT ON mysql.*");
            }
            response.setAdminPrivilegesSufficient(response.getMissingPrivilegesCount() == 0);
            return response.build();
        });
    }

    // ---- databases

    @Override
    public Optional<ObserveDatabaseResponse> ensureDatabase(EngineSession session, DatabaseDefinition database) {
        EngineType engine = engine(session);
        MySqlDefinitions.name(engine, Identifier.IDENTIFIER_DATABASE, "database.name", database.getName());
        MySQLDatabaseConfig want = database.getMysql();
        MySqlDefinitions.charsetName("database.mysql.charset", want.getCharset());
        MySqlDefinitions.charsetName("database.mysql.collation", want.getCollation());
        Ctx c = ctx(session);
        String name = database.getName();
        Optional<String[]> actual = c.read(session, cat -> cat.schema(name));
        if (actual.isEmpty()) {
            session.run(Step.of(
                    "create database " + name, c.sql.createDatabase(name, want.getCharset(), want.getCollation())));
            // Its state is one more catalog read on the connection the call holds: cheaper than another call.
            return session.validateOnly() ? Optional.empty() : Optional.of(observeDatabase(session, database));
        }
        boolean charset = !want.getCharset().isEmpty() && !want.getCharset().equalsIgnoreCase(actual.get()[0]);
        boolean collation =
                !want.getCollation().isEmpty() && !want.getCollation().equalsIgnoreCase(actual.get()[1]);
        if (charset || collation) {
            session.run(Step.of(
                    "set character set and collation of database " + name,
                    c.sql.alterDatabase(name, want.getCharset(), want.getCollation())));
        }
        return Optional.empty();
    }

    @Override
    public void dropDatabase(EngineSession session, String name) {
        MySqlDefinitions.name(engine(session), Identifier.IDENTIFIER_DATABASE, "name", name);
        Ctx c = ctx(session);
        if (c.read(session, cat -> cat.schema(name)).isEmpty()) {
            return;
        }
        kill(session, c, name);
        session.run(Step.of("drop database " + name, c.sql.dropDatabase(name)));
    }

    @Override
    public void terminateConnections(EngineSession session, String database) {
        MySqlDefinitions.name(engine(session), Identifier.IDENTIFIER_DATABASE, "database", database);
        kill(session, ctx(session), database);
    }

    private void kill(EngineSession session, Ctx c, String database) {
        for (long id : c.read(session, cat -> cat.sessions(database))) {
            try {
                session.run(Step.of("end session " + id + " in database " + database, c.sql.killConnection(id)));
            } catch (EngineException.EngineRefused e) {
                if (e.vendorCode() != UNKNOWN_THREAD) {
                    throw e;
                }
                log.debug("Session {} of database {} ended before KILL", id, database);
            }
        }
    }

    @Override
    public ObserveDatabaseResponse observeDatabase(EngineSession session, DatabaseDefinition desired) {
        MySqlDefinitions.name(engine(session), Identifier.IDENTIFIER_DATABASE, "desired.name", desired.getName());
        Ctx c = ctx(session);
        String name = desired.getName();
        Optional<String[]> actual = c.read(session, cat -> cat.schema(name));
        ObserveDatabaseResponse.Builder response = ObserveDatabaseResponse.newBuilder();
        if (actual.isEmpty()) {
            return response.setExists(false).build();
        }
        long size = c.read(session, cat -> cat.sizeBytes(name));
        response.setExists(true)
                .setActual(DatabaseState.newBuilder()
                        .setName(name)
                        .setSizeBytes(size)
                        .setMysql(MySQLDatabaseConfig.newBuilder()
                                .setCharset(actual.get()[0])
                                .setCollation(actual.get()[1])));
        MySQLDatabaseConfig want = desired.getMysql();
        if (!want.getCharset().isEmpty() && !want.getCharset().equalsIgnoreCase(actual.get()[0])) {
            response.addDiffs(diff("charset", want.getCharset(), actual.get()[0], false));
        }
        if (!want.getCollation().isEmpty() && !want.getCollation().equalsIgnoreCase(actual.get()[1])) {
            response.addDiffs(diff("collation", want.getCollation(), actual.get()[1], false));
        }
        return response.build();
    }

    // ---- users

    @Override
    public Optional<ObserveUserResponse> ensureUser(
            EngineSession session, UserDefinition user, boolean removeUnlistedHosts) {
        EngineType engine = engine(session);
        MySqlDefinitions.name(engine, Identifier.IDENTIFIER_USER, "user.name", user.getName());
        MySqlDefinitions.secret("user.password", user.getPassword());
        MySQLUserConfig want = user.getMysql();
        List<String> hosts = MySqlDefinitions.hosts(want.getAllowedHostsList(), "user.mysql.allowedHosts");
        Ctx c = ctx(session);
        AuthMethod method = authMethod(session, c.flavor, want.getAuthPlugin());
        String name = user.getName();
        Map<String, AccountRow> accounts = userAccounts(c.read(session, cat -> cat.accounts(name)));
        boolean shaNoted = false;
        for (String host : hosts) {
            Grantee.Account account = new Grantee.Account(name, host);
            AccountRow row = accounts.get(host);
            if (row == null) {
                if (user.getPassword().isEmpty()) {
                    session.run(Step.of("create user " + account.label(), c.sql.createUser(account)));
                } else {
                    session.run(Step.withSecret(
                            ADMIN_DATABASE,
                            "create user " + account.label(),
                            s -> c.sql.createUser(account, method, s),
                            secretFor(method, user.getPassword())));
                }
                row = new AccountRow(host, method.plugin(), "", "", 0, 0, 0, 0, false, false, "");
            } else if (!user.getPassword().isEmpty()) {
                boolean pluginDiffers = !row.plugin().equals(method.plugin());
                if (method == AuthMethod.NATIVE_HASH) {
                    String hash = MySqlNativePassword.hash(user.getPassword());
                    if (pluginDiffers || !row.authenticationString().equalsIgnoreCase(hash)) {
                        session.run(Step.withSecret(
                                ADMIN_DATABASE,
                                "set password of " + account.label(),
                                s -> c.sql.alterPassword(account, method, s),
                                hash));
                    }
                } else {
                    // caching_sha2_password's salted digest can be checked (not recomputed); sha256_password's not.
                    Optional<Boolean> same = method == AuthMethod.CACHING_SHA2 && !pluginDiffers
                            ? MySqlCachingSha2Password.matches(row.authenticationString(), user.getPassword())
                            : Optional.empty();
                    if (pluginDiffers || same.equals(Optional.of(false))) {
                        session.run(Step.withSecret(
                                ADMIN_DATABASE,
                                "set password of " + account.label(),
                                s -> c.sql.alterPassword(account, method, s),
                                user.getPassword()));
                    } else if (same.isEmpty() && !shaNoted) {
                        shaNoted = true;
                        session.note("the password of " + method.plugin()
                                + " accounts cannot be compared with the stored one; it was left unchanged");
                    }
                }
            }
            ensureAccountAttributes(session, c, account, row, want);
        }
        for (String extra : accounts.keySet()) {
            if (hosts.contains(extra)) {
                continue;
            }
            if (removeUnlistedHosts) {
                Grantee.Account account = new Grantee.Account(name, extra);
                session.run(Step.of("drop user " + account.label(), c.sql.dropUser(account)));
            } else {
                session.note("account " + name + "@" + extra
                        + " is not in allowedHosts and was kept (removeUnlistedHosts drops it)");
            }
        }
        // A user this call created (no account existed): its state, read on the connection the call holds.
        return accounts.isEmpty() && !session.validateOnly()
                ? Optional.of(observeUser(session, user))
                : Optional.empty();
    }

    private void ensureAccountAttributes(
            EngineSession session, Ctx c, Grantee.Account account, AccountRow row, MySQLUserConfig want) {
        Optional<TlsRequirement> require = requirement(want);
        if (require.isPresent() && require.get() != requirementOf(row)) {
            session.run(Step.of(
                    "require " + require.get() + " for " + account.label(),
                    c.sql.alterRequire(account, require.get())));
        }
        ResourceLimits limits = new ResourceLimits(
                want.hasMaxQueriesPerHour() && want.getMaxQueriesPerHour() != row.maxQuestions()
                        ? want.getMaxQueriesPerHour()
                        : null,
                want.hasMaxUpdatesPerHour() && want.getMaxUpdatesPerHour() != row.maxUpdates()
                        ? want.getMaxUpdatesPerHour()
                        : null,
                want.hasMaxConnectionsPerHour() && want.getMaxConnectionsPerHour() != row.maxConnections()
                        ? want.getMaxConnectionsPerHour()
                        : null,
                want.hasMaxUserConnections() && want.getMaxUserConnections() != row.maxUserConnections()
                        ? want.getMaxUserConnections()
                        : null);
        if (!limits.isEmpty()) {
            session.run(Step.of("set resource limits of " + account.label(), c.sql.alterLimits(account, limits)));
        }
        if (want.hasAccountLocked() && want.getAccountLocked() != row.locked()) {
            session.run(Step.of(
                    (want.getAccountLocked() ? "lock " : "unlock ") + account.label(),
                    c.sql.alterLock(account, want.getAccountLocked())));
        }
    }

    @Override
    public void dropUser(EngineSession session, String name, String reassignOwnedTo) {
        MySqlDefinitions.name(engine(session), Identifier.IDENTIFIER_USER, "name", name);
        Ctx c = ctx(session);
        for (String host :
                userAccounts(c.read(session, cat -> cat.accounts(name))).keySet()) {
            Grantee.Account account = new Grantee.Account(name, host);
            session.run(Step.of("drop user " + account.label(), c.sql.dropUser(account)));
        }
    }

    @Override
    public ObserveUserResponse observeUser(EngineSession session, UserDefinition desired) {
        EngineType engine = engine(session);
        MySqlDefinitions.name(engine, Identifier.IDENTIFIER_USER, "desired.name", desired.getName());
        MySQLUserConfig want = desired.getMysql();
        List<String> hosts = MySqlDefinitions.hosts(want.getAllowedHostsList(), "desired.mysql.allowedHosts");
        Ctx c = ctx(session);
        String name = desired.getName();
        Map<String, AccountRow> accounts = userAccounts(c.read(session, cat -> cat.accounts(name)));
        ObserveUserResponse.Builder response = ObserveUserResponse.newBuilder().setExists(!accounts.isEmpty());
        if (accounts.isEmpty()) {
            return response.build();
        }
        AccountRow primary = hosts.stream()
                .map(accounts::get)
                .filter(a -> a != null)
                .findFirst()
                .orElse(accounts.values().iterator().next());
        MySQLUserConfig.Builder actual = MySQLUserConfig.newBuilder()
                .addAllAllowedHosts(accounts.keySet())
                .setMaxQueriesPerHour((int) primary.maxQuestions())
                .setMaxUpdatesPerHour((int) primary.maxUpdates())
                .setMaxConnectionsPerHour((int) primary.maxConnections())
                .setMaxUserConnections((int) primary.maxUserConnections())
                .setAuthPlugin(plugin(primary.plugin()))
                .setRequireSsl(requirementOf(primary) == TlsRequirement.SSL)
                .setRequireX509(requirementOf(primary) == TlsRequirement.X509)
                .setAccountLocked(primary.locked());
        UserState.Builder state = UserState.newBuilder().setName(name).setMysql(actual);
        AuthMethod method = authMethodQuiet(c.flavor, want.getAuthPlugin());
        if (!desired.getPassword().isEmpty() && method == AuthMethod.NATIVE_HASH) {
            String hash = MySqlNativePassword.hash(desired.getPassword());
            state.setPasswordMatches(accounts.values().stream()
                    .filter(a -> hosts.contains(a.host()))
                    .allMatch(a -> a.authenticationString().equalsIgnoreCase(hash)));
        } else if (!desired.getPassword().isEmpty() && method == AuthMethod.CACHING_SHA2) {
            List<Optional<Boolean>> same = accounts.values().stream()
                    .filter(a -> hosts.contains(a.host()))
                    .map(a -> a.plugin().equals(method.plugin())
                            ? MySqlCachingSha2Password.matches(a.authenticationString(), desired.getPassword())
                            : Optional.of(false))
                    .toList();
            if (same.stream().allMatch(Optional::isPresent)) {
                state.setPasswordMatches(same.stream().allMatch(Optional::get));
            }
        }
        response.setActual(state);

        List<String> missing =
                hosts.stream().filter(h -> !accounts.containsKey(h)).toList();
        List<String> extra =
                accounts.keySet().stream().filter(h -> !hosts.contains(h)).toList();
        if (!missing.isEmpty()) {
            response.addDiffs(diff("allowedHosts.missing", String.join(", ", missing), "", false));
        }
        if (!extra.isEmpty()) {
            response.addDiffs(diff("allowedHosts.extra", "", String.join(", ", extra), true));
        }
        Map<String, String[]> fields = new LinkedHashMap<>();
        for (String host : hosts) {
            AccountRow a = accounts.get(host);
            if (a == null) {
                continue;
            }
            compare(
                    fields,
                    host,
                    "maxQueriesPerHour",
                    want.hasMaxQueriesPerHour(),
                    want.getMaxQueriesPerHour(),
                    a.maxQuestions());
            compare(
                    fields,
                    host,
                    "maxUpdatesPerHour",
                    want.hasMaxUpdatesPerHour(),
                    want.getMaxUpdatesPerHour(),
                    a.maxUpdates());
            compare(
                    fields,
                    host,
                    "maxConnectionsPerHour",
                    want.hasMaxConnectionsPerHour(),
                    want.getMaxConnectionsPerHour(),
                    a.maxConnections());
            compare(
                    fields,
                    host,
                    "maxUserConnections",
                    want.hasMaxUserConnections(),
                    want.getMaxUserConnections(),
                    a.maxUserConnections());
            Optional<TlsRequirement> require = requirement(want);
            if (require.isPresent()) {
                TlsRequirement r = requirementOf(a);
                if (want.hasRequireX509() && want.getRequireX509() != (r == TlsRequirement.X509)) {
                    add(fields, host, "requireX509", want.getRequireX509(), r == TlsRequirement.X509);
                }
                if (want.hasRequireSsl()
                        && !want.getRequireX509()
                        && want.getRequireSsl() != (r == TlsRequirement.SSL)) {
                    add(fields, host, "requireSSL", want.getRequireSsl(), r == TlsRequirement.SSL);
                }
            }
            if (want.hasAccountLocked() && want.getAccountLocked() != a.locked()) {
                add(fields, host, "accountLocked", want.getAccountLocked(), a.locked());
            }
            if (want.getAuthPlugin() != MySQLAuthPlugin.MYSQL_AUTH_PLUGIN_UNSPECIFIED
                    && !method.plugin().equals(a.plugin())) {
                add(fields, host, "authPlugin", method.plugin(), a.plugin());
            }
        }
        fields.forEach((field, values) -> response.addDiffs(diff(field, values[0], values[1], false)));
        if (state.hasPasswordMatches() && !state.getPasswordMatches()) {
            response.addDiffs(diff("password", "<redacted>", "<differs>", false));
        }
        response.addAllOwnedObjects(c.read(session, cat -> cat.ownedBy(name, List.copyOf(accounts.keySet()))));
        return response.build();
    }

    private static void compare(
            Map<String, String[]> fields, String host, String field, boolean set, long want, long actual) {
        if (set && want != actual) {
            add(fields, host, field, want, actual);
        }
    }

    /** One diff per field; with several hosts the actual value names each differing host. */
    private static void add(Map<String, String[]> fields, String host, String field, Object want, Object actual) {
        fields.merge(field, new String[] {String.valueOf(want), host + ": " + actual}, (a, b) ->
                new String[] {a[0], a[1] + "; " + b[1]});
    }

    // ---- roles

    @Override
    public void ensureRole(EngineSession session, RoleDefinition role) {
        EngineType engine = engine(session);
        MySqlDefinitions.name(engine, Identifier.IDENTIFIER_ROLE, "role.name", role.getName());
        MySQLRoleConfig want = role.getMysql();
        Map<PrivilegeScope, Wanted> scopes =
                MySqlDefinitions.scopes(engine, MySqlFlavor.of(engine), want.getGrantsList(), "role.mysql.grants");
        boolean nativeRole = !want.hasUseNativeRoles() || want.getUseNativeRoles();
        Ctx c = ctx(session);
        String name = role.getName();
        Grantee grantee = roleGrantee(c.flavor, name, nativeRole);
        boolean exists = nativeRole
                ? c.read(session, cat -> cat.roleExists(name))
                : c.read(session, cat -> cat.accounts(name)).stream()
                        .anyMatch(a -> a.host().equals("%"));
        if (!exists) {
            session.run(Step.of(
                    "create role " + name, nativeRole ? c.sql.createRole(name) : c.sql.createEmulatedRole(name)));
        }
        applyScopes(session, c, List.of(grantee), scopes, false);
    }

    @Override
    public void dropRole(EngineSession session, String name, String reassignOwnedTo) {
        MySqlDefinitions.name(engine(session), Identifier.IDENTIFIER_ROLE, "name", name);
        Ctx c = ctx(session);
        List<AccountRow> rows = c.read(session, cat -> cat.accounts(name));
        if (c.flavor == MySqlFlavor.MARIADB && rows.stream().anyMatch(AccountRow::role)) {
            session.run(Step.of("drop role " + name, c.sql.dropRole(name)));
        } else if (rows.stream().anyMatch(a -> a.host().equals("%") && !a.role())) {
            // An emulated role (or a MySQL 8 role, which is an account 'role'@'%'): DROP USER removes either.
            session.run(Step.of("drop role " + name, c.sql.dropUser(new Grantee.Account(name, "%"))));
        }
    }

    @Override
    public ObserveRoleResponse observeRole(EngineSession session, RoleDefinition desired) {
        EngineType engine = engine(session);
        MySqlDefinitions.name(engine, Identifier.IDENTIFIER_ROLE, "desired.name", desired.getName());
        MySQLRoleConfig want = desired.getMysql();
        Map<PrivilegeScope, Wanted> scopes =
                MySqlDefinitions.scopes(engine, MySqlFlavor.of(engine), want.getGrantsList(), "desired.mysql.grants");
        Ctx c = ctx(session);
        String name = desired.getName();
        List<AccountRow> rows = c.read(session, cat -> cat.accounts(name));
        boolean nativeRole = c.flavor == MySqlFlavor.MARIADB
                ? rows.stream().anyMatch(AccountRow::role)
                : rows.stream().anyMatch(a -> a.host().equals("%"));
        boolean emulated = c.flavor == MySqlFlavor.MARIADB
                && rows.stream().anyMatch(a -> a.host().equals("%") && !a.role());
        ObserveRoleResponse.Builder response = ObserveRoleResponse.newBuilder();
        if (!nativeRole && !emulated) {
            return response.setExists(false).build();
        }
        Grantee grantee = roleGrantee(c.flavor, name, nativeRole);
        Map<PrivilegeScope, Held> held = c.read(session, cat -> cat.grants(grantee));
        response.setExists(true)
                .setActual(RoleState.newBuilder()
                        .setName(name)
                        .setMysql(MySQLRoleConfig.newBuilder()
                                .setUseNativeRoles(nativeRole)
                                .addAllGrants(asGrants(held))));
        boolean wantNative = !want.hasUseNativeRoles() || want.getUseNativeRoles();
        if (want.hasUseNativeRoles() && wantNative != nativeRole) {
            response.addDiffs(diff("useNativeRoles", String.valueOf(wantNative), String.valueOf(nativeRole), true));
        }
        for (var e : scopes.entrySet()) {
            grantDiffs(GrantComparison.of(c.flavor, e.getKey(), e.getValue(), held), response::addDiffs);
        }
        return response.build();
    }

    private static Grantee roleGrantee(MySqlFlavor flavor, String name, boolean nativeRole) {
        return flavor == MySqlFlavor.MARIADB && nativeRole ? new Grantee.Role(name) : new Grantee.Account(name, "%");
    }

    // ---- grants

    @Override
    public void applyGrants(EngineSession session, GrantSet grants, boolean revokeUnlisted) {
        Validated v = validate(session, grants, "grants");
        Ctx c = ctx(session);
        List<Grantee> grantees = grantees(session, c, grants, true);
        applyScopes(session, c, grantees, v.scopes, revokeUnlisted);
        for (Grantee grantee : grantees) {
            Set<String> held = c.read(session, cat -> cat.memberships(grantee));
            Set<String> after = new LinkedHashSet<>(held);
            for (String role : v.roles) {
                if (!held.contains(role)) {
                    session.run(
                            Step.of("grant role " + role + " to " + grantee.label(), c.sql.grantRole(role, grantee)));
                    after.add(role);
                }
            }
            if (revokeUnlisted) {
                for (String role : held) {
                    if (!v.roles.contains(role)) {
                        session.run(Step.of(
                                "revoke role " + role + " from " + grantee.label(), c.sql.revokeRole(role, grantee)));
                        after.remove(role);
                    }
                }
            }
            if (grantee instanceof Grantee.Account account) {
                defaultRoles(session, c, account, v.roles, after);
            }
        }
    }

    /** Makes the memberships take effect at login (a member's roles are otherwise inactive until SET ROLE). */
    private void defaultRoles(
            EngineSession session, Ctx c, Grantee.Account account, List<String> listed, Set<String> after) {
        Set<String> defaults = c.read(session, cat -> cat.defaultRoles(account));
        if (after.isEmpty()) {
            if (!defaults.isEmpty()) {
                session.run(Step.of("clear default role of " + account.label(), c.sql.clearDefaultRole(account)));
            }
            return;
        }
        if (c.flavor == MySqlFlavor.MARIADB) {
            // One default role only: keep a current one that is still granted, else the first listed one.
            if (defaults.stream().noneMatch(after::contains)) {
                String role = listed.stream()
                        .filter(after::contains)
                        .findFirst()
                        .orElse(after.iterator().next());
                session.run(Step.of(
                        "make " + role + " the default role of " + account.label(),
                        c.sql.setDefaultRole(role, account)));
            }
        } else if (!defaults.containsAll(after)) {
            session.run(Step.of(
                    "make every granted role a default role of " + account.label(), c.sql.setDefaultRole("", account)));
        }
    }

    private void applyScopes(
            EngineSession session,
            Ctx c,
            List<Grantee> grantees,
            Map<PrivilegeScope, Wanted> scopes,
            boolean revokeUnlisted) {
        if (scopes.isEmpty()) {
            return;
        }
        for (Grantee grantee : grantees) {
            Map<PrivilegeScope, Held> held = c.read(session, cat -> cat.grants(grantee));
            for (var e : scopes.entrySet()) {
                GrantComparison cmp = GrantComparison.of(c.flavor, e.getKey(), e.getValue(), held);
                PrivilegeScope scope = e.getKey();
                String where = " on " + scope.label() + " to " + grantee.label();
                if (!cmp.missing().isEmpty() || cmp.grantOptionMissing()) {
                    Set<String> privileges = cmp.missing().isEmpty() ? cmp.wanted() : cmp.missing();
                    if (privileges.isEmpty()) {
                        privileges = Set.of(MySqlPrivileges.USAGE);
                    }
                    session.run(Step.of(
                            "grant " + String.join(", ", privileges) + where,
                            c.sql.grant(privileges, scope, grantee, cmp.grantOptionMissing())));
                }
                if (revokeUnlisted && !cmp.extra().isEmpty()) {
                    session.run(Step.of(
                            "revoke " + String.join(", ", cmp.extra()) + " on " + scope.label() + " from "
                                    + grantee.label(),
                            c.sql.revoke(cmp.extra(), scope, grantee)));
                }
                if (revokeUnlisted && cmp.grantOptionExtra()) {
                    session.run(Step.of(
                            "revoke GRANT OPTION on " + scope.label() + " from " + grantee.label(),
                            c.sql.revokeGrantOption(scope, grantee)));
                }
            }
        }
    }

    @Override
    public void revokeGrants(EngineSession session, GrantSet grants) {
        Validated v = validate(session, grants, "grants");
        Ctx c = ctx(session);
        List<Grantee> grantees = grantees(session, c, grants, false);
        for (Grantee grantee : grantees) {
            Map<PrivilegeScope, Held> held = c.read(session, cat -> cat.grants(grantee));
            for (var e : v.scopes.entrySet()) {
                PrivilegeScope scope = e.getKey();
                Held h = held.getOrDefault(scope, new Held(Set.of(), false));
                Set<String> revoke = new LinkedHashSet<>();
                if (e.getValue().privileges().contains(MySqlPrivileges.ALL)) {
                    if (!h.privileges().isEmpty()) {
                        revoke.add(MySqlPrivileges.ALL);
                    }
                } else {
                    for (String p : e.getValue().privileges()) {
                        if (h.privileges().contains(p)) {
                            revoke.add(p);
                        }
                    }
                }
                if (!revoke.isEmpty()) {
                    session.run(Step.of(
                            "revoke " + String.join(", ", revoke) + " on " + scope.label() + " from " + grantee.label(),
                            c.sql.revoke(revoke, scope, grantee)));
                }
                boolean heldOption = scope.level() == PrivilegeScope.Level.COLUMN
                        ? held.getOrDefault(PrivilegeScope.table(scope.database(), scope.object()), h)
                                .grantOption()
                        : h.grantOption();
                if (Boolean.TRUE.equals(e.getValue().grantOption()) && heldOption) {
                    session.run(Step.of(
                            "revoke GRANT OPTION on " + scope.label() + " from " + grantee.label(),
                            c.sql.revokeGrantOption(scope, grantee)));
                }
            }
            Set<String> memberships = c.read(session, cat -> cat.memberships(grantee));
            Set<String> after = new LinkedHashSet<>(memberships);
            for (String role : v.roles) {
                if (memberships.contains(role)) {
                    session.run(Step.of(
                            "revoke role " + role + " from " + grantee.label(), c.sql.revokeRole(role, grantee)));
                    after.remove(role);
                }
            }
            if (grantee instanceof Grantee.Account account && !after.equals(memberships)) {
                defaultRoles(session, c, account, List.copyOf(after), after);
            }
        }
    }

    @Override
    public ObserveGrantsResponse observeGrants(EngineSession session, GrantSet desired) {
        Validated v = validate(session, desired, "desired");
        Ctx c = ctx(session);
        List<Grantee> grantees = grantees(session, c, desired, false);
        Map<String, DriftDiff> diffs = new LinkedHashMap<>();
        Map<PrivilegeScope, Set<String>> heldWanted = new LinkedHashMap<>();
        Map<PrivilegeScope, Set<String>> unlisted = new LinkedHashMap<>();
        Set<String> rolesHeld = new LinkedHashSet<>(v.roles);
        Set<String> rolesExtra = new LinkedHashSet<>();
        if (grantees.isEmpty()) {
            rolesHeld.clear();
        }
        for (Grantee grantee : grantees) {
            Map<PrivilegeScope, Held> held = c.read(session, cat -> cat.grants(grantee));
            for (var e : v.scopes.entrySet()) {
                GrantComparison cmp = GrantComparison.of(c.flavor, e.getKey(), e.getValue(), held);
                grantDiffs(cmp, d -> diffs.putIfAbsent(d.getField(), d));
                heldWanted.merge(e.getKey(), cmp.heldWanted(), (a, b) -> {
                    Set<String> s = new LinkedHashSet<>(a);
                    s.retainAll(b);
                    return s;
                });
                if (!cmp.extra().isEmpty()) {
                    unlisted.computeIfAbsent(e.getKey(), k -> new LinkedHashSet<>())
                            .addAll(cmp.extra());
                }
            }
            Set<String> memberships = c.read(session, cat -> cat.memberships(grantee));
            rolesHeld.retainAll(memberships);
            for (String role : memberships) {
                if (!v.roles.contains(role)) {
                    rolesExtra.add(role);
                }
            }
        }
        if (grantees.isEmpty()) {
            for (var e : v.scopes.entrySet()) {
                grantDiffs(
                        GrantComparison.of(c.flavor, e.getKey(), e.getValue(), Map.of()),
                        d -> diffs.putIfAbsent(d.getField(), d));
            }
        }
        List<String> rolesMissing =
                v.roles.stream().filter(r -> !rolesHeld.contains(r)).toList();
        ObserveGrantsResponse.Builder response = ObserveGrantsResponse.newBuilder();
        if (!rolesMissing.isEmpty()) {
            response.addDiffs(diff("roles.missing", String.join(", ", rolesMissing), "", false));
        }
        if (!rolesExtra.isEmpty()) {
            response.addDiffs(diff("roles.extra", "", String.join(", ", rolesExtra), true));
        }
        response.addAllDiffs(diffs.values());
        response.setHeld(GrantSet.newBuilder()
                .setGrantee(desired.getGrantee())
                .addAllGranteeHosts(desired.getGranteeHostsList())
                .setMysql(MySQLGrantConfig.newBuilder().addAllRoles(rolesHeld).addAllGrants(asGrants(heldWanted))));
        response.setUnlisted(GrantSet.newBuilder()
                .setGrantee(desired.getGrantee())
                .addAllGranteeHosts(desired.getGranteeHostsList())
                .setMysql(MySQLGrantConfig.newBuilder().addAllRoles(rolesExtra).addAllGrants(asGrants(unlisted))));
        return response.build();
    }

    private static void grantDiffs(GrantComparison cmp, java.util.function.Consumer<DriftDiff> out) {
        String base = "grants." + cmp.scope().label();
        String held = String.join(", ", cmp.held());
        if (!cmp.missing().isEmpty()) {
            out.accept(diff(base + ".missing", String.join(", ", cmp.missing()), held, false));
        }
        if (!cmp.extra().isEmpty()) {
            out.accept(diff(base + ".extra", String.join(", ", cmp.wanted()), String.join(", ", cmp.extra()), true));
        }
        if (cmp.grantOptionMissing()) {
            out.accept(diff(base + ".grantOption", "true", "false", false));
        }
        if (cmp.grantOptionExtra()) {
            out.accept(diff(base + ".grantOption", "false", "true", true));
        }
    }

    private record Validated(Map<PrivilegeScope, Wanted> scopes, List<String> roles) {}

    private Validated validate(EngineSession session, GrantSet set, String field) {
        EngineType engine = engine(session);
        MySqlDefinitions.name(engine, Identifier.IDENTIFIER_USER, field + ".grantee", set.getGrantee());
        for (int i = 0; i < set.getGranteeHostsCount(); i++) {
            MySqlDefinitions.host(field + ".granteeHosts[" + i + "]", set.getGranteeHosts(i));
        }
        MySQLGrantConfig mysql = set.getMysql();
        List<String> roles = new ArrayList<>();
        for (int i = 0; i < mysql.getRolesCount(); i++) {
            MySqlDefinitions.name(
                    engine, Identifier.IDENTIFIER_ROLE, field + ".mysql.roles[" + i + "]", mysql.getRoles(i));
            if (!roles.contains(mysql.getRoles(i))) {
                roles.add(mysql.getRoles(i));
            }
        }
        return new Validated(
                MySqlDefinitions.scopes(engine, MySqlFlavor.of(engine), mysql.getGrantsList(), field + ".mysql.grants"),
                roles);
    }

    /**
     * The listed hosts' accounts; without hosts the MariaDB role of that name, or every account of the user (a MySQL
     * 8 role is its account 'role'@'%'). A grantee that does not exist is an error for apply, nothing for the others.
     */
    private List<Grantee> grantees(EngineSession session, Ctx c, GrantSet set, boolean required) {
        String name = set.getGrantee();
        if (set.getGranteeHostsCount() > 0) {
            return set.getGranteeHostsList().stream()
                    .distinct()
                    .map(h -> (Grantee) new Grantee.Account(name, h))
                    .toList();
        }
        List<AccountRow> rows = c.read(session, cat -> cat.accounts(name));
        List<Grantee> grantees = rows.stream().anyMatch(AccountRow::role)
                ? List.of(new Grantee.Role(name))
                : rows.stream()
                        .map(a -> (Grantee) new Grantee.Account(name, a.host()))
                        .toList();
        if (grantees.isEmpty() && required) {
            throw new InvalidDefinition("grants.grantee", "no user or role named " + name + " exists");
        }
        return grantees;
    }

    /** Held privileges as MySQLGrants (columns of one table and privilege set folded into one grant). */
    private static List<MySQLGrant> asGrants(Map<PrivilegeScope, ? extends Object> held) {
        List<MySQLGrant> grants = new ArrayList<>();
        for (var e : held.entrySet()) {
            Set<String> privileges;
            boolean option = false;
            if (e.getValue() instanceof Held h) {
                privileges = h.privileges();
                option = h.grantOption();
            } else {
                @SuppressWarnings("unchecked")
                Set<String> s = (Set<String>) e.getValue();
                privileges = s;
            }
            if (privileges.isEmpty()) {
                continue;
            }
            PrivilegeScope scope = e.getKey();
            MySQLGrant.Builder g = MySQLGrant.newBuilder()
                    .addAllPrivileges(privileges)
                    .setWithGrantOption(option)
                    .setLevel(
                            switch (scope.level()) {
                                case GLOBAL -> MySQLGrantLevel.MYSQL_GRANT_LEVEL_GLOBAL;
                                case DATABASE -> MySQLGrantLevel.MYSQL_GRANT_LEVEL_DATABASE;
                                case TABLE -> MySQLGrantLevel.MYSQL_GRANT_LEVEL_TABLE;
                                case COLUMN -> MySQLGrantLevel.MYSQL_GRANT_LEVEL_COLUMN;
                                case PROCEDURE -> MySQLGrantLevel.MYSQL_GRANT_LEVEL_PROCEDURE;
                                case FUNCTION -> MySQLGrantLevel.MYSQL_GRANT_LEVEL_FUNCTION;
                            })
                    .setDatabase(scope.database());
            switch (scope.level()) {
                case TABLE -> g.setTable(scope.object());
                case COLUMN -> g.setTable(scope.object()).addColumns(scope.column());
                case PROCEDURE -> g.setProcedure(scope.object());
                case FUNCTION -> g.setFunction(scope.object());
                default -> {}
            }
            grants.add(g.build());
        }
        return grants;
    }

    // ---- init SQL

    @Override
    public RunInitSqlResponse runInitSql(
            EngineSession session, String database, String runAsRole, List<String> statements) {
        EngineType engine = engine(session);
        MySqlDefinitions.name(engine, Identifier.IDENTIFIER_DATABASE, "database", database);
        if (!runAsRole.isEmpty()) {
            MySqlDefinitions.name(engine, Identifier.IDENTIFIER_ROLE, "runAsRole", runAsRole);
        }
        MySqlStatements sql = new MySqlStatements(MySqlFlavor.of(engine));
        List<Step> steps = new ArrayList<>();
        steps.add(Step.in(database, "use database " + database, sql.use(database)));
        if (!runAsRole.isEmpty()) {
            steps.add(Step.in(database, "set role " + runAsRole, sql.setRole(runAsRole)));
        }
        int prefix = steps.size();
        for (int i = 0; i < statements.size(); i++) {
            String purpose = "init SQL statement " + (i + 1) + " of " + statements.size() + " in " + database;
            steps.add(Step.in(database, purpose, sql.verbatim(statements.get(i))));
        }
        // No SET ROLE NONE at the end: the session does not return a connection that ran these to its pool.
        RunInitSqlResponse.Builder response = RunInitSqlResponse.newBuilder().setHash(hash(statements));
        int succeeded = session.runOnOneConnection(database, steps, true);
        int executed = Math.min(Math.max(succeeded - prefix, 0), statements.size());
        response.setStatementsExecuted(executed);
        if (succeeded < steps.size()) {
            response.setError(session.lastFailure()
                    .map(e -> e instanceof EngineException.EngineRefused r
                                    && !r.sqlState().isEmpty()
                            ? "SQLSTATE " + r.sqlState() + ": " + e.getMessage()
                            : e.getMessage())
                    .orElse("statement " + (executed + 1) + " failed"));
        }
        return response.build();
    }

    /** SHA-256 hex of the statements joined with "\n---\n", as status.initSQL.hash. */
    static String hash(List<String> statements) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(String.join("\n---\n", statements).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- helpers

    /** The detected flavor with its statements and catalog reads, for one call. */
    private record Ctx(MySqlFlavor flavor, MySqlStatements sql) {
        <T> T read(EngineSession session, Function<MySqlCatalog, T> query) {
            return session.read(ADMIN_DATABASE, (DSLContext ctx) -> query.apply(new MySqlCatalog(ctx, flavor)));
        }
    }

    private static Ctx ctx(EngineSession session) {
        MySqlFlavor flavor = MySqlFlavor.ofVersion(session.read(ADMIN_DATABASE, MySqlCatalog::handshakeVersion));
        return new Ctx(flavor, new MySqlStatements(flavor));
    }

    private static EngineType engine(EngineSession session) {
        return session.instance().getEngine();
    }

    /** Accounts of a user by host, roles (MariaDB is_role) left out. */
    private static Map<String, AccountRow> userAccounts(List<AccountRow> rows) {
        Map<String, AccountRow> accounts = new LinkedHashMap<>();
        for (AccountRow r : rows) {
            if (!r.role()) {
                accounts.put(r.host(), r);
            }
        }
        return accounts;
    }

    private static AuthMethod authMethod(EngineSession session, MySqlFlavor flavor, MySQLAuthPlugin plugin) {
        AuthMethod method = authMethodQuiet(flavor, plugin);
        AuthMethod requested = requested(plugin);
        if (method != requested && plugin != MySQLAuthPlugin.MYSQL_AUTH_PLUGIN_UNSPECIFIED) {
            session.note(requested.plugin() + " does not exist on MariaDB; mysql_native_password is used (the server"
                    + " receives its hash, not the password)");
        }
        return method;
    }

    private static AuthMethod requested(MySQLAuthPlugin plugin) {
        return switch (plugin) {
            case MYSQL_AUTH_PLUGIN_MYSQL_NATIVE_PASSWORD -> AuthMethod.NATIVE_HASH;
            case MYSQL_AUTH_PLUGIN_SHA256_PASSWORD -> AuthMethod.SHA256;
            default -> AuthMethod.CACHING_SHA2;
        };
    }

    private static AuthMethod authMethodQuiet(MySqlFlavor flavor, MySQLAuthPlugin plugin) {
        AuthMethod requested = requested(plugin);
        return flavor.hasShaPlugins() ? requested : AuthMethod.NATIVE_HASH;
    }

    private static String secretFor(AuthMethod method, String password) {
        return method == AuthMethod.NATIVE_HASH ? MySqlNativePassword.hash(password) : password;
    }

    private static MySQLAuthPlugin plugin(String name) {
        return switch (name) {
            case "mysql_native_password" -> MySQLAuthPlugin.MYSQL_AUTH_PLUGIN_MYSQL_NATIVE_PASSWORD;
            case "caching_sha2_password" -> MySQLAuthPlugin.MYSQL_AUTH_PLUGIN_CACHING_SHA2_PASSWORD;
            case "sha256_password" -> MySQLAuthPlugin.MYSQL_AUTH_PLUGIN_SHA256_PASSWORD;
            default -> MySQLAuthPlugin.MYSQL_AUTH_PLUGIN_UNSPECIFIED;
        };
    }

    private static Optional<TlsRequirement> requirement(MySQLUserConfig want) {
        if (want.hasRequireX509() && want.getRequireX509()) {
            return Optional.of(TlsRequirement.X509);
        }
        if (want.hasRequireSsl() && want.getRequireSsl()) {
            return Optional.of(TlsRequirement.SSL);
        }
        return want.hasRequireX509() || want.hasRequireSsl() ? Optional.of(TlsRequirement.NONE) : Optional.empty();
    }

    private static TlsRequirement requirementOf(AccountRow row) {
        return switch (row.sslType().toUpperCase(Locale.ROOT)) {
            case "ANY" -> TlsRequirement.SSL;
            case "X509", "SPECIFIED" -> TlsRequirement.X509;
            default -> TlsRequirement.NONE;
        };
    }

    private static DriftDiff diff(String field, String expected, String actual, boolean destructive) {
        return DriftDiff.newBuilder()
                .setField(field)
                .setExpected(expected)
                .setActual(actual)
                .setDestructive(destructive)
                .build();
    }
}
