package io.dbprovision.apiserver.auth.rbac;

import io.dbprovision.proto.k8s.rbac.v1.PolicyRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a user's rules cover the rules of a role they write or bind, as Kubernetes' {@code validation.Covers}: each
 * rule is broken down into single verb × group × resource × name (or verb × URL) rules, and each of those must be
 * allowed by one of the user's rules. A wildcard is only covered by a wildcard.
 */
final class RuleCoverage {
    private static final String ALL = "*";

    private RuleCoverage() {}

    /** The broken-down rules of {@code wanted} that {@code owned} does not cover; empty when covered. */
    static List<PolicyRule> uncovered(List<PolicyRule> owned, List<PolicyRule> wanted) {
        List<PolicyRule> missing = new ArrayList<>();
        for (PolicyRule rule : wanted) {
            for (PolicyRule simple : breakDown(rule)) {
                if (owned.stream().noneMatch(owner -> covers(owner, simple))) {
                    missing.add(simple);
                }
            }
        }
        return missing;
    }

    private static List<PolicyRule> breakDown(PolicyRule rule) {
        List<PolicyRule> simple = new ArrayList<>();
        for (String verb : rule.getVerbsList()) {
            for (String group : rule.getApiGroupsList()) {
                for (String resource : rule.getResourcesList()) {
                    if (rule.getResourceNamesCount() == 0) {
                        simple.add(PolicyRule.newBuilder()
                                .addVerbs(verb)
                                .addApiGroups(group)
                                .addResources(resource)
                                .build());
                    }
                    for (String name : rule.getResourceNamesList()) {
                        simple.add(PolicyRule.newBuilder()
                                .addVerbs(verb)
                                .addApiGroups(group)
                                .addResources(resource)
                                .addResourceNames(name)
                                .build());
                    }
                }
            }
            for (String url : rule.getNonResourceUrlsList()) {
                simple.add(PolicyRule.newBuilder()
                        .addVerbs(verb)
                        .addNonResourceUrls(url)
                        .build());
            }
        }
        return simple;
    }

    /** Whether {@code owner} allows all that the broken-down {@code rule} allows. */
    private static boolean covers(PolicyRule owner, PolicyRule rule) {
        String verb = rule.getVerbs(0);
        if (!has(owner.getVerbsList(), verb)) {
            return false;
        }
        if (rule.getNonResourceUrlsCount() > 0) {
            String url = rule.getNonResourceUrls(0);
            for (String owned : owner.getNonResourceUrlsList()) {
                if (owned.equals(ALL)
                        || owned.equals(url)
                        || owned.endsWith(ALL) && url.startsWith(owned.substring(0, owned.length() - 1))) {
                    return true;
                }
            }
            return false;
        }
        return has(owner.getApiGroupsList(), rule.getApiGroups(0))
                && resourceCovered(owner.getResourcesList(), rule.getResources(0))
                && (owner.getResourceNamesCount() == 0
                        || rule.getResourceNamesCount() == 1
                                && owner.getResourceNamesList().contains(rule.getResourceNames(0)));
    }

    private static boolean resourceCovered(List<String> owned, String resource) {
        if (owned.contains(ALL) || owned.contains(resource)) {
            return true;
        }
        int slash = resource.indexOf('/');
        return slash > 0
                && (owned.contains("*" + resource.substring(slash))
                        || owned.contains(resource.substring(0, slash + 1) + "*"));
    }

    private static boolean has(List<String> values, String value) {
        return values.contains(ALL) || values.contains(value);
    }
}
