package io.dbprovision.apiserver.endpoints;

import io.dbprovision.apiserver.registry.ApiException;

/**
 * Checks the namespace and name a resource path carries before anything looks them up, as Kubernetes'
 * {@code IsValidPathSegmentName} does and more: not {@code .} or {@code ..}, no {@code /} or {@code %} (an encoded
 * slash stays encoded here, and an escape that survived decoding is an attempt to smuggle one), no control
 * characters, nothing that was not valid UTF-8 (the decoder leaves U+FFFD where it was), and no longer than any name
 * can be (253, a DNS subdomain; 63 for a namespace, a DNS label). A path that breaks these is a malformed request
 * (400), not a lookup of an object that cannot exist.
 */
final class PathSegments {
    static final int MAX_NAME_LENGTH = 253;
    static final int MAX_NAMESPACE_LENGTH = 63;

    private PathSegments() {}

    static void checkNamespace(String namespace) {
        check(namespace, "namespace", MAX_NAMESPACE_LENGTH);
    }

    static void checkName(String name) {
        check(name, "name", MAX_NAME_LENGTH);
    }

    private static void check(String segment, String what, int maxLength) {
        if (segment.isEmpty()) {
            return;
        }
        if (segment.equals(".") || segment.equals("..")) {
            throw invalid(what, segment, "may not be '.' or '..'");
        }
        if (segment.length() > maxLength) {
            throw invalid(what, segment, "must be no more than " + maxLength + " characters");
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '/' || c == '%') {
                throw invalid(what, segment, "may not contain '/' or '%'");
            }
            if (c < 0x20 || c == 0x7F || c >= 0x80 && c < 0xA0) {
                throw invalid(what, segment, "may not contain control characters");
            }
            if (c == 0xFFFD || Character.isSurrogate(c)) {
                throw invalid(what, segment, "must be valid UTF-8");
            }
        }
    }

    private static ApiException invalid(String what, String segment, String detail) {
        return new ApiException.BadRequest(
                "invalid " + what + " \"" + PublicMessages.printable(segment) + "\" in the request path: " + detail);
    }
}
