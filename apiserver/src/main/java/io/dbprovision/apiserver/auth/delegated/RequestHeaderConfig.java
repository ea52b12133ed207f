package io.dbprovision.apiserver.auth.delegated;

import io.dbprovision.apiserver.auth.CaBundle;
import java.util.List;
import java.util.Locale;

/**
 * Whom a front proxy's identity headers are believed from, and which headers those are: the request-header CA a
 * proxy's client certificate must chain to, the common names it may carry (empty: any from that CA), and the header
 * names, as {@code --requestheader-*} or the {@code extension-apiserver-authentication} ConfigMap give them. Header
 * names are kept lower-cased: HTTP header names are case-insensitive.
 */
public record RequestHeaderConfig(
        CaBundle ca,
        List<String> allowedNames,
        List<String> usernameHeaders,
        List<String> uidHeaders,
        List<String> groupHeaders,
        List<String> extraHeaderPrefixes) {

    public RequestHeaderConfig {
        allowedNames = List.copyOf(allowedNames);
        usernameHeaders = lowerCased(usernameHeaders, "requestheader-username-headers");
        uidHeaders = lowerCased(uidHeaders, "requestheader-uid-headers");
        groupHeaders = lowerCased(groupHeaders, "requestheader-group-headers");
        extraHeaderPrefixes = lowerCased(extraHeaderPrefixes, "requestheader-extra-headers-prefix");
        for (String name : allowedNames) {
            if (name.isBlank()) {
                throw new IllegalArgumentException("empty value in requestheader-allowed-names");
            }
        }
    }

    /** Every header this configuration reads (names and prefixes): the pipeline strips them after authentication. */
    public List<String> headerNamesAndPrefixes() {
        return java.util.stream.Stream.of(usernameHeaders, uidHeaders, groupHeaders, extraHeaderPrefixes)
                .flatMap(List::stream)
                .toList();
    }

    private static List<String> lowerCased(List<String> names, String what) {
        return names.stream()
                .map(name -> {
                    if (name.isBlank()) {
                        throw new IllegalArgumentException("empty value in " + what);
                    }
                    return name.trim().toLowerCase(Locale.ROOT);
                })
                .toList();
    }
}
