package io.dbprovision.apiserver.portal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EngineNamesTest {
    @Test
    void aNameCarriesItsNamespaceWithUnderscores() {
        assertThat(EngineNames.qualified("team-a", "orders-read-write", EngineNames.MYSQL_USER))
                .isEqualTo("team_a_orders_read_write");
    }

    @Test
    void twoNamespacesAskingForTheSameNameGetTwoNames() {
        assertThat(EngineNames.qualified("team-a", "orders", 63))
                .isNotEqualTo(EngineNames.qualified("team-b", "orders", 63));
    }

    @Test
    void aLongNameKeepsItsHeadAndEndsInAHashOfTheWhole() {
        String first = EngineNames.qualified("payments-platform", "ledger-entries-read-write", 32);
        String second = EngineNames.qualified("payments-platform", "ledger-entries-read-only", 32);
        assertThat(first).hasSize(32).startsWith("payments_platform_ledge_");
        assertThat(second).hasSize(32).isNotEqualTo(first);
        assertThat(EngineNames.qualified("payments-platform", "ledger-entries-read-write", 32))
                .isEqualTo(first);
    }

    @Test
    void aNameAtTheLimitIsKeptWhole() {
        String name = "n".repeat(10) + "_" + "x".repeat(21);
        assertThat(EngineNames.qualified("n".repeat(10), "x".repeat(21), 32)).isEqualTo(name);
    }
}
