package io.dbprovision.provisioner.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HostileStringsTest {
    @Test
    void theCorpusHoldsAtLeastTwoHundredDistinctStrings() {
        assertThat(HostileStrings.all()).hasSizeGreaterThanOrEqualTo(200).doesNotHaveDuplicates();
    }

    @Test
    void theCorpusCoversEveryClassOfHostileCharacter() {
        String joined = String.join("", HostileStrings.all());
        assertThat(joined).contains("'", "\"", "`", ";", "--", "/*", "\u0000", "\\", "\n", "$$", "\u202e", "\uff07");
        assertThat(HostileStrings.all()).anyMatch(s -> s.length() > 255);
    }

    @Test
    void prefixedStringsFitTheirLimitAndKeepThePrefix() {
        assertThat(HostileStrings.prefixed("t_", 63, false))
                .hasSizeGreaterThan(150)
                .allMatch(s -> s.startsWith("t_"))
                .allMatch(s -> s.getBytes(StandardCharsets.UTF_8).length <= 63)
                .noneMatch(s -> s.indexOf('\u0000') >= 0);
    }
}
