package io.dbprovision.apiserver.auth.delegated;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.CaBundle;
import io.dbprovision.apiserver.auth.Credentials;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.server.Pki;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The front proxy's headers, read as an attacker would try them: certificates that are almost right, header-name
 * case tricks, repeated and empty headers, very long values, and extra keys with odd encodings.
 */
class RequestHeaderAuthenticatorTest {
    private static final Duration DAY = Duration.ofDays(1);
    private static final Pki.Issued PROXY_CA = Pki.newCa("front-proxy-ca", DAY);
    private static final Pki.Issued PROXY = Pki.newClient(PROXY_CA, "front-proxy-client", List.of(), DAY);

    private final RequestHeaderAuthenticator authenticator =
            new RequestHeaderAuthenticator(() -> Optional.of(new RequestHeaderConfig(
                    CaBundle.of(List.of(PROXY_CA.certificate())),
                    List.of("front-proxy-client"),
                    List.of("X-Remote-User"),
                    List.of("X-Remote-Uid"),
                    List.of("X-Remote-Group"),
                    List.of("X-Remote-Extra-"))));

    private Optional<UserInfo> fromProxy(Map<String, List<String>> headers) {
        return authenticator.authenticate(new Credentials(List.of(PROXY.certificate()), Optional.empty(), headers));
    }

    @Test
    void headerNamesMatchInAnyCase() {
        Optional<UserInfo> user = fromProxy(Map.of(
                "X-REMOTE-USER", List.of("alice"),
                "x-Remote-Group", List.of("a"),
                "X-Remote-Uid", List.of("uid-1"),
                "X-REMOTE-EXTRA-Scopes", List.of("db")));
        assertThat(user).hasValueSatisfying(u -> {
            assertThat(u.name()).isEqualTo("alice");
            assertThat(u.uid()).isEqualTo("uid-1");
            assertThat(u.groups()).containsExactly("a");
            assertThat(u.extra()).containsOnlyKeys("scopes");
        });
    }

    @Test
    void theSameHeaderInTwoCasesIsOneHeader() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("X-Remote-Group", List.of("a"));
        headers.put("x-remote-group", List.of("b"));
        headers.put("x-remote-user", List.of("alice"));
        assertThat(fromProxy(headers).orElseThrow().groups()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aUserHeaderRepeatedWithDifferentValuesAuthenticatesNobody() {
        assertThat(fromProxy(Map.of("x-remote-user", List.of("alice", "system:admin"))))
                .isEmpty();
        Map<String, List<String>> twoCases = new LinkedHashMap<>();
        twoCases.put("X-Remote-User", List.of("alice"));
        twoCases.put("x-remote-user", List.of("mallory"));
        assertThat(fromProxy(twoCases)).isEmpty();
    }

    @Test
    void aUserHeaderRepeatedWithTheSameValueIsThatUser() {
        assertThat(fromProxy(Map.of("x-remote-user", List.of("alice", "alice"))).map(UserInfo::name))
                .hasValue("alice");
    }

    @Test
    void anEmptyOrMissingUserHeaderAuthenticatesNobody() {
        assertThat(fromProxy(Map.of("x-remote-user", List.of("")))).isEmpty();
        assertThat(fromProxy(Map.of("x-remote-user", List.of("   ")))).isEmpty();
        assertThat(fromProxy(Map.of("x-remote-group", List.of("system:masters"))))
                .isEmpty();
        assertThat(fromProxy(Map.of())).isEmpty();
    }

    @Test
    void emptyGroupValuesAreDropped() {
        assertThat(fromProxy(Map.of("x-remote-user", List.of("alice"), "x-remote-group", List.of("", "a")))
                        .orElseThrow()
                        .groups())
                .containsExactly("a");
    }

    @Test
    void similarlyNamedHeadersAreNotTheUserHeader() {
        assertThat(fromProxy(Map.of("x-remote-user-", List.of("alice")))).isEmpty();
        assertThat(fromProxy(Map.of("x-remote-userx", List.of("alice")))).isEmpty();
        assertThat(fromProxy(Map.of(" x-remote-user", List.of("alice")))).isEmpty();
        assertThat(fromProxy(Map.of("x_remote_user", List.of("alice")))).isEmpty();
    }

    @Test
    void veryLongHeadersAreHandledPlainly() {
        String longName = "a".repeat(1_000_000);
        Map<String, List<String>> headers = Map.of(
                "x-remote-user",
                List.of(longName),
                "x-remote-group",
                java.util.Collections.nCopies(10_000, "g"),
                "x-remote-extra-" + "k".repeat(100_000),
                List.of("v"));
        long start = System.nanoTime();
        Optional<UserInfo> user = fromProxy(headers);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(user.orElseThrow().name()).hasSize(1_000_000);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "X-Remote-Extra-Scopes                 | scopes",
                "X-Remote-Extra-acme.com%2Fproject     | acme.com/project",
                "X-Remote-Extra-acme.com%2fproject     | acme.com/project",
                "X-Remote-Extra-%41                    | A",
                "X-Remote-Extra-caf%C3%A9              | café",
                "X-Remote-Extra-%E2%82%AC              | €",
                "X-Remote-Extra-a%20b                  | a b",
                "X-Remote-Extra-a+b                    | a+b",
                "X-Remote-Extra-%zz                    | %zz",
                "X-Remote-Extra-abc%                   | abc%",
                "X-Remote-Extra-abc%4                  | abc%4",
                "X-Remote-Extra-%C3                    | %c3",
                "X-Remote-Extra-%C3%28                 | %c3%28",
                "X-Remote-Extra-%25%32%46              | %2F", // decoded once only
            })
    void extraKeysAreLowerCasedThenPercentDecoded(String header, String key) {
        Optional<UserInfo> user = fromProxy(Map.of("x-remote-user", List.of("alice"), header, List.of("v")));
        assertThat(user.orElseThrow().extra()).containsOnlyKeys(key);
    }

