package io.dbprovision.apiserver.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.CaBundle;
import io.dbprovision.apiserver.auth.Credentials;
import io.dbprovision.apiserver.auth.HeaderNames;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.auth.delegated.RequestHeaderAuthenticator;
import io.dbprovision.apiserver.auth.delegated.RequestHeaderConfig;
import io.dbprovision.apiserver.server.Pki;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The front proxy's headers read from Undertow's own header map, as the pipeline hands them over (no lower-cased
 * copy): the same user as Kubernetes reads, for names in any case, repeated headers and encoded extra keys.
 */
class ExchangeHeadersTest {
    private static final Duration DAY = Duration.ofDays(1);
    private static final Pki.Issued PROXY_CA = Pki.newCa("front-proxy-ca", DAY);
    private static final Pki.Issued PROXY = Pki.newClient(PROXY_CA, "front-proxy-client", List.of(), DAY);
    private static final RequestHeaderAuthenticator AUTHENTICATOR =
            new RequestHeaderAuthenticator(() -> Optional.of(new RequestHeaderConfig(
                    CaBundle.of(List.of(PROXY_CA.certificate())),
                    List.of("front-proxy-client"),
                    List.of("X-Remote-User"),
                    List.of("X-Remote-Uid"),
                    List.of("X-Remote-Group"),
                    List.of("X-Remote-Extra-"))));

    private static Optional<UserInfo> fromProxy(HeaderMap headers) {
        return AUTHENTICATOR.authenticate(
                new Credentials(List.of(PROXY.certificate()), Optional.empty(), new ExchangeHeaders(headers)));
    }

    @Test
    void namesInAnyCaseRepeatedHeadersAndEncodedExtraKeys() {
        HeaderMap headers = new HeaderMap();
        headers.add(new HttpString("X-REMOTE-USER"), "alice");
        headers.add(new HttpString("x-remote-uid"), "uid-1");
        headers.add(new HttpString("X-Remote-Group"), "a");
        headers.add(new HttpString("x-remote-group"), "b");
        headers.add(new HttpString("X-Remote-Group"), "");
        headers.add(new HttpString("X-Remote-Extra-Acme.com%2FProject"), "p1");
        headers.add(new HttpString("x-remote-extra-acme.com%2fproject"), "p2");
        headers.add(new HttpString("X-REMOTE-EXTRA-Scopes"), "db");
        headers.add(new HttpString("X-Remote-Extra-"), "no key");
        headers.add(new HttpString("X-Remote-Extras"), "not an extra header");
        headers.add(new HttpString("User-Agent"), "kube-aggregator");

        UserInfo user = fromProxy(headers).orElseThrow();

        assertThat(user.name()).isEqualTo("alice");
        assertThat(user.uid()).isEqualTo("uid-1");
        assertThat(user.groups()).containsExactly("a", "b");
        assertThat(user.extra()).containsOnlyKeys("acme.com/project", "scopes");
        assertThat(user.extra().get("acme.com/project")).containsExactlyInAnyOrder("p1", "p2");
        assertThat(user.extra().get("scopes")).containsExactly("db");
    }

    @Test
    void aUserHeaderWithTwoDifferentValuesInTwoCasesAuthenticatesNobody() {
        HeaderMap headers = new HeaderMap();
        headers.add(new HttpString("X-Remote-User"), "alice");
        headers.add(new HttpString("x-remote-user"), "mallory");
        assertThat(fromProxy(headers)).isEmpty();

        HeaderMap same = new HeaderMap();
        same.add(new HttpString("X-Remote-User"), "alice");
        same.add(new HttpString("x-remote-user"), "alice");
        assertThat(fromProxy(same).map(UserInfo::name)).hasValue("alice");
    }

    @Test
    void whatTheUserKeepsIsACopy() {
        HeaderMap headers = new HeaderMap();
        headers.add(new HttpString("X-Remote-User"), "alice");
        headers.add(new HttpString("X-Remote-Group"), "a");
        headers.add(new HttpString("X-Remote-Extra-Scopes"), "db");
        UserInfo user = fromProxy(headers).orElseThrow();

        // the pipeline strips the headers once the request is authenticated
        headers.clear();
        assertThat(user.groups()).containsExactly("a");
        assertThat(user.extra().get("scopes")).containsExactly("db");
    }

    @Test
    void prefixesMatchAsLowerCasingTheNameWould() {
        List<String> names = new ArrayList<>(List.of(
                "X-Remote-Extra-a",
                "x-remote-extra-",
                "x-remote-extr",
                "X-REMOTE-EXTRA-\u00c9",
                "X-Remote-\u00c9xtra-a",
                "\u0130-remote",
                "i-remote",
                "\u212a-remote",
                "k-remote",
                "x-remote-user",
                "x-remote-userx",
                "",
                "x_remote-extra-a"));
        List<String> prefixes = List.of("x-remote-extra-", "x-remote-user", "k-", "i", "i\u0307-", "", "\u00e9");
        for (String name : names) {
            for (String prefix : prefixes) {
                assertThat(HeaderNames.startsWithIgnoringCase(name, prefix))
                        .as("%s starts with %s", name, prefix)
                        .isEqualTo(name.toLowerCase(Locale.ROOT).startsWith(prefix));
            }
        }
    }
}
