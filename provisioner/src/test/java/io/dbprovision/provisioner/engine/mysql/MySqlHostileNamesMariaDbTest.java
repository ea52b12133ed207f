package io.dbprovision.provisioner.engine.mysql;

import static io.dbprovision.provisioner.engine.mysql.MariaDbFixture.rootList;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.proto.engine.v1alpha1.DatabaseDefinition;
import io.dbprovision.proto.engine.v1alpha1.RoleDefinition;
import io.dbprovision.proto.engine.v1alpha1.UserDefinition;
import io.dbprovision.provisioner.engine.EngineException;
import io.dbprovision.provisioner.engine.EngineSession;
import io.dbprovision.provisioner.testing.HostileStrings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hostile names on the real MariaDB: a user, role or database named by each corpus string creates exactly that object
 * (the catalog compared before and after, names by their bytes) and nothing else, and its drop leaves the catalog as
 * it was; a name the engine cannot hold is refused with InvalidDefinition and touches nothing.
 */
class MySqlHostileNamesMariaDbTest {
    private static final String PREFIX = "dbpmy_";
    private static MariaDbFixture db;

    @BeforeAll
    static void open() {
        db = new MariaDbFixture();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void hostileUserNamesCreateExactlyThatAccount() {
        exercise(
                80,
                "SELECT CONCAT(HEX(User), '@', HEX(Host)) FROM mysql.user",
                name -> hex(name) + "@" + hex("%"),
                name -> s -> db.engine.ensureUser(
                        s,
                        UserDefinition.newBuilder()
                                .setName(name)
                                .setPassword("pw'\\")
                                .build()),
                name -> s -> db.engine.dropUser(s, name, ""));
    }

    @Test
    void hostileRoleNamesCreateExactlyThatRole() {
        exercise(
                80,
                "SELECT CONCAT(HEX(User), '@', HEX(Host)) FROM mysql.user",
                name -> hex(name) + "@",
                name -> s -> db.engine.ensureRole(
                        s, RoleDefinition.newBuilder().setName(name).build()),
                name -> s -> db.engine.dropRole(s, name, ""));
    }

    @Test
    void hostileDatabaseNamesCreateExactlyThatDatabase() {
        exercise(
                64 * 3,
                "SELECT HEX(SCHEMA_NAME) FROM information_schema.SCHEMATA",
                MySqlHostileNamesMariaDbTest::hex,
                name -> s -> db.engine.ensureDatabase(
                        s, DatabaseDefinition.newBuilder().setName(name).build()),
                name -> s -> db.engine.dropDatabase(s, name));
    }

    private void exercise(
            int maxBytes,
            String catalogQuery,
            java.util.function.Function<String, String> expectedRow,
            java.util.function.Function<String, Consumer<EngineSession>> create,
            java.util.function.Function<String, Consumer<EngineSession>> drop) {
        List<String> names = HostileStrings.prefixed(PREFIX, maxBytes, true);
        assertThat(names).hasSizeGreaterThan(200);
        List<String> refused = new ArrayList<>();
        int created = 0;
        for (String name : names) {
            Set<String> before = new TreeSet<>(rootList(catalogQuery));
            try {
                db.change(false, create.apply(name));
            } catch (EngineException.InvalidDefinition e) {
                refused.add(name);
                assertThat(new TreeSet<>(rootList(catalogQuery)))
                        .as("refused %s changes nothing", name)
                        .isEqualTo(before);
                continue;
            }
            Set<String> after = new TreeSet<>(rootList(catalogQuery));
            Set<String> added = new TreeSet<>(after);
            added.removeAll(before);
            assertThat(added).as("creating %s", name).containsExactly(expectedRow.apply(name));
            assertThat(after).containsAll(before);
            db.change(false, drop.apply(name));
            assertThat(new TreeSet<>(rootList(catalogQuery)))
                    .as("dropping %s", name)
                    .isEqualTo(before);
            created++;
        }
        assertThat(created).as("created (refused: %s)", refused.size()).isGreaterThan(150);
        assertThat(refused)
                .allMatch(n -> n.indexOf('\0') >= 0
                        || " \t\n\r\u000b\f".indexOf(n.charAt(n.length() - 1)) >= 0
                        || n.codePoints().anyMatch(cp -> cp > 0xFFFF)
                        || n.codePointCount(0, n.length()) > 64);
    }

    private static String hex(String s) {
        return HexFormat.of().withUpperCase().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }
}
