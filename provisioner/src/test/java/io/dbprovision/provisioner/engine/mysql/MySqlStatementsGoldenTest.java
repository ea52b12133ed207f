package io.dbprovision.provisioner.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.provisioner.engine.EngineSession;
import io.dbprovision.provisioner.engine.Step;
import io.dbprovision.provisioner.engine.mysql.MySqlStatements.AuthMethod;
import io.dbprovision.provisioner.engine.mysql.MySqlStatements.ResourceLimits;
import io.dbprovision.provisioner.engine.mysql.MySqlStatements.TlsRequirement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every statement shape of {@link MySqlStatements}, rendered inline as plans show it (secrets redacted), compared
 * byte for byte with src/test/resources/golden/{mysql,mariadb}/<shape>.sql. MySQL 8 cannot run here, so these files
 * are its only coverage. {@code -Dgolden.update=true} rewrites them.
 */
class MySqlStatementsGoldenTest {
    private static final Grantee.Account APP = new Grantee.Account("app", "%");
    private static final Grantee.Account APP_LOCAL = new Grantee.Account("app", "10.0.0.%");
    private static final Grantee.Role ROLE = new Grantee.Role("readers");
    private static final String PASSWORD = "s3cret'pw\\";

    static {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
    }

    @ParameterizedTest
    @EnumSource(MySqlFlavor.class)
    void everyStatementShapeRendersAsItsGoldenFile(MySqlFlavor flavor) throws IOException {
        DSLContext render = DSL.using(flavor.dialect(), new Settings().withRenderFormatted(false));
        Path dir = Path.of("src/test/resources/golden", flavor == MySqlFlavor.MYSQL ? "mysql" : "mariadb");
        boolean update = Boolean.getBoolean("golden.update");
        for (var shape : shapes(new MySqlStatements(flavor)).entrySet()) {
            StringBuilder text = new StringBuilder();
            for (Step step : shape.getValue()) {
                String sql = render.renderInlined(step.redacted());
                assertThat(sql).doesNotContain("s3cret");
                text.append(sql).append(";\n");
            }
            Path file = dir.resolve(shape.getKey() + ".sql");
            if (update) {
                Files.createDirectories(dir);
                Files.writeString(file, text, StandardCharsets.UTF_8);
            }
            assertThat(file)
                    .as("golden file %s (-Dgolden.update=true rewrites it)", file)
                    .exists();
            assertThat(Files.readString(file, StandardCharsets.UTF_8))
                    .as(file.toString())
                    .isEqualTo(text.toString());
        }
    }

