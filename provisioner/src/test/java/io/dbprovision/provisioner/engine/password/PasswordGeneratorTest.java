package io.dbprovision.provisioner.engine.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbprovision.proto.v1alpha1.PasswordConfig;
import io.dbprovision.provisioner.engine.EngineException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PasswordGeneratorTest {
    private final PasswordGenerator generator = new PasswordGenerator();

    @Test
    void theDefaultIs32CharactersOfLettersDigitsAndSpecials() {
        String password = generator.generate(PasswordConfig.getDefaultInstance());
        assertThat(password).hasSize(32);
        assertThat(PasswordGenerator.alphabet(PasswordConfig.getDefaultInstance()))
                .isEqualTo(PasswordGenerator.LETTERS_AND_DIGITS + "!@#$%^&*");
    }

    @Test
    void lengthIsHonouredWithinEightTo128() {
        assertThat(generator.generate(PasswordConfig.newBuilder().setLength(8).build()))
                .hasSize(8);
        assertThat(generator.generate(PasswordConfig.newBuilder().setLength(128).build()))
                .hasSize(128);
        for (int bad : new int[] {0, 7, 129}) {
            assertThatThrownBy(() -> generator.generate(
                            PasswordConfig.newBuilder().setLength(bad).build()))
                    .isInstanceOfSatisfying(
                            EngineException.InvalidDefinition.class,
                            e -> assertThat(e.field()).isEqualTo("policy.length"));
        }
    }

    @Test
    void withoutSpecialCharactersOnlyLettersAndDigitsAreDrawn() {
        PasswordConfig policy = PasswordConfig.newBuilder()
                .setIncludeSpecialChars(false)
                .setLength(128)
                .build();
        assertThat(generator.generate(policy)).matches("[a-zA-Z0-9]{128}");
    }

    @Test
    void excludedCharactersNeverAppear() {
        PasswordConfig policy = PasswordConfig.newBuilder()
                .setLength(128)
                .setExcludeChars("abcdefghijklmnopqrstuvwxyz!@#")
                .build();
        assertThat(PasswordGenerator.alphabet(policy)).isEqualTo("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789$%^&*");
        for (int i = 0; i < 50; i++) {
            assertThat(generator.generate(policy)).matches("[A-Z0-9$%^&*]{128}");
        }
    }

    @Test
    void excludingEverythingFallsBackToLettersAndDigits() {
        PasswordConfig policy = PasswordConfig.newBuilder()
                .setExcludeChars(PasswordGenerator.LETTERS_AND_DIGITS + PasswordGenerator.SPECIAL)
                .build();
        assertThat(PasswordGenerator.alphabet(policy)).isEqualTo(PasswordGenerator.LETTERS_AND_DIGITS);
        assertThat(generator.generate(policy)).matches("[a-zA-Z0-9]{32}");
    }

    @Test
    void everyCharacterOfTheAlphabetIsDrawnAboutEquallyOften() {
        PasswordConfig policy = PasswordConfig.newBuilder().setLength(128).build();
        Map<Character, Integer> counts = new HashMap<>();
        int draws = 0;
        for (int i = 0; i < 500; i++) {
            for (char c : generator.generate(policy).toCharArray()) {
                counts.merge(c, 1, Integer::sum);
                draws++;
            }
        }
        double expected = (double) draws / 70;
        assertThat(counts).hasSize(70);
        // 64,000 draws over 70 characters: about 914 each, a standard deviation of about 30.
        assertThat(counts.values())
                .allSatisfy(count -> assertThat((double) count).isBetween(expected * 0.8, expected * 1.2));
    }
}
