package io.dbprovision.provisioner.engine.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.provisioner.engine.cockroach.CockroachStatements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every statement shape of PostgreSQL and CockroachDB rendered against golden files under
 * {@code src/test/resources/golden/<engine>/<shape>.sql}, byte for byte; {@code -Dgolden.update=true} rewrites them.
 */
class StatementsGoldenTest {
    private static final DSLContext RENDER = DSL.using(
            SQLDialect.POSTGRES, new Settings().withExecuteLogging(false).withRenderFormatted(false));

    static Stream<Arguments> shapes() {
        return Stream.concat(
                StatementShapes.of(new PostgresStatements()).entrySet().stream()
                        .map(e -> Arguments.of("postgres", e.getKey(), e.getValue())),
                StatementShapes.of(new CockroachStatements()).entrySet().stream()
                        .map(e -> Arguments.of("cockroachdb", e.getKey(), e.getValue())));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("shapes")
    void everyStatementShapeRendersAsItsGoldenFile(String engine, String shape, List<Query> queries)
            throws IOException {
        StringBuilder sql = new StringBuilder();
        for (Query q : queries) {
            sql.append(RENDER.renderInlined(q)).append(";\n");
        }
        Path file = Path.of("src/test/resources/golden", engine, shape + ".sql");
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(file.getParent());
            Files.writeString(file, sql, StandardCharsets.UTF_8);
        }
        assertThat(file).exists();
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(sql.toString());
        assertThat(sql.toString()).doesNotContain("SCRAM-SHA-256$");
    }
}
