package io.dbprovision.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Every authenticated user is in {@code system:authenticated}, whichever authenticator vouched for it; the chain
 * remembers the copies it made for users that authenticators hand out again (a token file's), and that memory never
 * gives one user another's identity.
 */
class AuthenticatorChainTest {
    private static final Credentials NONE = new Credentials(List.of(), Optional.empty());

    @Test
    void theAuthenticatedGroupIsAddedOnceAndKeptWhenPresent() {
        UserInfo alice = new UserInfo("alice", "uid-a", List.of("dev"), Map.of("scope", List.of("x")));
        UserInfo already = new UserInfo("bob", "", List.of("system:authenticated", "ops"), Map.of());

        UserInfo first = new AuthenticatorChain(List.of(c -> Optional.of(alice)))
                .authenticate(NONE)
                .orElseThrow();
        UserInfo kept = new AuthenticatorChain(List.of(c -> Optional.of(already)))
                .authenticate(NONE)
                .orElseThrow();

        assertThat(first)
                .isEqualTo(new UserInfo(
                        "alice", "uid-a", List.of("dev", "system:authenticated"), Map.of("scope", List.of("x"))));
        assertThat(kept).isSameAs(already);
    }

    @Test
    void manyUsersThroughOneChainEachGetTheirOwnIdentity() {
        List<UserInfo> users = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) {
            users.add(new UserInfo("user-" + i, "uid-" + i, List.of("group-" + i), Map.of()));
        }
        int[] next = {0};
        AuthenticatorChain chain = new AuthenticatorChain(List.of(c -> Optional.of(users.get(next[0]))));

        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < users.size(); i++) {
                next[0] = i;
                UserInfo user = chain.authenticate(NONE).orElseThrow();
                assertThat(user.name()).isEqualTo("user-" + i);
                assertThat(user.uid()).isEqualTo("uid-" + i);
                assertThat(user.groups()).containsExactly("group-" + i, "system:authenticated");
            }
        }
    }

    @Test
    void nobodyIsAuthenticatedWhenNoAuthenticatorVouches() {
        assertThat(new AuthenticatorChain(List.of(c -> Optional.empty())).authenticate(NONE))
                .isEmpty();
    }
}
