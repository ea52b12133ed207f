package io.dbprovision.apiserver.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.Authenticator;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.apiserver.endpoints.Call;
import io.dbprovision.apiserver.request.RequestContext;
import io.dbprovision.apiserver.request.RequestInfo;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Once a request is authenticated, the headers its credentials came in are gone, as k8s.io/apiserver removes
 * {@code Authorization} and the front proxy's headers: nothing downstream can read an identity nobody vouched for.
 */
class AuthenticationHeadersTest {
    private static final UserInfo ALICE = new UserInfo("alice", "", List.of("system:authenticated"), Map.of());
    private static final Authenticator ANY_TOKEN_IS_ALICE =
            credentials -> credentials.bearerToken().map(token -> ALICE);
    private static final List<String> STRIPPED = List.of("authorization", "x-remote-user", "x-remote-extra-");

    @Test
    void theCredentialHeadersAreGoneOnceTheRequestIsAuthenticated() {
        List<String> seen = headersSeenDownstream(
                new Authentication(ANY_TOKEN_IS_ALICE, false, Set.of(), () -> STRIPPED), "/apis", true);

        assertThat(seen).containsExactlyInAnyOrder("user-agent", "x-remote-group");
    }

    @Test
    void theyAreGoneFromAnAnonymousRequestToAPublicPathToo() {
        List<String> seen = headersSeenDownstream(
                new Authentication(ANY_TOKEN_IS_ALICE, false, Set.of("/healthz"), () -> STRIPPED), "/healthz", false);

        assertThat(seen).containsExactlyInAnyOrder("user-agent", "x-remote-group");
    }

    @Test
    void withoutAListNothingIsRemoved() {
        List<String> seen =
                headersSeenDownstream(new Authentication(ANY_TOKEN_IS_ALICE, false, Set.of()), "/apis", true);

        assertThat(seen)
                .containsExactlyInAnyOrder(
                        "authorization", "user-agent", "x-remote-user", "x-remote-group", "x-remote-extra-scopes");
    }

    private static List<String> headersSeenDownstream(Authentication authentication, String path, boolean token) {
        HttpServerExchange exchange = new HttpServerExchange(null);
        if (token) {
            exchange.getRequestHeaders().put(Headers.AUTHORIZATION, "Bearer t");
        }
        exchange.getRequestHeaders().put(Headers.USER_AGENT, "test");
        exchange.getRequestHeaders().put(new HttpString("X-Remote-User"), "mallory");
        exchange.getRequestHeaders().put(new HttpString("X-Remote-Extra-Scopes"), "all");
        // not in the list: stays
        exchange.getRequestHeaders().put(new HttpString("X-Remote-Group"), "system:masters");
        RequestContext arriving = RequestContext.arriving(
                RequestInfo.nonResource(path, "get"), "test-audit-id", Instant.now(), "127.0.0.1", "test");
        List<String> seen = new ArrayList<>();
        AtomicReference<UserInfo> user = new AtomicReference<>();
        authentication.handle(new Call(exchange), arriving, (call, context) -> {
            user.set(context.user());
            for (HeaderValues values : call.exchange().getRequestHeaders()) {
                seen.add(values.getHeaderName().toString().toLowerCase(Locale.ROOT));
            }
        });
        assertThat(user.get()).as("the request went on").isNotNull();
        return seen;
    }
}
