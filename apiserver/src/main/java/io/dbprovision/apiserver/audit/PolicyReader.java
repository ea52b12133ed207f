package io.dbprovision.apiserver.audit;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads an {@code audit.k8s.io/v1} {@code Policy} from YAML or JSON (JSON is YAML) into an {@link AuditPolicy},
 * checking it as Kubernetes' policy validation does, and more strictly in one way: an unknown field is an error, not
 * ignored, because a misspelt {@code namespace:} in a {@code None} rule would silently stop auditing far more than
 * meant. Every error is reported with its field path, all at once.
 */
final class PolicyReader {
    private static final Set<String> POLICY_FIELDS =
            Set.of("apiVersion", "kind", "metadata", "rules", "omitStages", "omitManagedFields");
    private static final Set<String> RULE_FIELDS = Set.of(
            "level",
            "users",
            "userGroups",
            "verbs",
            "resources",
            "namespaces",
            "nonResourceURLs",
            "omitStages",
            "omitManagedFields");
    private static final Set<String> GROUP_RESOURCES_FIELDS = Set.of("group", "resources", "resourceNames");
    /** A DNS subdomain, as Kubernetes requires of an API group's name. */
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private final String source;
    private final List<String> errors = new ArrayList<>();

    PolicyReader(String source) {
        this.source = source;
    }

    AuditPolicy read(String text) {
        Object document;
        try {
            LoadSettings settings = LoadSettings.builder()
                    .setLabel(source)
                    .setAllowDuplicateKeys(false)
                    .setAllowRecursiveKeys(false)
                    .setMaxAliasesForCollections(50)
                    .setCodePointLimit(AuditPolicy.MAX_FILE_BYTES)
                    .build();
            document = new Load(settings).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new AuditConfigurationException(
                    "audit policy " + source + ": not valid YAML or JSON: " + e.getMessage(), e);
        }
        if (!(document instanceof Map<?, ?> policy)) {
            throw new AuditConfigurationException(
                    "audit policy " + source + ": expected an audit.k8s.io/v1 Policy object, found "
                            + (document == null ? "an empty document" : describe(document)));
        }
        checkFields(policy, POLICY_FIELDS, "");
        Object apiVersion = policy.get("apiVersion");
        if (!"audit.k8s.io/v1".equals(apiVersion)) {
            error(
                    "apiVersion",
                    apiVersion == null
                            ? "Required value: must be audit.k8s.io/v1"
                            : "Unsupported value " + quote(apiVersion) + ": supported values: \"audit.k8s.io/v1\"");
        }
        Object kind = policy.get("kind");
        if (!"Policy".equals(kind)) {
            error(
                    "kind",
                    kind == null
                            ? "Required value: must be Policy"
                            : "Unsupported value " + quote(kind) + ": supported values: \"Policy\"");
        }
        optionalObject(policy.get("metadata"), "metadata");
        optionalBoolean(policy.get("omitManagedFields"), "omitManagedFields");
        Set<AuditStage> omitStages = stages(policy.get("omitStages"), "omitStages");
        List<AuditPolicy.Rule> rules = new ArrayList<>();
        List<?> ruleList = list(policy.get("rules"), "rules");
        if (ruleList.isEmpty()) {
            // as Kubernetes: a policy without rules is a mistake, not a way to turn auditing off (that is level None)
            error("rules", "Required value: a policy needs at least one rule");
        }
        for (int i = 0; i < ruleList.size(); i++) {
            AuditPolicy.Rule rule = rule(ruleList.get(i), "rules[" + i + "]");
            if (rule != null) {
                rules.add(rule);
            }
        }
        if (!errors.isEmpty()) {
            throw new AuditConfigurationException(
                    "audit policy " + source + " is not valid: " + String.join("; ", errors));
        }
        return new AuditPolicy(source, rules, omitStages);
    }

