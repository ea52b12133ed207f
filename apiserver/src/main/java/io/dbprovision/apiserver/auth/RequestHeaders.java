package io.dbprovision.apiserver.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A request's headers as an authenticator reads them, by name in any case: HTTP header names are case-insensitive,
 * and {@code X-Remote-User} and {@code x-remote-user} sent together are one header with the values of both. An
 * interface rather than a map so that the server can hand over its own header map (Undertow's is case-insensitive
 * already) instead of copying every header of every request into a lower-cased map that only the front proxy's
 * authenticator reads.
 */
public interface RequestHeaders {
    RequestHeaders NONE = of(Map.of());

    /** Every value of the header {@code name} (in any case); empty when absent. */
    List<String> values(String name);

    /**
     * Calls {@code action} for every header whose name, lower-cased, starts with {@code lowerCasePrefix}, with the
     * rest of its name after the prefix (see {@link HeaderNames#afterPrefix}) and its values.
     */
    void forEachWithPrefix(String lowerCasePrefix, BiConsumer<String, List<String>> action);

    /** Headers from a map whose names may come in any case (tests, and callers without an HTTP request). */
    static RequestHeaders of(Map<String, List<String>> headers) {
        Map<String, List<String>> merged = new LinkedHashMap<>();
        headers.forEach((name, values) -> merged.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>())
                .addAll(values));
        merged.replaceAll((name, values) -> List.copyOf(values));
        return new RequestHeaders() {
            @Override
            public List<String> values(String name) {
                return merged.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
            }

            @Override
            public void forEachWithPrefix(String lowerCasePrefix, BiConsumer<String, List<String>> action) {
                merged.forEach((name, values) -> {
                    if (name.startsWith(lowerCasePrefix)) {
                        action.accept(name.substring(lowerCasePrefix.length()), values);
                    }
                });
            }
        };
    }
}
