package io.dbprovision.apiserver.pipeline;

import io.dbprovision.apiserver.auth.HeaderNames;
import io.dbprovision.apiserver.auth.RequestHeaders;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * A request's headers for the authenticators, read straight from Undertow's header map, which already merges names
 * case-insensitively ({@code X-Remote-User} and {@code x-remote-user} are one entry): nothing is copied per request,
 * and a request that no authenticator reads headers of (a bearer token, a client certificate) costs no header
 * work at all. Read only while the request is being authenticated, before the pipeline strips the credential
 * headers; what an authenticator keeps it copies.
 */
final class ExchangeHeaders implements RequestHeaders {
    private final HeaderMap headers;

    ExchangeHeaders(HeaderMap headers) {
        this.headers = headers;
    }

    @Override
    public List<String> values(String name) {
        if (!HeaderNames.ascii(name)) {
            // Undertow compares names in ASCII only; a name configured with other characters is matched as
            // lower-casing both would match it
            String lower = name.toLowerCase(Locale.ROOT);
            List<String> found = new ArrayList<>();
            for (HeaderValues values : headers) {
                if (values.getHeaderName().toString().toLowerCase(Locale.ROOT).equals(lower)) {
                    found.addAll(values);
                }
            }
            return found;
        }
        HeaderValues values = headers.get(name);
        return values == null ? List.of() : values;
    }

    @Override
    public void forEachWithPrefix(String lowerCasePrefix, BiConsumer<String, List<String>> action) {
        for (HeaderValues values : headers) {
            String name = values.getHeaderName().toString();
            if (HeaderNames.startsWithIgnoringCase(name, lowerCasePrefix)) {
                action.accept(HeaderNames.afterPrefix(name, lowerCasePrefix), values);
            }
        }
    }
}