    private AuditPolicy.Rule rule(Object value, String path) {
        if (!(value instanceof Map<?, ?> rule)) {
            error(path, "must be an object, found " + describe(value));
            return null;
        }
        checkFields(rule, RULE_FIELDS, path + ".");
        AuditLevel level = null;
        Object levelValue = rule.get("level");
        if (levelValue == null) {
            error(path + ".level", "Required value");
        } else {
            level = levelValue instanceof String name ? AuditLevel.fromWireName(name) : null;
            if (level == null) {
                error(
                        path + ".level",
                        "Unsupported value " + quote(levelValue) + ": supported values: " + AuditLevel.wireNames());
            }
        }
        Set<String> users = stringSet(rule.get("users"), path + ".users");
        Set<String> userGroups = stringSet(rule.get("userGroups"), path + ".userGroups");
        Set<String> verbs = stringSet(rule.get("verbs"), path + ".verbs");
        Set<String> namespaces = stringSet(rule.get("namespaces"), path + ".namespaces");
        List<AuditPolicy.GroupResources> resources = new ArrayList<>();
        List<?> resourceList = list(rule.get("resources"), path + ".resources");
        for (int i = 0; i < resourceList.size(); i++) {
            AuditPolicy.GroupResources group = groupResources(resourceList.get(i), path + ".resources[" + i + "]");
            if (group != null) {
                resources.add(group);
            }
        }
        List<String> nonResourceUrls = strings(rule.get("nonResourceURLs"), path + ".nonResourceURLs");
        for (int i = 0; i < nonResourceUrls.size(); i++) {
            String url = nonResourceUrls.get(i);
            String at = path + ".nonResourceURLs[" + i + "]";
            if (url.equals("*")) {
                continue;
            }
            if (!url.startsWith("/")) {
                error(at, "Invalid value " + quote(url) + ": non-resource URL rules must begin with a '/' character");
            }
            if (!url.isEmpty() && url.substring(0, url.length() - 1).contains("*")) {
                error(
                        at,
                        "Invalid value " + quote(url)
                                + ": non-resource URL wildcards '*' must be the final character of the rule");
            }
        }
        if (!nonResourceUrls.isEmpty() && (!resourceList.isEmpty() || !namespaces.isEmpty())) {
            error(
                    path + ".nonResourceURLs",
                    "Invalid value: rules cannot apply to both regular resources and" + " non-resource URLs");
        }
        Set<AuditStage> omitStages = stages(rule.get("omitStages"), path + ".omitStages");
        optionalBoolean(rule.get("omitManagedFields"), path + ".omitManagedFields");
        if (level == null) {
            return null;
        }
        return new AuditPolicy.Rule(
                level, users, userGroups, verbs, resources, namespaces, nonResourceUrls, omitStages);
    }

    private AuditPolicy.GroupResources groupResources(Object value, String path) {
        if (!(value instanceof Map<?, ?> map)) {
            error(path, "must be an object, found " + describe(value));
            return null;
        }
        checkFields(map, GROUP_RESOURCES_FIELDS, path + ".");
        String group = "";
        Object groupValue = map.get("group");
        if (groupValue instanceof String name) {
            group = name;
            if (!group.isEmpty()
                    && (group.length() > 253 || !DNS_SUBDOMAIN.matcher(group).matches())) {
                error(
                        path + ".group",
                        "Invalid value " + quote(group)
                                + ": an API group is a DNS subdomain, without a version (e.g. rbac.authorization.k8s.io)");
            }
        } else if (groupValue != null) {
            error(path + ".group", "must be a string, found " + describe(groupValue));
        }
        List<String> resources = strings(map.get("resources"), path + ".resources");
        for (int i = 0; i < resources.size(); i++) {
            if (resources.get(i).isEmpty()) {
                error(path + ".resources[" + i + "]", "Invalid value \"\": a resource may not be empty");
            }
        }
        List<String> resourceNames = strings(map.get("resourceNames"), path + ".resourceNames");
        if (!resourceNames.isEmpty() && resources.isEmpty()) {
            error(path + ".resourceNames", "Invalid value: using resourceNames requires at least one resource");
        }
        return new AuditPolicy.GroupResources(group, resources, resourceNames);
    }

    private Set<AuditStage> stages(Object value, String path) {
        EnumSet<AuditStage> stages = EnumSet.noneOf(AuditStage.class);
        List<String> names = strings(value, path);
        for (int i = 0; i < names.size(); i++) {
            AuditStage stage = AuditStage.fromWireName(names.get(i));
            if (stage == null) {
                error(
                        path + "[" + i + "]",
                        "Unsupported value " + quote(names.get(i)) + ": supported values: " + AuditStage.wireNames());
            } else {
                stages.add(stage);
            }
        }
        return stages;
    }

    private Set<String> stringSet(Object value, String path) {
        return new LinkedHashSet<>(strings(value, path));
    }

    private List<String> strings(Object value, String path) {
        List<?> items = list(value, path);
        List<String> strings = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i) instanceof String string) {
                strings.add(string);
            } else {
                error(path + "[" + i + "]", "must be a string, found " + describe(items.get(i)));
            }
        }
        return strings;
    }

    private List<?> list(Object value, String path) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return list;
        }
        error(path, "must be a list, found " + describe(value));
        return List.of();
    }

    private void optionalObject(Object value, String path) {
        if (value != null && !(value instanceof Map<?, ?>)) {
            error(path, "must be an object, found " + describe(value));
        }
    }

    private void optionalBoolean(Object value, String path) {
        if (value != null && !(value instanceof Boolean)) {
            error(path, "must be true or false, found " + describe(value));
        }
    }

    private void checkFields(Map<?, ?> map, Set<String> known, String prefix) {
        for (Object key : map.keySet()) {
            if (!(key instanceof String name) || !known.contains(name)) {
                error(
                        prefix + key,
                        "unknown field (known fields: "
                                + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private void error(String path, String message) {
        errors.add(path + ": " + message);
    }

    private static String quote(Object value) {
        return "\"" + value + "\"";
    }

    private static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Map<?, ?>) {
            return "an object";
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        if (value instanceof String string) {
            return "the string " + quote(string);
        }
        return value.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " " + value;
    }
}
