package io.dbprovision.apiserver.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A Kubernetes audit policy ({@code audit.k8s.io/v1} {@code Policy}, from YAML or JSON): an ordered list of rules, the
 * first rule that matches a request giving its level and the stages it leaves out. A request no rule matches is not
 * audited (level {@code None}), as in Kubernetes. Matching follows k8s.io/apiserver's policy checker:
 *
 * <ul>
 *   <li>{@code users}, {@code userGroups}, {@code verbs}: if given, the user's name, one of its groups, the verb must be
 *       listed;
 *   <li>{@code namespaces} or {@code resources}: the rule matches resource requests only; a listed namespace ({@code ""}
 *       for cluster-scoped objects); a group whose {@code resources} name the resource ({@code res}), the resource and
 *       subresource ({@code res/sub}), any resource ({@code *}), a subresource of any resource ({@code *}{@code /sub})
 *       or a resource with any of its subresources ({@code res/*}), and whose {@code resourceNames}, if given, list the
 *       object's name;
 *   <li>{@code nonResourceURLs}: the rule matches non-resource requests only, by exact path, {@code *}, or a prefix
 *       ending in {@code *}.
 * </ul>
 *
 * <p>With no policy file this server records every request at {@code Metadata} ({@link #metadataForEverything()}),
 * where Kubernetes would record nothing: the audit trail is one of this product's promises. Levels {@code Request} and
 * {@code RequestResponse} are accepted and recorded as {@code Metadata} (see {@link AuditLevel}).
 */
public final class AuditPolicy {
    /** A policy file larger than this is refused unread (a real one is a few KiB). */
    static final int MAX_FILE_BYTES = 1 << 20;

    /**
     * One entry of a rule's {@code resources}.
     *
     * @param group the API group, {@code ""} for the core group
     * @param resources resources, {@code res/sub}, {@code *}, {@code *}{@code /sub} or {@code res/*}; empty for all
     * @param resourceNames object names; empty for all
     */
    public record GroupResources(String group, List<String> resources, List<String> resourceNames) {
        public GroupResources {
            resources = List.copyOf(resources);
            resourceNames = List.copyOf(resourceNames);
        }

        boolean matches(String apiGroup, String resource, String subresource, String name) {
            if (!group.equals(apiGroup)) {
                return false;
            }
            if (resources.isEmpty()) {
                return true;
            }
            if (!resourceNames.isEmpty() && !resourceNames.contains(name)) {
                return false;
            }
            String combined = subresource.isEmpty() ? resource : resource + "/" + subresource;
            for (String pattern : resources) {
                if (pattern.equals("*") || pattern.equals(combined)) {
                    return true;
                }
                if (!subresource.isEmpty()
                        && pattern.startsWith("*/")
                        && pattern.substring(2).equals(subresource)) {
                    return true;
                }
                if (pattern.endsWith("/*")
                        && pattern.substring(0, pattern.length() - 2).equals(resource)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * One rule. Empty sets and lists mean "any".
     *
     * @param omitStages the rule's own stages to leave out together with the policy's
     */
    public record Rule(
            AuditLevel level,
            Set<String> users,
            Set<String> userGroups,
            Set<String> verbs,
            List<GroupResources> resources,
            Set<String> namespaces,
            List<String> nonResourceUrls,
            Set<AuditStage> omitStages) {
        public Rule {
            users = Set.copyOf(users);
            userGroups = Set.copyOf(userGroups);
            verbs = Set.copyOf(verbs);
            resources = List.copyOf(resources);
            namespaces = Set.copyOf(namespaces);
            nonResourceUrls = List.copyOf(nonResourceUrls);
            omitStages = Set.copyOf(omitStages);
        }

        /** A rule that matches every request. */
        public static Rule everything(AuditLevel level) {
            return new Rule(level, Set.of(), Set.of(), Set.of(), List.of(), Set.of(), List.of(), Set.of());
        }

        boolean matches(AuditAttributes request) {
            if (!users.isEmpty() && !users.contains(request.user().username())) {
                return false;
            }
            if (!userGroups.isEmpty() && request.user().groups().stream().noneMatch(userGroups::contains)) {
                return false;
            }
            if (!verbs.isEmpty() && !verbs.contains(request.verb())) {
                return false;
            }
            if (!namespaces.isEmpty() || !resources.isEmpty()) {
                return matchesResource(request);
            }
            if (!nonResourceUrls.isEmpty()) {
                return matchesNonResource(request);
            }
            return true;
        }

        private boolean matchesResource(AuditAttributes request) {
            AuditObjectRef ref = request.objectRef();
            if (ref == null) {
                return false;
            }
            if (!namespaces.isEmpty() && !namespaces.contains(ref.namespace())) {
                return false;
            }
            if (resources.isEmpty()) {
                return true;
            }
            for (GroupResources group : resources) {
                if (group.matches(ref.apiGroup(), ref.resource(), ref.subresource(), ref.name())) {
                    return true;
                }
            }
            return false;
        }

        private boolean matchesNonResource(AuditAttributes request) {
            if (request.resourceRequest()) {
                return false;
            }
            String path = request.path();
            for (String pattern : nonResourceUrls) {
                if (pattern.equals("*") || pattern.equals(path)) {
                    return true;
                }
                if (pattern.endsWith("*") && path.startsWith(pattern.substring(0, pattern.length() - 1))) {
                    return true;
                }
            }
            return false;
        }
    }

    private final String source;
    private final List<Rule> rules;
    private final Set<AuditStage> omitStages;
    private final AuditDecision noMatch;
    private final AuditDecision[] decisions;

    /**
     * A policy of {@code rules}, each leaving out its own stages and {@code omitStages}.
     *
     * @param source where the policy comes from, for messages
     */
    public AuditPolicy(String source, List<Rule> rules, Set<AuditStage> omitStages) {
        this.source = source;
        this.rules = List.copyOf(rules);
        this.omitStages = Set.copyOf(omitStages);
        this.noMatch = new AuditDecision(AuditLevel.NONE, omitStages);
        this.decisions = new AuditDecision[this.rules.size()];
        for (int i = 0; i < decisions.length; i++) {
            EnumSet<AuditStage> omitted = EnumSet.noneOf(AuditStage.class);
            omitted.addAll(omitStages);
            omitted.addAll(this.rules.get(i).omitStages());
            decisions[i] = new AuditDecision(this.rules.get(i).level(), omitted);
        }
    }

    /** The policy without a policy file: every request at {@code Metadata}, every stage. */
    public static AuditPolicy metadataForEverything() {
        return new AuditPolicy("the default policy", List.of(Rule.everything(AuditLevel.METADATA)), Set.of());
    }

    /** Reads a policy file, YAML or JSON. */
    public static AuditPolicy load(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new AuditConfigurationException(
                        "audit policy " + file + ": larger than " + MAX_FILE_BYTES + " bytes; refusing to read it");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new AuditConfigurationException("audit policy " + file + ": cannot read it: " + e, e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new AuditConfigurationException("audit policy " + file + ": not valid UTF-8", e);
        }
        return parse(text, file.toString());
    }

    /**
     * Reads a policy from YAML or JSON text.
     *
     * @param source where the text comes from, for messages
     * @throws AuditConfigurationException naming every field that is wrong
     */
    public static AuditPolicy parse(String text, String source) {
        return new PolicyReader(source).read(text);
    }

    /** The level and omitted stages for a request: those of the first rule that matches it. */
    public AuditDecision evaluate(AuditAttributes request) {
        for (int i = 0; i < decisions.length; i++) {
            if (rules.get(i).matches(request)) {
                return decisions[i];
            }
        }
        return noMatch;
    }

    public List<Rule> rules() {
        return rules;
    }

    public Set<AuditStage> omitStages() {
        return omitStages;
    }

    public String source() {
        return source;
    }

    /** The positions (from 0) of rules whose level is higher than what this server records, for a startup warning. */
    public List<Integer> rulesRecordedBelowTheirLevel() {
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).level().recorded() != rules.get(i).level()) {
                positions.add(i);
            }
        }
        return positions;
    }

    @Override
    public String toString() {
        return "AuditPolicy(" + source + ", " + rules.size() + " rules)";
    }
}
