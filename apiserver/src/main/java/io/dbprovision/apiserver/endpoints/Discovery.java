package io.dbprovision.apiserver.endpoints;

import io.dbprovision.api.schema.ComputedSubresource;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.api.schema.Schema;
import io.dbprovision.apiserver.registry.ResourceStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The discovery documents of every group-version the registry serves, built once from their schemas: legacy
 * ({@code APIVersions} for {@code /api}, {@code APIGroupList} for {@code /apis}, {@code APIGroup} per group,
 * {@code APIResourceList} per group-version) and aggregated ({@code APIGroupDiscoveryList} v2 and v2beta1, for
 * {@code /api} and {@code /apis}). Each kind is listed with its {@code status} subresource and its computed
 * subresources (verb {@code get}, their response kind), as Kubernetes lists {@code deployments/scale}.
 */
final class Discovery {
    static final List<String> STATUS_VERBS = List.of("get", "patch", "update");

    /** The documents of {@code /api} or {@code /apis}: the legacy list and both aggregated forms. */
    record Root(byte[] legacy, byte[] aggregatedV2, byte[] aggregatedV2beta1, String etagV2, String etagV2beta1) {
        byte[] aggregated(boolean v2) {
            return v2 ? aggregatedV2 : aggregatedV2beta1;
        }

        String aggregatedEtag(boolean v2) {
            return v2 ? etagV2 : etagV2beta1;
        }
    }

    private final Optional<Root> core;
    private final Root named;
    /** {@code /apis/{group}} → APIGroup. */
    private final Map<String, byte[]> groups = new LinkedHashMap<>();
    /** {@code /api/v1}, {@code /apis/{group}/{version}} → APIResourceList. */
    private final Map<String, byte[]> resourceLists = new LinkedHashMap<>();
    /** The computed subresources served, in name order. */
    private final List<ComputedSubresource> computed;

    /** @param subresources the computed subresources served, of kinds of these schemas */
    Discovery(List<Schema> schemas, List<ComputedSubresource> subresources) {
        this.computed = subresources.stream()
                .sorted(Comparator.comparing(ComputedSubresource::name))
                .toList();
        List<Schema> namedSchemas = new ArrayList<>();
        Schema coreSchema = null;
        for (Schema schema : schemas) {
            if (schema.group().isEmpty()) {
                coreSchema = schema;
                resourceLists.put("/api/" + schema.version(), Json.write(resourceListDocument(schema)));
            } else {
                namedSchemas.add(schema);
                groups.put("/apis/" + schema.group(), Json.write(groupDocument(schema)));
                resourceLists.put("/apis/" + schema.apiVersion(), Json.write(resourceListDocument(schema)));
            }
        }
        this.core = coreSchema == null ? Optional.empty() : Optional.of(root(List.of(coreSchema), true));
        this.named = root(namedSchemas, false);
    }

    /** {@code /api}: absent when the core group is not served here (clients accept that from aggregated servers). */
    Optional<Root> core() {
        return core;
    }

    /** {@code /apis}. */
    Root named() {
        return named;
    }

    /** The APIGroup of {@code /apis/{group}}, or the APIResourceList of a group-version path. */
    Optional<byte[]> document(String path) {
        byte[] group = groups.get(path);
        return Optional.ofNullable(group != null ? group : resourceLists.get(path));
    }

    private Root root(List<Schema> schemas, boolean core) {
        byte[] legacy = Json.write(core ? versionsDocument(schemas.getFirst()) : groupListDocument(schemas));
        byte[] v2 = Json.write(aggregated(schemas, "apidiscovery.k8s.io/v2"));
        byte[] v2beta1 = Json.write(aggregated(schemas, "apidiscovery.k8s.io/v2beta1"));
        return new Root(legacy, v2, v2beta1, etag(v2), etag(v2beta1));
    }

    private static Map<String, Object> versionsDocument(Schema core) {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("kind", "APIVersions");
        list.put("versions", List.of(core.version()));
        list.put("serverAddressByClientCIDRs", List.of());
        return list;
    }

    private static Map<String, Object> groupListDocument(List<Schema> schemas) {
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("kind", "APIGroupList");
        list.put("apiVersion", "v1");
        list.put("groups", schemas.stream().map(Discovery::groupDocument).toList());
        return list;
    }