    private static Map<String, List<Step>> shapes(MySqlStatements s) {
        Map<String, List<Step>> shapes = new LinkedHashMap<>();
        shapes.put(
                "create_database",
                List.of(
                        of(s.createDatabase("appdb", "utf8mb4", "utf8mb4_unicode_ci")),
                        of(s.createDatabase("appdb", "latin1", "")),
                        of(s.createDatabase("appdb", "", "utf8mb4_bin")),
                        of(s.createDatabase("appdb", "", ""))));
        shapes.put(
                "alter_database",
                List.of(
                        of(s.alterDatabase("appdb", "utf8mb4", "utf8mb4_bin")),
                        of(s.alterDatabase("appdb", "latin1", "")),
                        of(s.alterDatabase("appdb", "", "utf8mb4_bin"))));
        shapes.put("drop_database", List.of(of(s.killConnection(42)), of(s.dropDatabase("appdb"))));
        shapes.put(
                "create_user",
                List.of(of(s.createUser(APP)), secret(p -> s.createUser(APP_LOCAL, AuthMethod.NATIVE_HASH, p))));
        if (s.flavor() == MySqlFlavor.MYSQL) {
            shapes.put(
                    "create_user_sha2",
                    List.of(
                            secret(p -> s.createUser(APP, AuthMethod.CACHING_SHA2, p)),
                            secret(p -> s.createUser(APP, AuthMethod.SHA256, p))));
            shapes.put("alter_password_sha2", List.of(secret(p -> s.alterPassword(APP, AuthMethod.CACHING_SHA2, p))));
        }
        shapes.put("alter_password", List.of(secret(p -> s.alterPassword(APP, AuthMethod.NATIVE_HASH, p))));
        shapes.put(
                "alter_user_require",
                List.of(
                        of(s.alterRequire(APP, TlsRequirement.SSL)),
                        of(s.alterRequire(APP, TlsRequirement.X509)),
                        of(s.alterRequire(APP, TlsRequirement.NONE))));
        shapes.put(
                "alter_user_limits",
                List.of(
                        of(s.alterLimits(APP, new ResourceLimits(100, 50, 20, 5))),
                        of(s.alterLimits(APP, new ResourceLimits(null, null, null, 0)))));
        shapes.put("alter_user_lock", List.of(of(s.alterLock(APP, true)), of(s.alterLock(APP, false))));
        shapes.put("drop_user", List.of(of(s.dropUser(APP)), of(s.dropUser(APP_LOCAL))));
        shapes.put("create_role", List.of(of(s.createRole("readers")), of(s.createEmulatedRole("readers"))));
        shapes.put("drop_role", List.of(of(s.dropRole("readers"))));
        shapes.put(
                "role_membership",
                List.of(
                        of(s.grantRole("readers", APP)),
                        of(s.grantRole("readers", ROLE)),
                        of(s.setDefaultRole("readers", APP)),
                        of(s.revokeRole("readers", APP)),
                        of(s.clearDefaultRole(APP))));
        Set<String> selectInsert = Set.of("SELECT");
        shapes.put(
                "grant",
                List.of(
                        of(s.grant(List.of("PROCESS", "RELOAD"), PrivilegeScope.global(), APP, false)),
                        of(s.grant(List.of("SELECT", "INSERT"), PrivilegeScope.database("appdb"), APP, false)),
                        of(s.grant(List.of(MySqlPrivileges.ALL), PrivilegeScope.database("appdb"), ROLE, true)),
                        of(s.grant(List.of("SELECT", "UPDATE"), PrivilegeScope.table("appdb", "orders"), APP, false)),
                        of(s.grant(
                                List.of("SELECT", "UPDATE"),
                                PrivilegeScope.column("appdb", "orders", "total"),
                                APP,
                                false)),
                        of(s.grant(List.of("EXECUTE"), PrivilegeScope.procedure("appdb", "close_day"), APP, false)),
                        of(s.grant(
                                List.of("EXECUTE", "ALTER ROUTINE"),
                                PrivilegeScope.function("appdb", "tax"),
                                APP,
                                true)),
                        of(s.grant(selectInsert, PrivilegeScope.table("appdb", "orders"), APP, true))));
        shapes.put(
                "revoke",
                List.of(
                        of(s.revoke(List.of("PROCESS"), PrivilegeScope.global(), APP)),
                        of(s.revoke(List.of(MySqlPrivileges.ALL), PrivilegeScope.database("appdb"), APP)),
                        of(s.revoke(List.of("UPDATE"), PrivilegeScope.column("appdb", "orders", "total"), APP)),
                        of(s.revoke(List.of("EXECUTE"), PrivilegeScope.procedure("appdb", "close_day"), ROLE)),
                        of(s.revokeGrantOption(PrivilegeScope.database("appdb"), APP))));
        shapes.put(
                "init_sql",
                List.of(
                        of(s.use("appdb")),
                        of(s.setRole("readers")),
                        of(s.verbatim("INSERT INTO t VALUES ('{0}', '?')")),
                        of(s.setRoleNone())));
        return shapes;
    }

    private static Step of(Query query) {
        return Step.of("golden", query);
    }

    private static Step secret(java.util.function.Function<String, Query> build) {
        return Step.withSecret(EngineSession.ADMIN_DATABASE, "golden", build, PASSWORD);
    }
}
