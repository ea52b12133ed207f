package io.dbprovision.apiserver.auth.rbac;

import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.proto.k8s.rbac.v1.PolicyRule;
import java.util.List;

/**
 * Whether one RBAC rule allows one request, with Kubernetes' matching: {@code *} matches every verb, group, resource
 * or URL; a resource entry {@code databases/status} matches that subresource and {@code *}{@code /status} that subresource
 * of every resource; resourceNames match exact names only, so a rule that has them never allows a
 * request that names no object (create, list, watch, deletecollection); a non-resource URL ending in {@code *} matches
 * every path it is a prefix of.
 */
public final class RuleMatcher {
    private static final String ALL = "*";

    private RuleMatcher() {}

    public static boolean allows(Authorizer.Request request, PolicyRule rule) {
        if (request.resourceRequest()) {
            String resource = request.subresource().isEmpty()
                    ? request.resource()
                    : request.resource() + "/" + request.subresource();
            return verbMatches(rule, request.verb())
                    && apiGroupMatches(rule, request.group())
                    && resourceMatches(rule, resource, request.subresource())
                    && resourceNameMatches(rule, request.name());
        }
        return verbMatches(rule, request.verb()) && nonResourceUrlMatches(rule, request.path());
    }

    static boolean verbMatches(PolicyRule rule, String verb) {
        return containsOrAll(rule.getVerbsList(), verb);
    }

    static boolean apiGroupMatches(PolicyRule rule, String group) {
        return containsOrAll(rule.getApiGroupsList(), group);
    }

    /**
     * @param resource the resource requested, with its subresource ({@code databases/status})
     * @param subresource the subresource alone, empty for none
     */
    static boolean resourceMatches(PolicyRule rule, String resource, String subresource) {
        for (String entry : rule.getResourcesList()) {
            if (entry.equals(ALL) || entry.equals(resource)) {
                return true;
            }
            if (!subresource.isEmpty()
                    && entry.length() == subresource.length() + 2
                    && entry.startsWith("*/")
                    && entry.endsWith(subresource)) {
                return true;
            }
        }
        return false;
    }

    static boolean resourceNameMatches(PolicyRule rule, String name) {
        List<String> names = rule.getResourceNamesList();
        return names.isEmpty() || names.contains(name);
    }

    static boolean nonResourceUrlMatches(PolicyRule rule, String path) {
        for (String url : rule.getNonResourceUrlsList()) {
            if (url.equals(ALL) || url.equals(path)) {
                return true;
            }
            if (url.endsWith(ALL) && path.startsWith(url.substring(0, url.length() - 1))) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsOrAll(List<String> values, String value) {
        for (String candidate : values) {
            if (candidate.equals(ALL) || candidate.equals(value)) {
                return true;
            }
        }
        return false;
    }
}