    private static Map<String, Object> groupDocument(Schema schema) {
        Map<String, Object> version = ordered("groupVersion", schema.apiVersion(), "version", schema.version());
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("kind", "APIGroup");
        group.put("apiVersion", "v1");
        group.put("name", schema.group());
        group.put("versions", List.of(version));
        group.put("preferredVersion", version);
        return group;
    }

    private static List<String> verbs(Kind kind) {
        return ResourceStore.verbsOf(kind);
    }

    private Map<String, Object> resourceListDocument(Schema schema) {
        List<Map<String, Object>> resources = new ArrayList<>();
        for (Kind kind : schema.kinds()) {
            Map<String, Object> resource = new LinkedHashMap<>();
            resource.put("name", kind.plural());
            resource.put("singularName", kind.singular());
            resource.put("namespaced", !kind.clusterScoped());
            resource.put("kind", kind.kind());
            resource.put("verbs", verbs(kind));
            resource.put("shortNames", kind.shortNames());
            resource.put("categories", kind.categories());
            resources.add(resource);
            if (hasStatus(kind)) {
                resources.add(subresourceEntry(kind, kind.plural() + "/status", kind.kind(), STATUS_VERBS));
            }
            for (ComputedSubresource subresource : computedOf(kind)) {
                resources.add(subresourceEntry(
                        kind, subresource.resource(), subresource.responseKind(), ComputedSubresource.VERBS));
            }
        }
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", schema.apiVersion());
        list.put("resources", resources);
        return list;
    }

    /** A subresource's APIResource: same group-version as its kind, so no group or version of its own. */
    private static Map<String, Object> subresourceEntry(
            Kind kind, String name, String responseKind, List<String> verbs) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put("singularName", "");
        entry.put("namespaced", !kind.clusterScoped());
        entry.put("kind", responseKind);
        entry.put("verbs", verbs);
        return entry;
    }

    private Map<String, Object> aggregated(List<Schema> schemas, String apiVersion) {
        List<Object> items = new ArrayList<>();
        for (Schema schema : schemas) {
            items.add(aggregatedGroup(schema));
        }
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("kind", "APIGroupDiscoveryList");
        list.put("apiVersion", apiVersion);
        list.put("metadata", Map.of());
        list.put("items", items);
        return list;
    }

    private Map<String, Object> aggregatedGroup(Schema schema) {
        List<Map<String, Object>> resources = new ArrayList<>();
        for (Kind kind : schema.kinds()) {
            Map<String, Object> responseKind =
                    ordered("group", schema.group(), "version", schema.version(), "kind", kind.kind());
            Map<String, Object> resource = new LinkedHashMap<>();
            resource.put("resource", kind.plural());
            resource.put("responseKind", responseKind);
            resource.put("scope", kind.clusterScoped() ? "Cluster" : "Namespaced");
            resource.put("singularResource", kind.singular());
            resource.put("verbs", verbs(kind));
            resource.put("shortNames", kind.shortNames());
            resource.put("categories", kind.categories());
            List<Object> subresources = new ArrayList<>();
            if (hasStatus(kind)) {
                subresources.add(ordered("subresource", "status", "responseKind", responseKind, "verbs", STATUS_VERBS));
            }
            for (ComputedSubresource subresource : computedOf(kind)) {
                // Ordered maps: the document's bytes, and so its ETag, stay the same from one start to the next.
                Map<String, Object> answered = new LinkedHashMap<>();
                answered.put("group", schema.group());
                answered.put("version", schema.version());
                answered.put("kind", subresource.responseKind());
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("subresource", subresource.name());
                entry.put("responseKind", answered);
                entry.put("verbs", ComputedSubresource.VERBS);
                subresources.add(entry);
            }
            resource.put("subresources", subresources);
            resources.add(resource);
        }
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("version", schema.version());
        version.put("resources", resources);
        version.put("freshness", "Current");
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("metadata", schema.group().isEmpty() ? Map.of() : ordered("name", schema.group()));
        group.put("versions", List.of(version));
        return group;
    }

    private List<ComputedSubresource> computedOf(Kind kind) {
        return computed.stream()
                .filter(subresource -> subresource.parent().equals(kind))
                .toList();
    }

    private static boolean hasStatus(Kind kind) {
        return !kind.createOnly() && kind.descriptor().findFieldByName("status") != null;
    }

    /**
     * A map that keeps the order its entries are given in: {@code Map.of} iterates in an order that changes from one
     * JVM to the next, which would give every replica (and every restart) different bytes and so a different ETag.
     */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
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
