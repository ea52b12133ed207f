package io.dbprovision.apiserver.auth.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbprovision.apiserver.auth.Authorizer;
import io.dbprovision.apiserver.auth.UserInfo;
import io.dbprovision.proto.k8s.rbac.v1.PolicyRule;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every feature of one rule's matching, as a table: the rule, the request, and whether it is allowed. */
class RuleMatcherTest {
    private static final UserInfo ANYONE = RbacFixtures.user("anyone");
    private static final String DBOPS = "dbops.dbprovision.io";

    /** A rule written compactly: verbs | apiGroups | resources | resourceNames | nonResourceURLs ("," lists). */
    private static PolicyRule rule(String text) {
        String[] parts = text.split("\\|", -1);
        return PolicyRule.newBuilder()
                .addAllVerbs(list(parts[0]))
                .addAllApiGroups(list(parts[1]))
                .addAllResources(list(parts[2]))
                .addAllResourceNames(list(parts[3]))
                .addAllNonResourceUrls(list(parts[4]))
                .build();
    }

    private static List<String> list(String text) {
        // "''" stands for the empty string (the core group)
        return text.isBlank()
                ? List.of()
                : Arrays.stream(text.split(","))
                        .map(String::trim)
                        .map(s -> s.equals("''") ? "" : s)
                        .toList();
    }

    /** A resource request: verb group resource[/subresource] name. */
    private static Authorizer.Request request(String verb, String group, String resource, String name) {
        return RbacFixtures.resource(ANYONE, verb, group, resource, "ns", name);
    }

    private static Authorizer.Request path(String verb, String path) {
        return Authorizer.Request.nonResource(ANYONE, verb, path);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // verbs
                row("get|dbops.dbprovision.io|databases||", request("get", DBOPS, "databases", "a"), true),
                row("get|dbops.dbprovision.io|databases||", request("list", DBOPS, "databases", ""), false),
                row("get,list|dbops.dbprovision.io|databases||", request("list", DBOPS, "databases", ""), true),
                row("*|dbops.dbprovision.io|databases||", request("deletecollection", DBOPS, "databases", ""), true),
                row("*|dbops.dbprovision.io|databases||", request("*", DBOPS, "databases", ""), true),
                row("get|dbops.dbprovision.io|databases||", request("*", DBOPS, "databases", ""), false),
                row("get|dbops.dbprovision.io|databases||", request("GET", DBOPS, "databases", "a"), false),
                // API groups
                row("get|''|secrets||", request("get", "", "secrets", "a"), true),
                row("get|''|secrets||", request("get", DBOPS, "secrets", "a"), false),
                row("get|dbops.dbprovision.io|secrets||", request("get", "", "secrets", "a"), false),
                row("get|*|secrets||", request("get", "", "secrets", "a"), true),
                row("get|*|secrets||", request("get", "other.io", "secrets", "a"), true),
                row("get|'',dbops.dbprovision.io|databases||", request("get", DBOPS, "databases", "a"), true),
                // resources and wildcards
                row("get|dbops.dbprovision.io|*||", request("get", DBOPS, "databaseinstances", "a"), true),
                row("get|dbops.dbprovision.io|databases||", request("get", DBOPS, "databaseinstances", "a"), false),
                row("get|dbops.dbprovision.io|Databases||", request("get", DBOPS, "databases", "a"), false),
                row("get|dbops.dbprovision.io|database||", request("get", DBOPS, "databases", "a"), false),
                // subresources
                row("get|dbops.dbprovision.io|databases||", request("get", DBOPS, "databases/status", "a"), false),
                row(
                        "get|dbops.dbprovision.io|databases/status||",
                        request("get", DBOPS, "databases/status", "a"),
                        true),
                row("get|dbops.dbprovision.io|databases/status||", request("get", DBOPS, "databases", "a"), false),
                row(
                        "get|dbops.dbprovision.io|databases/status||",
                        request("get", DBOPS, "databaseinstances/status", "a"),
                        false),
                row(
                        "get|dbops.dbprovision.io|*/status||",
                        request("get", DBOPS, "databaseinstances/status", "a"),
                        true),
                row("get|dbops.dbprovision.io|*/status||", request("get", DBOPS, "databases", "a"), false),
                row("get|dbops.dbprovision.io|*/status||", request("get", DBOPS, "databases/scale", "a"), false),
                row("get|dbops.dbprovision.io|*/stat||", request("get", DBOPS, "databases/status", "a"), false),
                row("get|dbops.dbprovision.io|*||", request("get", DBOPS, "databases/status", "a"), true),
                row("get|dbops.dbprovision.io|databases/*||", request("get", DBOPS, "databases/status", "a"), false),
                // resourceNames: exact names only, never a pattern, never for requests without a name
                row("get|''|secrets|a-credentials|", request("get", "", "secrets", "a-credentials"), true),
                row("get|''|secrets|a-credentials|", request("get", "", "secrets", "b-credentials"), false),
                row("get|''|secrets|*-credentials|", request("get", "", "secrets", "a-credentials"), false),
                row("get|''|secrets|*-credentials|", request("get", "", "secrets", "*-credentials"), true),
                row("get|''|secrets|*|", request("get", "", "secrets", "a"), false),
                row("list|''|secrets|a|", request("list", "", "secrets", ""), false),
                row("list|''|secrets|a|", request("list", "", "secrets", "a"), true),
                row("watch|''|secrets|a|", request("watch", "", "secrets", ""), false),
                row("create|''|secrets|a|", request("create", "", "secrets", ""), false),
                row("deletecollection|''|secrets|a|", request("deletecollection", "", "secrets", ""), false),
                row("delete|''|secrets|a,b|", request("delete", "", "secrets", "b"), true),
                row(
                        "get|dbops.dbprovision.io|databases/status|a|",
                        request("get", DBOPS, "databases/status", "a"),
                        true),
                // a resource rule never matches a path, nor a path rule a resource
                row("get|*|*||", path("get", "/healthz"), false),
                row("get||||/healthz", request("get", "", "healthz", ""), false),
                // non-resource URLs
                row("get||||/healthz", path("get", "/healthz"), true),
                row("get||||/healthz", path("get", "/healthz/etcd"), false),
                row("get||||/healthz", path("post", "/healthz"), false),
                row("*||||/healthz", path("post", "/healthz"), true),
                row("get||||/apis/*", path("get", "/apis/dbops.dbprovision.io/v1alpha1"), true),
                row("get||||/apis/*", path("get", "/apis/"), true),
                row("get||||/apis/*", path("get", "/apis"), false),
                row("get||||/api*", path("get", "/apis"), true),
                row("get||||*", path("get", "/anything/at/all"), true),
                row("get||||/version/", path("get", "/version"), false),
                row("get||||/version,/version/", path("get", "/version"), true));
    }

    private static Arguments row(String rule, Authorizer.Request request, boolean allowed) {
        return Arguments.of(rule, request, allowed);
    }

    @ParameterizedTest(name = "[{index}] rule {0} allows {1}: {2}")
    @MethodSource("table")
    void aRuleAllowsExactlyTheRequestsItMatches(String rule, Authorizer.Request request, boolean allowed) {
        assertThat(RuleMatcher.allows(request, rule(rule))).isEqualTo(allowed);
    }
}
