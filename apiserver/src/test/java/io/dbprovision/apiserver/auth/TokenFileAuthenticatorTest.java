package io.dbprovision.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --token-auth-file} in the kube-apiserver's CSV format, and how malformed files are refused. */
class TokenFileAuthenticatorTest {
    @TempDir
    Path dir;

    @Test
    void readsUsersUidsAndQuotedGroups() throws Exception {
        TokenFileAuthenticator tokens = TokenFileAuthenticator.read(file("""
                t-dev,dev,1001,"team-a,developers"

                t-ops,ops,1002
                t-quoted,"o""brien",1003,ops
                """));
        assertThat(user("t-dev", tokens))
                .contains(new UserInfo("dev", "1001", List.of("team-a", "developers"), java.util.Map.of()));
        assertThat(user("t-ops", tokens).orElseThrow().groups()).isEmpty();
        assertThat(user("t-quoted", tokens).orElseThrow().name()).isEqualTo("o\"brien");
        assertThat(user("unknown", tokens)).isEmpty();
        assertThat(tokens.authenticate(new Credentials(List.of(), Optional.empty())))
                .isEmpty();
    }

    @Test
    void aMalformedLineIsRefusedByItsNumberWithoutItsToken() throws Exception {
        assertThatThrownBy(() -> TokenFileAuthenticator.read(file("t-ok,ok,1\nsecret-token-only\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2")
                .hasMessageNotContaining("secret-token-only");
        assertThatThrownBy(() -> TokenFileAuthenticator.read(file(",nobody,1\n")))
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> TokenFileAuthenticator.read(file("t,,1\n"))).hasMessageContaining("line 1");
    }

    @Test
    void aTokenGivenTwiceIsRefused() throws Exception {
        assertThatThrownBy(() -> TokenFileAuthenticator.read(file("same,a,1\nsame,b,2\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2")
                .hasMessageNotContaining("same,");
    }

    private static Optional<UserInfo> user(String token, TokenFileAuthenticator tokens) {
        return tokens.authenticate(new Credentials(List.of(), Optional.of(token)));
    }

    private Path file(String text) throws Exception {
        Path file = dir.resolve("tokens-" + System.nanoTime() + ".csv");
        Files.writeString(file, text);
        return file;
    }
}