    @Test
    void theBarePrefixIsNoExtraKey() {
        assertThat(fromProxy(Map.of("x-remote-user", List.of("alice"), "x-remote-extra-", List.of("v")))
                        .orElseThrow()
                        .extra())
                .isEmpty();
    }

    @Test
    void extraValuesOfOneKeyInSeveralSpellingsAreJoined() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("x-remote-user", List.of("alice"));
        headers.put("X-Remote-Extra-Scopes", List.of("a"));
        headers.put("x-remote-extra-scopes", List.of("b"));
        headers.put("X-Remote-Extra-%73copes", List.of("c")); // %73 is "s"
        assertThat(fromProxy(headers).orElseThrow().extra().get("scopes")).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void aChainThatOnlyEndsInTheCaIsNotEnough() {
        // the right leaf preceded by nothing else is fine; a foreign leaf followed by the CA itself is not
        Pki.Issued foreignCa = Pki.newCa("front-proxy-ca", DAY);
        Pki.Issued foreign = Pki.newClient(foreignCa, "front-proxy-client", List.of(), DAY);
        Credentials padded = new Credentials(
                List.of(foreign.certificate(), PROXY_CA.certificate()),
                Optional.empty(),
                Map.of("x-remote-user", List.of("alice")));
        assertThat(authenticator.authenticate(padded)).isEmpty();
    }

    @Test
    void theCaItselfPresentedAsAClientIsNotTheProxy() {
        Credentials caAsLeaf = new Credentials(
                List.of(PROXY_CA.certificate()), Optional.empty(), Map.of("x-remote-user", List.of("alice")));
        assertThat(authenticator.authenticate(caAsLeaf)).isEmpty();
    }

    @Test
    void allowedNamesCompareExactly() {
        for (String cn : List.of("Front-Proxy-Client", "front-proxy-client2", "front-proxy", "")) {
            Pki.Issued almost = Pki.newClient(PROXY_CA, cn.isEmpty() ? "x" : cn, List.of("front-proxy-client"), DAY);
            Credentials credentials = new Credentials(
                    List.of(almost.certificate()), Optional.empty(), Map.of("x-remote-user", List.of("alice")));
            assertThat(authenticator.authenticate(credentials)).as(cn).isEmpty();
        }
    }

    @Test
    void noConfigurationTrustsNobody() {
        RequestHeaderAuthenticator off = new RequestHeaderAuthenticator(Optional::empty);
        assertThat(off.authenticate(new Credentials(
                        List.of(PROXY.certificate()), Optional.empty(), Map.of("x-remote-user", List.of("alice")))))
                .isEmpty();
    }
}
