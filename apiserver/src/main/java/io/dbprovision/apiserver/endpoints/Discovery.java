package io.dbprovision.apiserver.endpoints;

import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The discovery documents of one group-version: legacy ({@code APIGroupList} or, for the core group,
 * {@code APIVersions}; {@code APIGroup}; {@code APIResourceList}) and aggregated ({@code APIGroupDiscoveryList} v2
 * and v2beta1), built once from its schema.
 */
final class Discovery {
    static final List<String> VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
    static final List<String> STATUS_VERBS = List.of("get", "patch", "update");

    private final Schema schema;
    private final List<Kind> kinds;
    private final byte[] groupList;
    private final byte[] group;
    private final byte[] resourceList;
    private final byte[] aggregatedV2;
    private final byte[] aggregatedV2beta1;
    private final String etagV2;
    private final String etagV2beta1;

    Discovery(Schema schema) {
        this.schema = schema;
        this.kinds = schema.kinds();
        this.groupList = Json.write(groupListDocument());
        this.group = Json.write(groupDocument());
        this.resourceList = Json.write(resourceListDocument());
        this.aggregatedV2 = Json.write(aggregated("apidiscovery.k8s.io/v2"));
        this.aggregatedV2beta1 = Json.write(aggregated("apidiscovery.k8s.io/v2beta1"));
        this.etagV2 = etag(aggregatedV2);
        this.etagV2beta1 = etag(aggregatedV2beta1);
    }

    byte[] groupList() {
        return groupList;
    }

    byte[] group() {
        return group;
    }

    byte[] resourceList() {
        return resourceList;
    }

    byte[] aggregated(boolean v2) {
        return v2 ? aggregatedV2 : aggregatedV2beta1;
    }

    String aggregatedEtag(boolean v2) {
        return v2 ? etagV2 : etagV2beta1;
    }

    /** {@code APIGroupList} for {@code /apis}, or {@code APIVersions} for {@code /api} (the core group). */
    private Map<String, Object> groupListDocument() {
        Map<String, Object> list = new LinkedHashMap<>();
        if (schema.group().isEmpty()) {
            list.put("kind", "APIVersions");
            list.put("versions", List.of(schema.version()));
            list.put("serverAddressByClientCIDRs", List.of());
            return list;
        }
        list.put("kind", "APIGroupList");
        list.put("apiVersion", "v1");
        list.put("groups", List.of(groupDocument()));
        return list;
    }

    private Map<String, Object> groupDocument() {
        Map<String, Object> version = Map.of("groupVersion", schema.apiVersion(), "version", schema.version());
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("kind", "APIGroup");
        group.put("apiVersion", "v1");
        group.put("name", schema.group());
        group.put("versions", List.of(version));
        group.put("preferredVersion", version);
        return group;
    }

    /** Every verb, but for namespaces, which Kubernetes does not delete as a collection (see NamespaceLifecycle). */
    private static List<String> verbs(Kind kind) {
        if (kind.group().isEmpty() && kind.plural().equals("namespaces")) {
            return VERBS.stream()
                    .filter(verb -> !verb.equals("deletecollection"))
                    .toList();
        }
        return VERBS;
    }

    private Map<String, Object> resourceListDocument() {
        List<Map<String, Object>> resources = new ArrayList<>();
        for (Kind kind : kinds) {
            Map<String, Object> resource = new LinkedHashMap<>();
            resource.put("name", kind.plural());
            resource.put("singularName", kind.singular());
            resource.put("namespaced", !kind.clusterScoped());
            resource.put("kind", kind.kind());
            resource.put("verbs", verbs(kind));
            resource.put("shortNames", kind.shortNames());
            resource.put("categories", kind.categories());
            resources.add(resource);
            if (!hasStatus(kind)) {
                continue;
            }
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("name", kind.plural() + "/status");
            status.put("singularName", "");
            status.put("namespaced", !kind.clusterScoped());
            status.put("kind", kind.kind());
            status.put("verbs", STATUS_VERBS);
            resources.add(status);
        }
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", schema.apiVersion());
        list.put("resources", resources);
        return list;
    }

    private Map<String, Object> aggregated(String apiVersion) {
        List<Map<String, Object>> resources = new ArrayList<>();
        for (Kind kind : kinds) {
            Map<String, Object> responseKind =
                    Map.of("group", schema.group(), "version", schema.version(), "kind", kind.kind());
            Map<String, Object> resource = new LinkedHashMap<>();
            resource.put("resource", kind.plural());
            resource.put("responseKind", responseKind);
            resource.put("scope", kind.clusterScoped() ? "Cluster" : "Namespaced");
            resource.put("singularResource", kind.singular());
            resource.put("verbs", verbs(kind));
            resource.put("shortNames", kind.shortNames());
            resource.put("categories", kind.categories());
            resource.put(
                    "subresources",
                    List.of(Map.of("subresource", "status", "responseKind", responseKind, "verbs", STATUS_VERBS)));
            resources.add(resource);
        }
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("version", schema.version());
        version.put("resources", resources);
        version.put("freshness", "Current");
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("metadata", schema.group().isEmpty() ? Map.of() : Map.of("name", schema.group()));
        group.put("versions", List.of(version));
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("kind", "APIGroupDiscoveryList");
        list.put("apiVersion", apiVersion);
        list.put("metadata", Map.of());
        list.put("items", List.of(group));
        return list;
    }

    private static boolean hasStatus(Kind kind) {
        return kind.descriptor().findFieldByName("status") != null;
    }

    private static String etag(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(digest) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }
}
