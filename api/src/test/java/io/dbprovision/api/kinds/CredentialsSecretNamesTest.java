package io.dbprovision.api.kinds;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.api.validation.ObjectMetaValidator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The default credentials Secret name of a username: always a valid Secret name, never another username's. */
class CredentialsSecretNamesTest {
    /** What the API lets spec.username be. */
    private static final Pattern USERNAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // lowercase names that start with a letter keep the rule manifests know
        "orders_app, orders-app-credentials",
        "app, app-credentials",
        "a1_, a1--credentials",
        // the others: the readable part, a dot, the exact username in base32
        "_App, app.l5axa4a-credentials",
        "_app, app.l5qxa4a-credentials",
        "App, app.ifyha-credentials",
        "_, user.l4-credentials",
        "__x__, x.l5pxqx27-credentials",
    })
    void namesAreDerivedAsDocumented(String username, String expected) {
        assertThat(CredentialsSecretNames.defaultFor(username)).isEqualTo(expected);
    }

    @Test
    void everyUsernameOfUpToFourCharactersGetsAValidNameOfItsOwn() {
        // Every username of 1 to 4 characters over an alphabet with both cases, a digit and the underscore.
        String alphabet = "aAbZ9_";
        Map<String, String> owners = new HashMap<>();
        List<String> usernames = new ArrayList<>(List.of(""));
        for (int length = 1; length <= 4; length++) {
            List<String> longer = new ArrayList<>();
            for (String prefix : usernames) {
                for (char c : alphabet.toCharArray()) {
                    longer.add(prefix + c);
                }
            }
            usernames = longer;
            for (String username : usernames) {
                if (USERNAME.matcher(username).matches()) {
                    checkOne(username, owners);
                }
            }
        }
        assertThat(owners).hasSizeGreaterThan(1000);
    }

    @Test
    void randomUsernamesOfEveryLengthGetAValidNameOfTheirOwn() {
        Random random = new Random(10);
        String first = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
        String rest = first + "0123456789";
        Map<String, String> owners = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            int length = 1 + random.nextInt(63);
            StringBuilder username = new StringBuilder().append(first.charAt(random.nextInt(first.length())));
            while (username.length() < length) {
                username.append(rest.charAt(random.nextInt(rest.length())));
            }
            checkOne(username.toString(), owners);
        }
        // the longest a name gets: 63 characters of username, all of them underscores or capitals
        assertThat(CredentialsSecretNames.defaultFor("_".repeat(63))).hasSizeLessThanOrEqualTo(177);
        assertThat(CredentialsSecretNames.defaultFor("A".repeat(63))).hasSize(63 + 1 + 101 + 12);
    }

    private static void checkOne(String username, Map<String, String> owners) {
        String name = CredentialsSecretNames.defaultFor(username);
        assertThat(ObjectMetaValidator.isDnsSubdomain(name))
                .as("%s -> %s is a valid Secret name", username, name)
                .isTrue();
        String before = owners.putIfAbsent(name, username);
        assertThat(before == null || before.equals(username))
                .as("%s and %s share %s", before, username, name)
                .isTrue();
    }
}
